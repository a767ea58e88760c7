"""The overview as an Excel workbook: the tiles, the ranking of the children and the 口径说明.

The numbers are the ones the page shows (``figures.headline`` and ``figures.child_rows``, same
rounding); a figure with nothing to divide by is written "—" as on the page.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils import timezone

from consult_portal.exports import _disposition, append_row

from .figures import DEFINITIONS
from .periods import Period
from .scope import DashboardScope

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_VALUE = "—"


def _value(value):
    return NO_VALUE if value is None else value


def overview_workbook(node: DashboardScope, period: Period, headline: dict, rows: list[dict]):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)

    tiles = workbook.create_sheet(title="指标")
    for letter, width in zip("ABCDEFG", (18, 12, 8, 12, 12, 26, 24), strict=True):
        tiles.column_dimensions[letter].width = width
    append_row(tiles, ["区划/阵地", node.name])
    append_row(tiles, ["统计周期", period.label])
    append_row(tiles, ["对比周期", headline["previous_period"].label])
    append_row(tiles, [])
    append_row(tiles, ["指标", "本期", "单位", "上期", "变化", "较上期", "构成"])
    for tile in headline["tiles"]:
        append_row(
            tiles,
            [
                tile["label"],
                _value(tile["value"]),
                tile["unit"],
                _value(tile["previous"]),
                _value(tile["change"]),
                tile["change_text"],
                tile["detail"],
            ],
        )

    ranking = workbook.create_sheet(title="排名")
    ranking.column_dimensions["A"].width = 20
    ranking.freeze_panes = "B2"
    append_row(ranking, ["名称"] + [f"{d.label}({d.unit})" for d in DEFINITIONS])
    for row in rows:
        append_row(ranking, [row["name"]] + [_value(row[d.key]) for d in DEFINITIONS])
    if rows and not node.is_venue:  # 合计: the node's own figures, as on the page
        own = headline["figures"]
        append_row(ranking, ["合计"] + [_value(own[d.key]) for d in DEFINITIONS])

    notes = workbook.create_sheet(title="口径说明")
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 100
    append_row(notes, ["指标", "口径"])
    for d in DEFINITIONS:
        append_row(notes, [f"{d.label}({d.unit})", d.text])
    return workbook


def overview_xlsx_response(
    node: DashboardScope, period: Period, headline: dict, rows: list[dict]
) -> FileResponse:
    workbook = overview_workbook(node, period, headline, rows)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    stamp = timezone.localdate().strftime("%Y%m%d")
    start = period.start.strftime("%Y%m%d")
    end = period.end.strftime("%Y%m%d")
    name = f"{node.name}_协商工作概览_{start}-{end}_{stamp}.xlsx"
    ascii_name = f"overview_{node.key}_{start}-{end}_{stamp}.xlsx"
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(name, ascii_name)
    return response
