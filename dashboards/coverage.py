"""Venues by kind and how far they cover the communities ("全覆盖"), read from the records.

Coverage: of the communities (村·社区, ``AreaLevel.COMMUNITY``) in the node, those with at least
one venue in use on the community or below it. Kinds: the node's venues in use per
``Venue.kind``. Both say how things stand now (venues carry no dates), so they are not compared
with a previous period. One statement for a node and its children (a few thousand areas and
venues at province scale, read through the area path index).

``coverage_counts(node, child)`` → ``{None: counts, child ident: counts}``, each with
``venue_kinds``: ``[(kind, label, n)]``.
"""

from __future__ import annotations

from django.db import connection

from platforms.models import Area, AreaLevel, Venue, VenueKind

from .scope import DashboardScope

NAMES = ("communities", "communities_covered")


def coverage_counts(node: DashboardScope, child: str | None = None) -> dict:
    """Counts of the node (key None) and, with ``child`` "area", of each child area (path
    prefix), or with "venue" of each venue (id). A venue covers no community of its own: a
    venue's counts are zero communities and its kind."""
    area_table, venue_table = Area._meta.db_table, Venue._meta.db_table
    if node.is_venue:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT kind, COUNT(*) FROM {venue_table} WHERE id = %s AND is_active "
                "GROUP BY kind",
                [node.venue.pk],
            )
            kinds = cursor.fetchall()
        return {None: {**dict.fromkeys(NAMES, 0), "venue_kinds": _kinds(kinds)}}
    path = node.area.path
    group = kind_group = "NULL"
    if child == "area" and node.area.numchild:
        group = kind_group = f"SUBSTR(a.path, 1, {len(path) + Area.steplen})"
    elif child == "venue":
        # The communities' half has no venue to group by: a NULL of the venues' id type, since
        # PostgreSQL will not UNION an untyped NULL (text) with a bigint.
        group, kind_group = "CAST(NULL AS BIGINT)", "v.id"
    covered = (
        f"EXISTS (SELECT 1 FROM {venue_table} v JOIN {area_table} va ON va.id = v.area_id "
        "WHERE v.is_active AND va.path LIKE a.path || '%%')"
    )
    sql = (
        f"SELECT 'c', {group}, COUNT(*), SUM(CASE WHEN {covered} THEN 1 ELSE 0 END) "
        f"FROM {area_table} a WHERE a.level = %s AND a.path LIKE %s GROUP BY 2 "
        f"UNION ALL SELECT v.kind, {kind_group}, COUNT(*), 0 FROM {venue_table} v "
        f"JOIN {area_table} a ON a.id = v.area_id "
        "WHERE v.is_active AND a.path LIKE %s GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [AreaLevel.COMMUNITY, path + "%", path + "%"])
        rows = cursor.fetchall()
    counts: dict = {None: dict.fromkeys(NAMES, 0)}
    kinds: dict = {}
    for which, key, n, covered_n in rows:
        for ident in {None, key}:
            if which != "c":  # a venue kind: ``which`` is the kind
                found = kinds.setdefault(ident, {})
                found[which] = found.get(which, 0) + n
                continue
            row = counts.setdefault(ident, dict.fromkeys(NAMES, 0))
            row["communities"] += n
            row["communities_covered"] += covered_n or 0
    for ident in set(counts) | set(kinds):
        row = counts.setdefault(ident, dict.fromkeys(NAMES, 0))
        row["venue_kinds"] = _kinds(kinds.get(ident, {}).items())
    return counts


def _kinds(rows) -> list[tuple[str, str, int]]:
    """``[(kind, label, n)]`` in the order of ``VenueKind``, kinds with no venue left out."""
    found = dict(rows)
    return [(k.value, k.label, found[k.value]) for k in VenueKind if found.get(k.value)]
