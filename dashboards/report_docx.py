"""The work report as a Word file (.docx, issue 16): what the printed report page shows, in the
same order, from the same ``build_report`` structure — its sentences, figure tiles, child table
with the node's total, categories and cases — so the numbers (and any later change to their
wording) are the page's. Offices edit the file into their own report.
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone

from consult_portal.exports import _disposition

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NONE_CELL = "—"
CHINESE_FONT = "宋体"
SECTION_NUMBERS = "一二三四五六"


def _ymd(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _md(day) -> str:
    return f"{day.month}月{day.day}日"


def _set_font(run, *, size=None, bold=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = CHINESE_FONT
    # East Asian text takes its font from w:eastAsia, not from w:ascii.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CHINESE_FONT)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold


def _paragraph(document, text: str, *, size=None, bold=None, center=False):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(paragraph.add_run(text), size=size, bold=bold)
    return paragraph


def _table(document, header: list[str], rows: list[list[str]], *, footer=None):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _set_font(cell.paragraphs[0].add_run(text), bold=True)
    for values in rows + ([footer] if footer else []):
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _set_font(cell.paragraphs[0].add_run(str(text)), bold=values is footer or None)
    return table


def _tile_value(tile: dict) -> str:
    shown = tile["shown"]
    if shown != NONE_CELL and not tile.get("is_rate") and tile.get("unit"):
        return f"{shown} {tile['unit']}"
    return shown


def build_document(report: dict, *, node_name: str):
    from docx import Document

    document = Document()
    period = report["period"]
    _paragraph(document, report["title"], size=18, bold=True, center=True)
    running = "(周期进行中)" if period.is_running else ""
    _paragraph(
        document,
        f"统计周期:{_ymd(period.start)}至{_ymd(period.effective_end)}{running}"
        f" · 生成日期:{_ymd(timezone.localdate())}",
        size=10,
        center=True,
    )
    number = iter(SECTION_NUMBERS)

    _paragraph(document, f"{next(number)}、总体情况", size=14, bold=True)
    _paragraph(document, "".join(report["sentences"]))
    previous_label = report["headline"]["previous_period"].label
    _table(
        document,
        ["指标", "本期", f"上期({previous_label})", "变化"],
        [
            [
                tile["label"],
                _tile_value(tile),
                tile["previous_shown"] or NONE_CELL,
                tile.get("change_text") or "",
            ]
            for tile in report["tile_cells"]
        ],
    )

    if report["child_rows"]:
        _paragraph(document, f"{next(number)}、{report['child_heading']}", size=14, bold=True)
        first = "阵地" if report["child_kind"] == "venue" else "区划"
        _table(
            document,
            [first] + [column["header"] for column in report["child_columns"]],
            [
                [line["row"]["name"]] + [cell["value"] for cell in line["cells"]]
                for line in report["child_cells"]
            ],
            footer=[f"{node_name}合计"] + [cell["value"] for cell in report["total_cells"]],
        )
        _paragraph(
            document,
            f"合计为{node_name}全域数字,含直属于本级的阵地和议题,可能大于各行之和。",
            size=9,
        )

    _paragraph(document, f"{next(number)}、办结议题主要类别", size=14, bold=True)
    if report["categories"]:
        _table(
            document,
            ["类别", "办结议题(件)", "占办结议题比例"],
            [[c["name"], str(c["resolved"]), c["share_text"]] for c in report["categories"]],
        )
    else:
        _paragraph(document, "本期暂无办结的议题。")

    _paragraph(document, f"{next(number)}、典型案例", size=14, bold=True)
    for index, case in enumerate(report["cases"], start=1):
        _paragraph(document, f"{index}. {case['title']}", bold=True)
        where = case["venue__name"] or case["area__name"]
        lead = f" · 主办部门:{case['lead_department']}" if case["lead_department"] else ""
        _paragraph(
            document,
            f"{case['category__name']} · {where}{lead} · "
            f"{_md(case['raised_on'])}提出,{_md(case['resolved_on'])}办结,"
            f"用时{case['days']}天 · 群众评价:{case['rating_label']}",
            size=9,
        )
        _paragraph(document, case["resolution_summary"])
    if not report["cases"]:
        _paragraph(document, "本期暂无群众评价为“满意”且公开了办理结果的办结案例。")

    _paragraph(
        document,
        "口径说明:本报告各项数字与领导看板、导出表格一致,均由系统按办理记录统计。",
        size=9,
    )
    return document


def report_docx_response(report: dict, *, node_name: str, node_key: str) -> HttpResponse:
    buffer = io.BytesIO()
    build_document(report, node_name=node_name).save(buffer)
    period = report["period"]
    stamp = f"{period.start:%Y%m%d}-{period.effective_end:%Y%m%d}"
    response = HttpResponse(buffer.getvalue(), content_type=DOCX_TYPE)
    response["Content-Disposition"] = _disposition(
        f"{report['title']}.docx", f"report_{node_key}_{stamp}.docx"
    )
    return response
