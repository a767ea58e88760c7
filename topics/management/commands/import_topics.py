"""`python manage.py import_topics FILE --area NAME_OR_CODE [--dry-run]`"""

from consult_portal.importing.command import ImportCommand
from topics.importers import TopicImporter


class Command(ImportCommand):
    importer = TopicImporter
