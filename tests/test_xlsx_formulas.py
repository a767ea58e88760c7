"""No text a resident, member or office typed becomes a live formula in any workbook we write.

Every name and text that can reach a workbook is given each prefix Excel reads as a formula
(``=``, ``+``, ``-``, ``@``, tab, carriage return); then every workbook the portal offers is opened
and every cell read: none is a formula, and each hostile text arrives as text with a leading ``'``.
"""

import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from consult_portal.exports import FORMULA_PREFIXES, xlsx_row
from dashboards.charts import CHARTS
from tests.conftest import client_for
from tests.dashboards.case_data import make_cases
from tests.factories import MemberFactory

YEAR_2025 = {"period": "year", "year": "2025"}


def hostile(prefix: str, text: str) -> str:
    return f'{prefix}HYPERLINK("e.cn","{text}")'  # fits a 32-character name


@pytest.fixture
def poisoned(world):
    """The report world (make_cases) with every name and text a workbook shows made hostile."""
    cases = make_cases(world)
    prefixes = iter(FORMULA_PREFIXES * 3)
    texts = []

    def poison(obj, field, label):
        value = hostile(next(prefixes), label)
        setattr(obj, field, value)
        obj.save(update_fields=[field])
        texts.append(value)

    poison(world.subdistrict_a, "name", "街道")
    poison(world.community_a, "name", "社区")
    poison(world.venue_a, "name", "阵地")
    poison(world.department_a, "name", "承办单位")
    poison(cases["a"], "title", "议题")
    poison(cases["a"], "resolution_summary", "办理结果")
    poison(cases["a"].category, "name", "类别")
    poison(cases["other_venue"], "name", "工作室")
    member = MemberFactory(area=world.district_a)
    poison(member, "name", "委员")
    return texts


def workbooks(world, office_staff, district_leader):
    """(label, response) for every workbook a district's staff or leader can download."""
    node = f"a{world.district_a.pk}"
    leader = client_for(district_leader)
    yield "report", leader.get(reverse("dashboards:report_xlsx", args=[node]), YEAR_2025)
    yield "overview", leader.get(reverse("dashboards:overview_xlsx", args=[node]), YEAR_2025)
    for slug in CHARTS:
        yield slug, leader.get(reverse("dashboards:chart_xlsx", args=[node, slug]), YEAR_2025)
    staff = client_for(office_staff)
    for name in (
        "topics:list",
        "topics:consultation_list",
        "topics:department_list",
        "platforms:venue_list",
        "members:list",
        "members:ranking",
    ):
        yield name, staff.get(reverse(name) + "?" + urlencode({"export": "xlsx"}))
    for kind in ("venues", "members", "topics"):
        yield kind, staff.get(reverse("imports:template", args=[kind]))


def cells(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def test_no_workbook_holds_a_formula(poisoned, world, office_staff, district_leader):
    seen = set()
    for label, response in workbooks(world, office_staff, district_leader):
        assert response.status_code == 200, label
        for cell in cells(response):
            assert cell.data_type != "f", (label, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_PREFIXES), (label, cell.value)
                for text in poisoned:
                    # XML keeps no bare CR: a saved "\r" reads back as "\n".
                    if text.replace("\r", "\n") in cell.value.replace("\r", "\n"):
                        assert cell.value.startswith("'"), (label, cell.value)
                        seen.add(text)
    # The fixture reached the workbooks: every hostile text was written (and neutralised).
    assert seen == set(poisoned)


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_the_one_cell_writer(prefix):
    assert xlsx_row([f"{prefix}1+1", "文本", 3, None]) == [f"'{prefix}1+1", "文本", 3, ""]
