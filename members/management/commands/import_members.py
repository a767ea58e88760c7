"""`python manage.py import_members FILE --area NAME_OR_CODE [--dry-run]`"""

from members.importers import MemberImporter
from platforms.importing import ImportCommand


class Command(ImportCommand):
    importer = MemberImporter
