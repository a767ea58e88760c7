"""The importers the web pages and commands offer, by kind."""

from __future__ import annotations

from .base import Importer


def importers() -> dict[str, type[Importer]]:
    from members.importers import MemberImporter
    from platforms.importers import VenueImporter
    from topics.importers import TopicImporter

    return {cls.kind: cls for cls in (VenueImporter, MemberImporter, TopicImporter)}
