"""社情民意 pages: who sees and does what (members their own, staff their area, others 404/403),
bad input kept with its message, and the list's query count flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proposals.models import PublicOpinionReport, ReportStatus
from tests.conftest import client_for
from tests.factories import MemberFactory, UserFactory

from .helpers import sent, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world, member_user):
    return submitted(member_user, world.member_a)


@pytest.fixture
def member_b_user(world):
    user = UserFactory(username="member_b", groups=["委员"])
    world.member_b.user = user
    world.member_b.save(update_fields=["user"])
    return user


def test_detail_permission_matrix(
    client, report, member_user, member_b_user, office_staff, other_staff, leader, admin_user
):
    url = reverse("proposals:report_detail", args=[report.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    expected = {
        member_user: 200,  # its author
        member_b_user: 404,  # another member
        office_staff: 200,  # the district's office
        other_staff: 404,  # another district's office
        leader: 200,  # the city's leadership
        admin_user: 200,
    }
    for user, status in expected.items():
        response = client_for(user).get(url)
        assert response.status_code == status, user.username
        if status == 200:
            assert ("编入《社情民意》" in response.content.decode()) == (
                user in (office_staff, admin_user)
            ), user.username


def test_post_permission_matrix(client, report, member_user, other_staff, leader, office_staff):
    url = reverse("proposals:report_detail", args=[report.pk])
    data = {"action": "issue", "issue_year": 2026, "issue_number": 12}
    assert client_for(member_user).post(url, data).status_code == 403
    assert client_for(leader).post(url, data).status_code == 403
    assert client_for(other_staff).post(url, data).status_code == 404
    report.refresh_from_db()
    assert report.issue_number is None
    assert client_for(office_staff).post(url, data).status_code == 302
    report.refresh_from_db()
    assert (report.issue_number, report.status) == (12, ReportStatus.EDITED)


def test_list_pages_by_role(client, report, member_user, office_staff, other_staff, leader):
    url = reverse("proposals:report_list")
    assert client_for(member_user).get(url).status_code == 403
    assert report.title in client_for(office_staff).get(url).content.decode()
    assert report.title in client_for(leader).get(url).content.decode()
    assert report.title not in client_for(other_staff).get(url).content.decode()
    mine = reverse("proposals:my_reports")
    assert client_for(office_staff).get(mine).status_code == 403
    assert report.title in client_for(member_user).get(mine).content.decode()


def test_member_submits_from_the_form(world, member_user):
    colleague = MemberFactory(name="周洁", area=world.district_a)
    client = client_for(member_user)
    url = reverse("proposals:my_report_submit")
    page = client.get(url).content.decode()
    assert "周洁" in page and "王芳" not in page  # only the same committee can co-sign
    response = client.post(
        url,
        {"title": "老旧小区电动车充电难", "body": "建议增设充电桩。", "cosigners": [colleague.pk]},
    )
    assert response.status_code == 302
    report = PublicOpinionReport.objects.get()
    assert list(report.authors.values_list("member__name", flat=True)) == ["李明", "周洁"]


def test_member_form_keeps_input_and_says_what_is_missing(member_user):
    response = client_for(member_user).post(
        reverse("proposals:my_report_submit"), {"title": "只写了标题", "body": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "只写了标题" in page and "这个字段是必填项" in page
    assert not PublicOpinionReport.objects.exists()


def test_reused_issue_number_shown_next_to_the_field(world, member_user, office_staff):
    year = timezone.localdate().year
    sent(office_staff, submitted(member_user, world.member_a, title="先编的"), number=12)
    second = submitted(member_user, world.member_a, title="后来的")
    response = client_for(office_staff).post(
        reverse("proposals:report_detail", args=[second.pk]),
        {"action": "issue", "issue_year": year, "issue_number": 12},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f"{year}年第12期已编发《先编的》,请换一个期号。" in page
    assert 'name="issue_number" value="12"' in page


def test_instruction_before_sending_shown_next_to_the_field(world, member_user, office_staff):
    report = sent(office_staff, submitted(member_user, world.member_a), number=1)
    response = client_for(office_staff).post(
        reverse("proposals:report_detail", args=[report.pk]),
        {
            "action": "instruction",
            "leader": "张某某 副市长",
            "level": "city",
            "given_on": "2000-01-01",
            "text": "请研究。",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "批示日期不能早于报送日期" in page and "张某某 副市长" in page


def _list_queries(user) -> int:
    client = client_for(user)
    url = reverse("proposals:report_list")
    client.get(url)  # session, scope and caches warm
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_query_count_is_flat(world, member_user, office_staff):
    today = timezone.localdate()
    from proposals import services

    def add(n, start):
        for i in range(n):
            r = sent(
                office_staff,
                submitted(member_user, world.member_a, title=f"r{start + i}"),
                number=start + i,
            )
            services.report_adopt(actor=office_staff, report=r, level="city", adopted_on=today)

    add(2, 1)
    few = _list_queries(office_staff)
    add(18, 3)
    assert _list_queries(office_staff) == few
    assert few <= 12
