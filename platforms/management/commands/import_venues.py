"""`python manage.py import_venues FILE --area NAME_OR_CODE [--dry-run]`"""

from consult_portal.importing.command import ImportCommand
from platforms.importers import VenueImporter


class Command(ImportCommand):
    importer = VenueImporter
