"""履职档案: members see their own, staff their area, others 404; the page and the workbook show
the report with its adoption and 批示; queries flat."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proposals import services
from tests.conftest import client_for
from tests.factories import AttendanceFactory, ConsultationFactory, UserFactory

from .helpers import sent, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(world, member_user, office_staff):
    report = sent(
        office_staff, submitted(member_user, world.member_a, title="菜市场占道经营"), number=12
    )
    today = timezone.localdate()
    services.report_adopt(actor=office_staff, report=report, level="city", adopted_on=today)
    services.report_instruction_add(
        actor=office_staff,
        report=report,
        leader="张某某 副市长",
        level="city",
        given_on=today,
        text="请市城管局牵头研究。",
    )
    return report


def test_record_permission_matrix(
    client, world, adopted, member_user, office_staff, other_staff, leader
):
    url = reverse("members:record", args=[world.member_a.pk])
    assert client.get(url).status_code == 302
    member_b_user = UserFactory(username="member_b", groups=["委员"])
    world.member_b.user = member_b_user
    world.member_b.save(update_fields=["user"])
    for user, status in (
        (member_user, 200),
        (office_staff, 200),
        (leader, 200),
        (other_staff, 404),
        (member_b_user, 404),
    ):
        assert client_for(user).get(url).status_code == status, user.username
    future = reverse("members:record_year", args=[world.member_a.pk, timezone.localdate().year + 1])
    assert client_for(member_user).get(future).status_code == 404


def test_record_shows_adoption_instruction_and_points(world, adopted, member_user):
    page = client_for(member_user).get(reverse("members:record", args=[world.member_a.pk]))
    html = page.content.decode()
    year = timezone.localdate().year
    assert "菜市场占道经营" in html and f"《社情民意》{year}年第12期" in html
    assert "市级采用" in html and "张某某 副市长" in html and "请市城管局牵头研究。" in html
    assert "社情民意市级采用加分" in html  # the bonus row of the points table
    assert "member-record.css" in html and "<style" not in html


def test_record_workbook(world, adopted, office_staff):
    response = client_for(office_staff).get(
        reverse("members:record", args=[world.member_a.pk]), {"export": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["社情民意"].iter_rows(values_only=True))
    assert rows[1][1] == "菜市场占道经营" and rows[1][5] == "市级"
    assert "张某某 副市长" in rows[1][6]
    summary = dict(r[:2] for r in book["概况"].iter_rows(values_only=True) if r and r[0])
    assert summary["社情民意"] == 1 and summary["领导批示"] == 1


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_record_queries_flat(world, member_user, office_staff):
    url = reverse("members:record", args=[world.member_a.pk])
    client = client_for(office_staff)

    def add(start, n):
        for i in range(start, start + n):
            r = sent(office_staff, submitted(member_user, world.member_a, title=f"r{i}"), number=i)
            services.report_adopt(
                actor=office_staff, report=r, level="district", adopted_on=timezone.localdate()
            )
            session = ConsultationFactory(venue=world.venue_a, host=world.member_a)
            AttendanceFactory(consultation=session, member=world.member_a)

    add(1, 2)
    few = _queries(client, url)
    add(3, 10)
    assert _queries(client, url) == few
