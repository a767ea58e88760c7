"""`python manage.py import_venues FILE --area NAME_OR_CODE [--dry-run]`"""

from platforms.importers import VenueImporter
from platforms.importing import ImportCommand


class Command(ImportCommand):
    importer = VenueImporter
