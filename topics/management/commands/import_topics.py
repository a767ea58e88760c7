"""`python manage.py import_topics FILE --area NAME_OR_CODE [--dry-run]`"""

from platforms.importing import ImportCommand
from topics.importers import TopicImporter


class Command(ImportCommand):
    importer = TopicImporter
