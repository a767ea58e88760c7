"""The importers the web pages and commands offer, by kind.

The base does not import the apps above it: each app registers its importer from its
``AppConfig.ready()`` (``register(VenueImporter)``). Apps are made ready in ``INSTALLED_APPS``
order, so the import page lists the kinds in that order (venues, members, topics).
"""

from __future__ import annotations

from .base import Importer

_IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    """Offer ``importer`` on the import pages under its ``kind``; registering the same class
    again is harmless, another class under a taken kind is a programming error."""
    taken = _IMPORTERS.get(importer.kind)
    if taken is not None and taken is not importer:
        raise ValueError(f"importer kind {importer.kind!r} is already taken by {taken.__name__}")
    _IMPORTERS[importer.kind] = importer
    return importer


def importers() -> dict[str, type[Importer]]:
    return dict(_IMPORTERS)
