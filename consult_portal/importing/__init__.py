"""Importing the sheets offices already keep (.xlsx, .csv in UTF-8 or GBK) into the portal.

``reader`` turns a file into rows with their spreadsheet row numbers (finding the header row under
a title, filling merged cells, dropping blank rows and the notes under the table); ``base`` holds
the ``Importer`` that parses and validates every row, previews what will happen to it, and writes
all rows in one transaction or none. Each app declares its own importer (``<app>/importers.py``).
"""

from .base import Importer, ImportResult, RowError
from .reader import ImportFileError, Sheet, read_sheet

__all__ = ["ImportFileError", "ImportResult", "Importer", "RowError", "Sheet", "read_sheet"]
