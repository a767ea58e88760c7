"""`python manage.py import_members FILE --area NAME_OR_CODE [--dry-run]`"""

from consult_portal.importing.command import ImportCommand
from members.importers import MemberImporter


class Command(ImportCommand):
    importer = MemberImporter
