"""Self-reported duties (委员自报) and the office's review (issue 5, item 3: "members or staff
record duties"). A member's report counts only once the office of the member's own committee
has confirmed it; a returned one comes back with the reason; everything is on the record."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards.bits import check_bits
from members.duty_services import duty_review
from members.models import Duty, DutyStatus
from members.points import member_points
from notifications.models import Notification
from tests.conftest import client_for
from tests.factories import DutyFactory, MemberFactory, UserFactory

REPORT_URL = "members:my_duty_add"
QUEUE_URL = "members:duty_review"


def _today() -> datetime.date:
    return timezone.localdate()


def _report(client, **changes):
    data = {
        "kind": "proposal",
        "date": _today().isoformat(),
        "title": "关于老旧小区加装电梯的提案",
        "venue": "",
        "outcome": "filed",
        "note": "已提交区政协提案委",
    }
    return client.post(reverse(REPORT_URL), data | changes)


def _points(member):
    return member_points([member], _today().year)[member.pk].by_kind()


@pytest.fixture
def staff_with_mail(office_staff):
    office_staff.email = "staff_a@example.org"
    office_staff.save(update_fields=["email"])
    return office_staff


@pytest.fixture
def member_with_mail(member_user):
    member_user.email = "liming@example.org"
    member_user.save(update_fields=["email"])
    return member_user


def test_member_reports_and_office_confirms_then_it_counts(
    world, member_with_mail, staff_with_mail, django_capture_on_commit_callbacks
):
    member_client = client_for(member_with_mail)
    form = member_client.get(reverse(REPORT_URL)).content.decode()
    assert "填报履职" in form and "提交审核" in form
    assert world.venue_a.name in form  # the member's own venue is offered
    assert world.venue_b.name not in form

    response = _report(member_client, venue=str(world.venue_a.pk))
    assert response.status_code == 302 and response.url == reverse("members:my_duties")
    duty = Duty.objects.get(member=world.member_a, title="关于老旧小区加装电梯的提案")
    assert (duty.status, duty.self_reported, duty.venue) == ("submitted", True, world.venue_a)
    # Not counted before the office has seen it.
    assert _points(world.member_a)["proposal"].count == 0
    home = member_client.get(reverse("home")).content.decode()
    assert "待审核 1 条" in home
    listing = member_client.get(reverse("members:my_duties")).content.decode()
    assert "关于老旧小区加装电梯的提案" in listing and "待审核" in listing

    staff = client_for(staff_with_mail)
    assert "待审核" in staff.get(reverse("home")).content.decode()
    queue = staff.get(reverse(QUEUE_URL)).content.decode()
    assert "关于老旧小区加装电梯的提案" in queue and world.member_a.name in queue

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse(QUEUE_URL), {"duty": duty.pk, "action": "approve"})
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE
    assert (duty.reviewed_by, duty.review_note) == (staff_with_mail, "")
    # Hand-computed with the default rules: proposal 10 + filed bonus 5.
    points = _points(world.member_a)
    assert (points["proposal"].points, points["proposal_filed"].points) == (10, 5)
    # The dashboards' 五个一 bitmaps followed the confirmation.
    assert check_bits() == []
    # The member is told, once.
    assert [m.to for m in mail.outbox] == [["liming@example.org"]]
    assert "已认定" in mail.outbox[0].subject
    assert Notification.objects.filter(kind="duty_reviewed").count() == 1
    # Confirmed: the member can no longer change it.
    response = member_client.get(reverse("members:my_duty_edit", args=[duty.pk]))
    assert response.status_code == 302
    assert "不能再修改" in member_client.get(response.url).content.decode()


def test_return_needs_a_reason_next_to_the_row_and_keeps_nothing_lost(
    world, member_user, office_staff
):
    duty = DutyFactory(
        member=world.member_a,
        title="社区调研",
        kind="research",
        status="submitted",
        self_reported=True,
    )
    other = DutyFactory(
        member=world.member_a,
        title="实事一件",
        kind="deed",
        status="submitted",
        self_reported=True,
    )
    staff = client_for(office_staff)
    response = staff.post(
        reverse(QUEUE_URL), {"duty": duty.pk, "action": "return", f"d{duty.pk}-review_note": "  "}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "退回时请写明原因" in page
    assert f'id="id_d{duty.pk}-review_note-error"' in page  # next to that row's field
    # The browser lands on that field, wherever the row is on a phone's long page.
    assert page.count("autofocus") == 1
    assert "实事一件" in page  # the other rows are still there
    duty.refresh_from_db()
    other.refresh_from_db()
    assert duty.status == other.status == DutyStatus.SUBMITTED

    response = staff.post(
        reverse(QUEUE_URL),
        {
            "duty": duty.pk,
            "action": "return",
            f"d{duty.pk}-review_note": "请补充调研报告的日期和地点",
        },
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.status == DutyStatus.RETURNED
    assert duty.review_note == "请补充调研报告的日期和地点"

    # The member sees why, corrects it, and it goes back to the office.
    member_client = client_for(member_user)
    listing = member_client.get(reverse("members:my_duties")).content.decode()
    assert "请补充调研报告的日期和地点" in listing and "被退回 1 条" in listing
    edit_url = reverse("members:my_duty_edit", args=[duty.pk])
    assert "请补充调研报告的日期和地点" in member_client.get(edit_url).content.decode()
    response = member_client.post(
        edit_url,
        {
            "kind": "research",
            "date": _today().isoformat(),
            "title": "社区养老调研(3月5日,桃花岭社区)",
            "venue": "",
            "outcome": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.status == DutyStatus.SUBMITTED
    assert (duty.title, duty.review_note, duty.reviewed_by) == (
        "社区养老调研(3月5日,桃花岭社区)",
        "",
        None,
    )
    # Every step is a version: created, returned, corrected.
    assert duty.history.count() == 3


def test_bad_input_is_refused_in_chinese_and_keeps_what_was_typed(world, member_user):
    client = client_for(member_user)
    tomorrow = _today() + datetime.timedelta(days=1)
    response = _report(client, date=tomorrow.isoformat(), title="明天的调研")
    assert response.status_code == 200
    page = response.content.decode()
    assert "履职日期不能晚于今天" in page and 'value="明天的调研"' in page

    response = _report(client, kind="research", outcome="filed", title="调研带了立案结果")
    page = response.content.decode()
    assert "调研没有结果可选" in page and 'value="调研带了立案结果"' in page

    # Attendance and duty days come from the records: not offered, refused if forged.
    response = _report(client, kind="duty_day", outcome="")
    assert "选择一个有效的选项" in response.content.decode()
    response = _report(client, venue=str(world.venue_b.pk))  # not the member's venue
    assert "选择一个有效的选项" in response.content.decode()
    assert not Duty.objects.filter(member=world.member_a).exists()


def test_member_withdraws_own_report_but_not_a_confirmed_one(world, member_user):
    client = client_for(member_user)
    report = DutyFactory(member=world.member_a, status="submitted", self_reported=True)
    done = DutyFactory(member=world.member_a, status="done", title="办公室登记的")
    assert client.post(reverse("members:my_duty_withdraw", args=[report.pk])).status_code == 302
    assert not Duty.objects.filter(pk=report.pk).exists()

    client.post(reverse("members:my_duty_withdraw", args=[done.pk]))
    assert Duty.objects.filter(pk=done.pk, status="done").exists()
    response = client.post(
        reverse("members:my_duty_edit", args=[done.pk]),
        {"kind": "proposal", "date": _today().isoformat(), "title": "改掉", "venue": ""},
    )
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.title == "办公室登记的"


def test_nobody_else_reaches_a_report(world, member_user, other_staff, leader):
    report = DutyFactory(member=world.member_a, status="submitted", self_reported=True)
    theirs = DutyFactory(member=world.member_b, status="submitted", self_reported=True)
    client = client_for(member_user)
    for name in ("members:my_duty_edit", "members:my_duty_withdraw"):
        assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    # Staff of another district: 404, nothing written.
    response = client_for(other_staff).post(
        reverse(QUEUE_URL), {"duty": report.pk, "action": "approve"}
    )
    assert response.status_code == 404
    # Leaders and members do not review.
    for user in (leader, member_user):
        response = client_for(user).post(
            reverse(QUEUE_URL), {"duty": report.pk, "action": "approve"}
        )
        assert response.status_code == 403
    report.refresh_from_db()
    theirs.refresh_from_db()
    assert report.status == theirs.status == DutyStatus.SUBMITTED
    # The other district's queue does not list it.
    queue = client_for(other_staff).get(reverse(QUEUE_URL)).content.decode()
    assert report.title not in queue and theirs.title in queue
    assert f'value="{report.pk}"' not in queue and f'value="{theirs.pk}"' in queue


def test_a_report_reviewed_twice_is_refused_the_second_time(world, office_staff, admin_user):
    report = DutyFactory(member=world.member_a, status="submitted", self_reported=True)
    first = client_for(office_staff).post(
        reverse(QUEUE_URL), {"duty": report.pk, "action": "approve"}
    )
    assert first.status_code == 302
    second = client_for(admin_user).post(
        reverse(QUEUE_URL),
        {"duty": report.pk, "action": "return", f"d{report.pk}-review_note": "不对"},
        follow=True,
    )
    assert "可能已被他人处理" in second.content.decode()
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (DutyStatus.DONE, office_staff)


def test_each_review_mails_once_even_after_a_resubmission(
    world, member_with_mail, office_staff, django_capture_on_commit_callbacks
):
    report = DutyFactory(member=world.member_a, status="submitted", self_reported=True)
    with django_capture_on_commit_callbacks(execute=True):
        duty_review(actor=office_staff, duty=report, approve=False, note="请写明提案编号")
    report.status = DutyStatus.SUBMITTED
    report.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        duty_review(actor=office_staff, duty=report, approve=True)
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 2 and "被退回" in subjects[0] and "已认定" in subjects[1]
    assert "请写明提案编号" in mail.outbox[0].body


def test_staff_confirm_by_editing_records_the_reviewer(world, office_staff):
    report = DutyFactory(
        member=world.member_a, status="submitted", self_reported=True, kind="opinion"
    )
    url = reverse("members:duty_edit", args=[report.pk]) + "?next=" + reverse(QUEUE_URL)
    form = client_for(office_staff).get(url).content.decode()
    assert 'value="submitted"' not in form  # staff choose among 计划中 / 已完成 / 已取消
    response = client_for(office_staff).post(
        url,
        {
            "kind": "opinion",
            "date": f"{report.date}",
            "title": report.title,
            "status": "done",
            "outcome": "adopted_city",
            "note": "",
        },
    )
    assert response.status_code == 302 and response.url == reverse(QUEUE_URL)
    report.refresh_from_db()
    assert (report.status, report.outcome, report.reviewed_by) == (
        "done",
        "adopted_city",
        office_staff,
    )


def _pending(member, n):
    for i in range(n):
        DutyFactory(member=member, status="submitted", self_reported=True, title=f"自报{i}")


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queue_and_my_duties_take_the_same_queries_for_2_and_20_rows(
    world, member_user, office_staff
):
    staff = client_for(office_staff)
    member = client_for(member_user)
    _pending(world.member_a, 2)
    others = [MemberFactory(area=world.district_a, name=f"委员{i}") for i in range(2)]
    for m in others:
        _pending(m, 1)
    few = (_queries(staff, reverse(QUEUE_URL)), _queries(member, reverse("members:my_duties")))
    _pending(world.member_a, 18)
    for i in range(18):
        _pending(MemberFactory(area=world.district_a, name=f"新委员{i}"), 1)
    many = (_queries(staff, reverse(QUEUE_URL)), _queries(member, reverse("members:my_duties")))
    assert few == many


def test_inactive_member_cannot_report(world, member_user):
    world.member_a.is_active = False
    world.member_a.save(update_fields=["is_active"])
    assert client_for(member_user).get(reverse(REPORT_URL)).status_code == 403


def test_a_member_account_without_a_member_file_gets_403(db):
    from consult_portal import roles

    user = UserFactory(username="orphan", groups=[roles.GROUP_MEMBER])
    assert client_for(user).get(reverse("members:my_duties")).status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_reviewing_at_once_one_wins(world, office_staff, admin_user):
    """Two staff confirm and return the same report at the same moment: the row lock lets one
    through and the other is told; the record holds exactly one review."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; CI runs this test there")
    report = DutyFactory(member=world.member_a, status="submitted", self_reported=True)
    barrier = threading.Barrier(2)
    outcomes = []

    def go(actor, approve):
        try:
            barrier.wait(timeout=10)
            duty_review(actor=actor, duty=report, approve=approve, note="" if approve else "不对")
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=go, args=(office_staff, True)),
        threading.Thread(target=go, args=(admin_user, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[0] == "ok" and "已被他人处理" in sorted(outcomes)[1]
    report.refresh_from_db()
    reviews = report.history.exclude(status="submitted").count()
    assert report.status in ("done", "returned") and reviews == 1


def _edit_form_as_sent(client, duty) -> dict:
    """The staff edit form's fields as the browser would post them unchanged."""
    html = client.get(reverse("members:duty_edit", args=[duty.pk])).content.decode()
    selected = re.search(r'name="status"[^>]*>.*?<option value="(\w+)"[^>]*selected', html, re.S)
    version = re.search(r'name="version" value="(\w+)"', html)
    return {
        "kind": duty.kind,
        "date": f"{duty.date}",
        "title": duty.title,
        "status": selected.group(1) if selected else "",
        "outcome": duty.outcome,
        "note": duty.note,
        "version": version.group(1) if version else "",
    }


def test_editing_a_report_preselects_done_and_refuses_other_statuses(world, office_staff):
    """修改后认定 opens with 已完成 chosen; 计划中 / 已取消 would strand the report (out of the
    queue, not the member's to fix), so they are refused with the way to return it."""
    report = DutyFactory(member=world.member_a, status="returned", self_reported=True)
    report.review_note = "旧的退回原因"
    report.save(update_fields=["review_note"])
    client = client_for(office_staff)
    data = _edit_form_as_sent(client, report)
    assert data["status"] == "done" and data["version"]

    response = client.post(
        reverse("members:duty_edit", args=[report.pk]), data | {"status": "planned"}
    )
    assert response.status_code == 200
    assert "不予认定请在履职审核页退回" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "returned"

    response = client.post(reverse("members:duty_edit", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.reviewed_by, report.review_note) == ("done", office_staff, "")


def test_a_change_the_member_made_meanwhile_is_not_confirmed_unseen(
    world, member_user, office_staff
):
    report = DutyFactory(
        member=world.member_a, kind="opinion", status="submitted", self_reported=True
    )
    staff = client_for(office_staff)
    queue = staff.get(reverse(QUEUE_URL)).content.decode()
    seen = re.search(r'name="version" value="(\w+)"', queue).group(1)
    edit_form = _edit_form_as_sent(staff, report)
    # The member raises the claimed adoption level after staff opened the pages.
    client_for(member_user).post(
        reverse("members:my_duty_edit", args=[report.pk]),
        {
            "kind": "opinion",
            "date": f"{report.date}",
            "title": report.title,
            "venue": "",
            "outcome": "adopted_national",
            "note": "",
        },
    )
    response = staff.post(
        reverse(QUEUE_URL), {"duty": report.pk, "action": "approve", "version": seen}, follow=True
    )
    assert "委员刚刚修改了这条履职记录" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"

    response = staff.post(reverse("members:duty_edit", args=[report.pk]), edit_form)
    html = response.content.decode()
    assert response.status_code == 200 and "委员修改后的内容" in html and "全国采用" in html
    report.refresh_from_db()
    assert (report.status, report.outcome) == ("submitted", "adopted_national")
    # Saving again, having seen it, confirms what staff typed.
    fresh = re.search(r'name="version" value="(\w+)"', html).group(1)
    response = staff.post(
        reverse("members:duty_edit", args=[report.pk]), edit_form | {"version": fresh}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.outcome) == ("done", "")


def test_a_double_tap_files_one_report(world, member_user):
    client = client_for(member_user)
    assert _report(client).status_code == 302
    response = _report(client)
    assert response.status_code == 200
    assert "正在等待审核,无需重复提交" in response.content.decode()
    assert Duty.objects.filter(member=world.member_a).count() == 1


def test_reports_reach_back_one_year_at_most(world, member_user):
    client = client_for(member_user)
    year = _today().year
    response = _report(client, date=datetime.date(year - 2, 12, 31).isoformat())
    assert "只能填报今年和去年的履职" in response.content.decode()
    assert _report(client, date=datetime.date(year - 1, 1, 1).isoformat()).status_code == 302


def test_the_confirmation_mail_names_the_duty_year(
    world, member_with_mail, office_staff, django_capture_on_commit_callbacks
):
    last_year = datetime.date(_today().year - 1, 12, 30)
    report = DutyFactory(
        member=world.member_a, status="submitted", self_reported=True, date=last_year
    )
    with django_capture_on_commit_callbacks(execute=True):
        duty_review(actor=office_staff, duty=report, approve=True)
    assert f"计入{last_year.year}年的履职积分" in mail.outbox[0].body
