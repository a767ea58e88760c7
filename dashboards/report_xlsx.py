"""The work report as an .xlsx: the same figures, child table, categories and cases as the page.

Sheets: 概要 (title, period, the sentences, every headline figure with the previous period and
its 口径), 下级区划 (one row per child and the node's total), 议题类别, 典型案例. Numbers are
written as numbers (exact, never the rounded "900余" of the sentences); a rate with nothing to
divide by is "—", as on the page.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils import timezone

from consult_portal.exports import _disposition, append_row

from . import figures
from .report import CHILD_COLUMNS, column_header

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NONE_CELL = "—"


def _figure(value):
    return NONE_CELL if value is None else value


def _sheet(workbook, title: str, header: list[str], widths: list[int]):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title)
    append_row(sheet, header)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def build_workbook(report: dict, *, node_name: str):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)

    # 概要
    summary = workbook.create_sheet(title="概要")
    append_row(summary, [report["title"]])
    summary["A1"].font = Font(bold=True, size=14)
    period = report["period"]
    append_row(
        summary, ["统计周期", f"{period.start.isoformat()} 至 {period.effective_end.isoformat()}"]
    )
    append_row(summary, ["生成日期", timezone.localdate().isoformat()])
    append_row(summary, [])
    append_row(summary, ["总体情况"])
    for sentence in report["sentences"]:
        append_row(summary, [sentence])
    append_row(summary, [])
    header_row = summary.max_row + 1
    append_row(summary, ["指标", "本期", "单位", "上期", "变化", "口径"])
    for cell in summary[header_row]:
        cell.font = Font(bold=True)
    for tile in report["tiles"]:
        definition = figures.DEFINITIONS_BY_KEY[tile["key"]]
        append_row(
            summary,
            [
                tile["label"],
                _figure(tile["value"]),
                definition.unit,
                _figure(tile["previous"]) if definition.compared else "",
                tile["change_text"],
                definition.text,
            ],
        )
    for column, width in zip("ABCDEF", (22, 12, 8, 12, 24, 80), strict=True):
        summary.column_dimensions[column].width = width

    # 下级区划
    first = "阵地" if report["child_kind"] == "venue" else "区划"
    children = _sheet(
        workbook,
        "下级区划",
        [first, *(column_header(key) for key in CHILD_COLUMNS)],
        [22, *([14] * len(CHILD_COLUMNS))],
    )
    for row in report["child_rows"]:
        append_row(children, [row["name"], *(_figure(row[key]) for key in CHILD_COLUMNS)])
    append_row(
        children, [f"{node_name}合计", *(_figure(report["figures"][key]) for key in CHILD_COLUMNS)]
    )

    # 议题类别
    categories = _sheet(
        workbook, "议题类别", ["类别", "办结议题(件)", "占办结议题比例(%)"], [18, 14, 18]
    )
    for category in report["categories"]:
        append_row(categories, [category["name"], category["resolved"], _figure(category["share"])])

    # 典型案例
    cases = _sheet(
        workbook,
        "典型案例",
        [
            "议题",
            "类别",
            "阵地",
            "所属区划",
            "主办部门",
            "提出日期",
            "办结日期",
            "办理天数",
            "群众评价",
            "办理结果(公开)",
        ],
        [32, 12, 22, 12, 18, 12, 12, 10, 10, 60],
    )
    for case in report["cases"]:
        append_row(
            cases,
            [
                case["title"],
                case["category__name"],
                case["venue__name"] or "",
                case["area__name"],
                case["lead_department"] or "",
                case["raised_on"],
                case["resolved_on"],
                case["days"],
                case["rating_label"],
                case["resolution_summary"],
            ],
        )
        for cell in cases[cases.max_row][5:7]:
            cell.number_format = "yyyy-mm-dd"
    return workbook


def report_xlsx_response(report: dict, *, node_name: str, node_key: str) -> FileResponse:
    workbook = build_workbook(report, node_name=node_name)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    period = report["period"]
    stamp = f"{period.start:%Y%m%d}-{period.effective_end:%Y%m%d}"
    name = f"{report['title']}.xlsx"
    ascii_name = f"report_{node_key}_{stamp}.xlsx"
    response = FileResponse(handle, content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(name, ascii_name)
    return response
