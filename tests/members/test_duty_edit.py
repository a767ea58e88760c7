"""Duties edited and deleted by staff, with history; the member file shows this year's points
(issue 5, item 3)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from members.models import Duty
from members.points import member_points
from tests.conftest import client_for
from tests.factories import DutyFactory


def _this_year(month=3, day=1) -> datetime.date:
    return datetime.date(timezone.localdate().year, month, day)


def _form(duty, **changes) -> dict:
    data = {
        "kind": duty.kind,
        "date": f"{duty.date}",
        "title": duty.title,
        "status": duty.status,
        "outcome": duty.outcome,
        "note": duty.note,
    }
    return data | changes


def test_staff_edit_duty_recomputes_points_and_keeps_history(world, office_staff):
    duty = DutyFactory(member=world.member_a, kind="proposal", date=_this_year(), title="旧标题")
    year = duty.date.year
    assert member_points([world.member_a], year)[world.member_a.pk].by_kind()[
        "proposal_filed"
    ].points == (0)
    client = client_for(office_staff)
    url = reverse("members:duty_edit", args=[duty.pk])
    page = client.get(url).content.decode()
    assert "修改履职" in page and 'value="旧标题"' in page

    response = client.post(url, _form(duty, title="新标题", outcome="filed"))
    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.title, duty.outcome) == ("新标题", "filed")
    latest = duty.history.first()
    assert latest.history_user == office_staff and latest.history_type == "~"
    assert duty.history.last().title == "旧标题"
    # Hand-computed with the default rules: proposal 10 + filed bonus 5.
    points = member_points([world.member_a], year)[world.member_a.pk].by_kind()
    assert (points["proposal"].points, points["proposal_filed"].points) == (10, 5)


def test_edit_with_wrong_outcome_keeps_input_and_says_why(world, office_staff):
    duty = DutyFactory(member=world.member_a, kind="research", date=_this_year(), title="调研")
    url = reverse("members:duty_edit", args=[duty.pk])
    response = client_for(office_staff).post(url, _form(duty, title="改了的标题", outcome="filed"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "调研没有结果可选,请留空。" in html and 'value="改了的标题"' in html
    duty.refresh_from_db()
    assert duty.title == "调研"


def test_delete_needs_confirmation_and_points_drop(world, office_staff):
    duty = DutyFactory(member=world.member_a, kind="deed", date=_this_year(), title="修路灯")
    year = duty.date.year
    assert member_points([world.member_a], year)[world.member_a.pk].by_kind()["deed"].points == 5
    client = client_for(office_staff)
    url = reverse("members:duty_delete", args=[duty.pk])
    page = client.get(url).content.decode()
    assert "确认删除" in page and "修路灯" in page
    assert Duty.objects.filter(pk=duty.pk).exists()  # GET deletes nothing

    response = client.post(url)
    assert response.status_code == 302
    assert not Duty.objects.filter(pk=duty.pk).exists()
    assert Duty.history.filter(id=duty.pk, history_type="-").get().history_user == office_staff
    assert member_points([world.member_a], year)[world.member_a.pk].by_kind()["deed"].points == 0
    detail = client.get(reverse("members:detail", args=[world.member_a.pk])).content.decode()
    assert "删除" in detail and "履职 实事 修路灯" in detail  # the change history keeps it


def test_other_district_404_members_and_leaders_403(
    world, other_staff, member_user, leader, office_staff
):
    duty = DutyFactory(member=world.member_a, date=_this_year())
    for name in ("members:duty_edit", "members:duty_delete"):
        url = reverse(name, args=[duty.pk])
        assert client_for(other_staff).post(url, _form(duty)).status_code == 404
        assert client_for(member_user).post(url, _form(duty)).status_code == 403
        assert client_for(leader).post(url, _form(duty)).status_code == 403
    assert Duty.objects.filter(pk=duty.pk).exists()


def test_member_file_shows_points_with_breakdown(world, office_staff, member_user):
    DutyFactory(member=world.member_a, kind="proposal", date=_this_year(), outcome="filed")
    DutyFactory(member=world.member_a, kind="opinion", date=_this_year(4))
    DutyFactory(member=world.member_a, kind="opinion", date=_this_year(5), status="planned")
    # Hand-computed, default rules: proposal 10 + filed 5 + opinion 5 = 20, plus the world's
    # one session attended (2) if it falls in this year.
    expected = member_points([world.member_a], _this_year().year)[world.member_a.pk]
    attendance = 2 if world.session_a.held_at.year == _this_year().year else 0
    assert expected.total == 20 + attendance
    edit_url = reverse("members:duty_edit", args=[world.member_a.duties.first().pk])
    for user, may_edit in ((office_staff, True), (member_user, False)):
        html = (
            client_for(user)
            .get(reverse("members:detail", args=[world.member_a.pk]))
            .content.decode()
        )
        assert f"{expected.total} 分 · {expected.band}" in html
        assert "提案立案加分" in html and "报送社情民意" in html
        assert (edit_url in html) is may_edit


def test_a_done_duty_cannot_be_dated_in_the_future(world, office_staff):
    """Staff typing next year's date on a 已完成 duty get a message next to the date; a future
    duty is 计划中."""
    client = client_for(office_staff)
    future = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "kind": "proposal",
        "date": future.isoformat(),
        "title": "明年的提案",
        "status": "done",
        "outcome": "",
        "note": "",
    }
    url = reverse("members:duty_add", args=[world.member_a.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已完成的履职日期不能晚于今天" in html and 'value="明年的提案"' in html
    assert not Duty.objects.filter(title="明年的提案").exists()
    assert client.post(url, data | {"status": "planned"}).status_code == 302
    assert Duty.objects.filter(title="明年的提案", status="planned").exists()
