"""Reads for points: the ranking of members by this year's points, and its export."""

from __future__ import annotations

from typing import Any

from consult_portal.exports import ExportColumn, ExportSpec
from platforms.models import Area

from .models import Member, PointKind
from .points import Band, bands_for_year, member_points, rules_for_year

# Badge colours by band position, highest first; the lowest band is always a warning.
BAND_TONES = ("text-bg-success", "text-bg-primary", "text-bg-secondary")
LOWEST_BAND_TONE = "text-bg-warning"


def band_tone(index: int, bands: list[Band]) -> str:
    if index == len(bands) - 1 and len(bands) > 1:
        return LOWEST_BAND_TONE
    return BAND_TONES[min(index, len(BAND_TONES) - 1)]


def band_legend(bands: list[Band]) -> list[dict]:
    """Each band with its range, highest first: 优秀 ≥ 90, 良好 80–89, ..., 不称职 < 60."""
    legend = []
    for index, band in enumerate(bands):
        upper = bands[index - 1].lowest - 1 if index else None
        legend.append({"label": band.label, "lowest": band.lowest, "highest": upper})
    return legend


def ranking(*, user, year: int, area: Area | None = None) -> dict[str, Any]:
    """Serving members the user may see (of ``area``'s committees and below, if given), ranked
    by points, highest first; equal totals share a rank and are listed by name. Six queries for
    any number of members (the members, the rules, the year's bands, three record counts)."""
    members = Member.objects.visible_to(user).active().select_related("area", "sector")
    if area is not None:
        members = members.filter(area__path__startswith=area.path)
    members = list(members.order_by("name", "pk"))
    bands = bands_for_year(year)
    points = member_points(members, year, bands=bands)
    rows = []
    for member in members:
        result = points[member.pk]
        rows.append(
            {
                "member": member,
                "points": result,
                "by_kind": result.by_kind(),
                "band_tone": band_tone(result.band_index, bands),
            }
        )
    rows.sort(key=lambda row: -row["points"].total)
    # Standard competition ranking: equal totals share a rank, the next total skips (1, 2, 2, 4).
    for position, row in enumerate(rows, start=1):
        tied = position > 1 and row["points"].total == rows[position - 2]["points"].total
        row["rank"] = rows[position - 2]["rank"] if tied else position
    return {"rows": rows, "kinds": list(PointKind), "year": year, "bands": band_legend(bands)}


class _RowSource:
    """Lets the shared exporters (which read ``qs.values(...).iterator()``) write computed rows."""

    def __init__(self, rows: list[dict]):
        self._rows = rows

    def values(self, *fields):
        return self

    def iterator(self, chunk_size=None):
        return iter(self._rows)


def ranking_export_spec(year: int) -> ExportSpec:
    kinds = tuple(
        ExportColumn(f"{kind.label}(分)", f"kind_{kind.value}", width=10) for kind in PointKind
    )
    return ExportSpec(
        basename=f"委员积分排名{year}",
        ascii_name=f"member_points_{year}",
        columns=(
            ExportColumn("名次", "rank", width=6),
            ExportColumn("姓名", "name", width=10),
            ExportColumn("所属政协", "area", width=12),
            ExportColumn("界别", "sector", width=12),
            *kinds,
            ExportColumn("总分", "total", width=8),
            ExportColumn("等次", "band", width=8),
        ),
    )


def ranking_export_source(rows: list[dict]) -> _RowSource:
    flat = []
    for row in rows:
        member, result = row["member"], row["points"]
        item = {
            "rank": row["rank"],
            "name": member.name,
            "area": member.area.name,
            "sector": member.sector.name,
            "total": result.total,
            "band": result.band,
        }
        for kind_points in result.kinds:
            item[f"kind_{kind_points.kind}"] = kind_points.points
        flat.append(item)
    return _RowSource(flat)


__all__ = ["ranking", "ranking_export_source", "ranking_export_spec", "rules_for_year"]
