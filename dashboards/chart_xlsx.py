"""A chart's table as an .xlsx file: the same headers and numbers as the table on the page."""

from __future__ import annotations

import tempfile

from django.http import FileResponse

from consult_portal.exports import _disposition, append_row

from .charts import Chart
from .periods import Period
from .scope import DashboardScope

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chart_filename(chart: Chart, node: DashboardScope, period: Period) -> tuple[str, str]:
    """``西陵区_提出与办结月度趋势_20260101-20261129.xlsx`` and an ASCII fallback."""
    span = f"{period.start:%Y%m%d}-{period.effective_end:%Y%m%d}"
    name = f"{node.name}_{chart.title}_{span}.xlsx".replace("/", "-")
    return name, f"{node.key}_{chart.slug}_{span}.xlsx"


def chart_workbook(chart: Chart, node: DashboardScope, period: Period):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = chart.title[:31]
    append_row(sheet, [f"{node.name} · {chart.title}"])
    append_row(sheet, [f"统计周期:{period.label}"])
    append_row(sheet, [])
    append_row(sheet, chart.headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in chart.rows:
        append_row(sheet, row)
    if chart.note:
        append_row(sheet, [])
        append_row(sheet, [f"口径:{chart.note}"])
    sheet.column_dimensions["A"].width = 24
    for letter in "BCDEF":
        sheet.column_dimensions[letter].width = 12
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    return workbook


def chart_xlsx_response(chart: Chart, node: DashboardScope, period: Period) -> FileResponse:
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    chart_workbook(chart, node, period).save(handle)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(*chart_filename(chart, node, period))
    return response
