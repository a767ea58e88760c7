"""The work report as a Word file (issue 16): the same numbers, rows and cases as the page."""

from __future__ import annotations

import io

import pytest
from docx import Document

from tests.conftest import client_for

from .test_report import area_key, page_cells, report_data, report_url  # noqa: F401

pytestmark = pytest.mark.django_db


def docx_tables(document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in table.rows] for table in document.tables]


def test_docx_has_the_pages_figures_rows_and_cases(world, report_data, district_leader):  # noqa: F811
    client = client_for(district_leader)
    page = client.get(report_url(area_key(world.district_a)))
    html = page.content.decode()
    report = page.context["report"]

    response = client.get(report_url(area_key(world.district_a), name="dashboards:report_docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert ".docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert document.paragraphs[0].text == "西陵区2025年度基层协商工作报告"
    assert "".join(report["sentences"]) in text
    assert "桃花岭小区加装电梯" in text and "主办部门:西陵区住建局" in text
    assert "张女士" not in text and "内部:楼栋长意见分歧较大" not in text

    figures_table, children_table, categories_table = docx_tables(document)
    # 总体情况: the same value in every row as the page (page cells: name, value, previous, change).
    shown = page_cells(html, "report-figures")
    assert len(figures_table) == 1 + len(shown)
    for (key, cells), row in zip(shown.items(), figures_table[1:], strict=True):
        assert row[0] == cells[0], key
        assert cells[1].startswith(row[1].split(" ")[0]), key
        assert row[2] == cells[2] and row[3] == cells[3], key
    # The child table and its 合计 row: the page's cells exactly.
    children = page_cells(html, "report-children")
    assert [row[1:] for row in children_table[1:]] == [cells[1:] for cells in children.values()]
    assert children_table[-1][0] == "西陵区合计"
    assert categories_table[1:] == [
        [c["name"], str(c["resolved"]), c["share_text"]] for c in report["categories"]
    ]
    # The page offers it beside the other downloads.
    assert "report.docx?" in html and "导出 Word" in html


def test_docx_of_another_area_is_404(world, district_leader):
    client = client_for(district_leader)
    response = client.get(report_url(area_key(world.district_b), name="dashboards:report_docx"))
    assert response.status_code == 404
