"""Mails (issue 5 item 7): who gets which mail, only after the commit, at most once, and nothing
private in them. The test settings use the locmem backend and PORTAL_BASE_URL
https://portal.example.test."""

import datetime
import threading
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone

from consult_portal import roles
from members.models import ShiftStatus
from notifications.delivery import Mail, deliver
from notifications.models import Notification, NotificationKind, NotificationStatus
from notifications.recipients import Recipient
from topics.importers import TopicImporter
from topics.lifecycle import TopicStatus
from topics.models import TopicCategory
from topics.services.topic_actions import topic_comment, topic_merge
from topics.services.transitions import topic_create, topic_transition

from .conftest import client_for
from .factories import (
    AssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    ReferralFactory,
    TopicFactory,
    UserFactory,
    make_area,
    make_staff,
)
from .import_sheets import xlsx
from .test_imports import topic_rows
from .topics.session_helpers import page_data

TODAY = timezone.localdate
BASE = "https://portal.example.test"
RESIDENT_PHONE = "13700001111"  # TopicFactory's resident phone
INTERNAL_NOTE = "内部:楼栋长意见分歧较大"  # TopicFactory's internal note


def with_email(user, email):
    user.email = email
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def people(world, office_staff, other_staff, leader):
    """Staff of district A, of district B, of the city (office) and of subdistrict A; a city
    leader (not office: no mails); staff of district A without an address; member_a's account."""
    from platforms.models import AreaLevel

    with_email(office_staff, "staff_a@example.test")
    with_email(other_staff, "staff_b@example.test")
    with_email(leader, "leader@example.test")
    city_staff = with_email(make_staff(world.city, "staff_city"), "city@example.test")
    sub_staff = with_email(make_staff(world.subdistrict_a, "staff_sub"), "sub@example.test")
    make_staff(world.district_a, "staff_a_no_mail")
    other_sub = make_area("大公桥二街道", AreaLevel.SUBDISTRICT, world.district_b)
    with_email(make_staff(other_sub, "staff_b_sub"), "bsub@example.test")
    member_user = UserFactory(username="member_a", groups=[roles.GROUP_MEMBER])
    with_email(member_user, "member_a@example.test")
    world.member_a.user = member_user
    world.member_a.save(update_fields=["user"])
    member_b_user = UserFactory(username="member_b", groups=[roles.GROUP_MEMBER])
    with_email(member_b_user, "member_b@example.test")
    world.member_b.user = member_b_user
    world.member_b.save(update_fields=["user"])
    return {"city": city_staff, "sub": sub_staff, "member_a": member_user}


def recipients(kind=None):
    return sorted(
        address
        for message in mail.outbox
        if kind is None or kind in message.subject
        for address in message.to
    )


def assert_private_data_absent(message):
    text = message.subject + message.body
    assert RESIDENT_PHONE not in text
    assert INTERNAL_NOTE not in text
    for member_phone in ("13911112222", "13933334444"):
        assert member_phone not in text


# --- topic raised -> office staff whose area contains the topic -------------------------------


def test_resident_raising_an_issue_mails_the_staff_of_that_area_only(
    world, people, django_capture_on_commit_callbacks
):
    category = TopicCategory.objects.get(name="停车难")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/v/xl-001/",
            {
                "text": "楼下车位被占\n每天晚上都停不下",
                "category": category.pk,
                "phone": RESIDENT_PHONE,
                "name": "张女士",
                "consent": "on",
            },
        )
    assert response.status_code == 302  # to the 提交成功 page
    # District A, the city above it and subdistrict A (the venue's community is inside it);
    # not district B's staff, not the leader, not the one without an address.
    assert recipients() == ["city@example.test", "staff_a@example.test", "sub@example.test"]
    message = mail.outbox[0]
    topic = world.venue_a.topics.get(title="楼下车位被占")
    assert message.subject == "【协商平台】新议题待受理:楼下车位被占"
    assert f"{BASE}/topics/{topic.pk}/" in message.body
    assert "桃花岭协商驿站" in message.body and "群众反映" in message.body
    assert "张女士" not in message.body
    assert_private_data_absent(message)
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    records = Notification.objects.filter(kind=NotificationKind.TOPIC_RAISED)
    assert records.count() == 3
    assert {r.status for r in records} == {NotificationStatus.SENT}
    assert all(r.related == {"topic": topic.pk} and r.sent_at for r in records)


def test_district_b_topic_goes_to_district_b_and_city_staff(
    world, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic_create(
            actor=None,
            title="万达路口积水",
            category=TopicCategory.objects.get(name="停车难"),
            source="resident",
            area=world.community_b,
            venue=world.venue_b,
        )
    assert recipients() == ["city@example.test", "staff_b@example.test"]


def test_staff_entering_a_topic_are_not_mailed_about_it(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    category = TopicCategory.objects.get(name="停车难")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_staff).post(
            "/topics/new/",
            {
                "title": "学院街道路灯不亮",
                "category": category.pk,
                "source": "member",
                "area": world.subdistrict_a.pk,
                "priority": 1,
                "raised_on": TODAY().isoformat(),
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert recipients() == ["city@example.test", "sub@example.test"]


def test_new_topics_of_the_session_form_mail_the_staff(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office_staff).post("/topics/consultations/new/", page_data(world))
    assert response.status_code == 302
    assert recipients() == ["city@example.test", "sub@example.test"]
    assert "小区夜间照明不足" in mail.outbox[0].subject


def test_importing_topics_sends_no_mail(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = TopicImporter(area=world.district_a, actor=office_staff).run(
            xlsx(topic_rows()), "议题.xlsx"
        )
    assert result.ok
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_rolled_back_topic_sends_nothing(world, people, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        topic_create(
            actor=None,
            title="不会保存的议题",
            category=TopicCategory.objects.get(name="停车难"),
            source="resident",
            area=world.community_a,
            venue=world.venue_a,
        )
        raise RuntimeError("something later in the same save failed")
    assert callbacks == []
    assert mail.outbox == [] and not Notification.objects.exists()


def test_mail_is_only_sent_after_the_commit(world, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        topic_create(
            actor=None,
            title="等待提交",
            category=TopicCategory.objects.get(name="停车难"),
            source="resident",
            area=world.community_a,
        )
        assert mail.outbox == []
    assert len(callbacks) == 1 and mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 3


# --- topic status change at a venue -> members assigned to that venue -----------------------


def test_status_change_mails_members_of_the_venue_only(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    # A member whose assignment to venue_a has ended, and one without an address: no mail.
    gone = MemberFactory(name="赵前", area=world.district_a)
    gone.user = with_email(UserFactory(username="gone"), "gone@example.test")
    gone.save(update_fields=["user"])
    AssignmentFactory(
        member=gone,
        venue=world.venue_a,
        started_on=TODAY() - datetime.timedelta(days=200),
        ended_on=TODAY() - datetime.timedelta(days=10),
    )
    AssignmentFactory(
        member=MemberFactory(name="无邮箱委员", area=world.district_a), venue=world.venue_a
    )
    with django_capture_on_commit_callbacks(execute=True):
        topic_transition(
            topic=world.topic_a,
            actor=office_staff,
            to=TopicStatus.ACCEPTED,
            note="内部讨论:优先办理",
        )
    assert recipients() == ["member_a@example.test"]
    message = mail.outbox[0]
    assert message.subject == f"【协商平台】议题进展:{world.topic_a.title}(已受理)"
    assert "当前状态:已受理(原为“待受理”)" in message.body
    assert f"{BASE}/topics/{world.topic_a.pk}/" in message.body
    assert "内部讨论" not in message.body
    assert_private_data_absent(message)


def test_a_topic_at_venue_b_does_not_mail_venue_a_members(
    world, people, other_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic_transition(topic=world.topic_b, actor=other_staff, to=TopicStatus.ACCEPTED)
    assert recipients() == ["member_b@example.test"]


def test_comments_are_internal_and_mail_nobody(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic_comment(actor=office_staff, topic=world.topic_a, note="电话联系了楼栋长")
    assert mail.outbox == []


def test_merge_tells_the_duplicates_venue(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    duplicate = TopicFactory(title="电梯重复反映", area=world.community_a, venue=world.venue_a)
    with django_capture_on_commit_callbacks(execute=True):
        topic_merge(actor=office_staff, duplicate=duplicate, survivor=world.topic_a)
    assert recipients() == ["member_a@example.test"]
    assert "已合并" in mail.outbox[0].subject


def test_a_rolled_back_transition_sends_nothing(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        topic_transition(topic=world.topic_a, actor=office_staff, to=TopicStatus.ACCEPTED)
        raise RuntimeError("rolled back")
    assert callbacks == [] and mail.outbox == []


def test_mails_are_chinese_even_when_the_request_was_in_english(
    world, people, office_staff, django_capture_on_commit_callbacks
):
    from django.utils import translation

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        topic_transition(topic=world.topic_a, actor=office_staff, to=TopicStatus.ACCEPTED)
    assert "更新时间:" in mail.outbox[0].body and "年" in mail.outbox[0].body


# --- send_reminders ----------------------------------------------------------------------------


@pytest.fixture
def due(world, people):
    """An overdue unanswered referral in district A, one answered, one on a closed topic; a
    shift tomorrow for member_a, a swapped one, one the day after, and one for member_b (whose
    account has no address)."""
    today = TODAY()
    late = ReferralFactory(
        topic=world.topic_a,
        department=world.department_a,
        referred_on=today - datetime.timedelta(days=40),
        deadline=today - datetime.timedelta(days=3),
    )
    answered_topic = TopicFactory(area=world.community_a, venue=world.venue_a)
    ReferralFactory(
        topic=answered_topic,
        department=world.department_a,
        referred_on=today - datetime.timedelta(days=40),
        deadline=today - datetime.timedelta(days=3),
        replied_on=today - datetime.timedelta(days=1),
    )
    closed = TopicFactory(area=world.community_a, venue=world.venue_a, status=TopicStatus.DECLINED)
    ReferralFactory(
        topic=closed,
        department=world.department_a,
        referred_on=today - datetime.timedelta(days=40),
        deadline=today - datetime.timedelta(days=3),
    )
    tomorrow = today + datetime.timedelta(days=1)
    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a, date=tomorrow, slot="am")
    DutyShiftFactory(
        member=world.member_a,
        venue=world.venue_a,
        date=tomorrow,
        slot="pm",
        status=ShiftStatus.SWAPPED,
    )
    DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=tomorrow + datetime.timedelta(days=1)
    )
    world.member_b.user.email = ""
    world.member_b.user.save(update_fields=["email"])
    DutyShiftFactory(member=world.member_b, venue=world.venue_b, date=tomorrow)
    return {"referral": late, "shift": shift}


def run(*args):
    out = StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_send_reminders_sends_each_reminder_once(world, due):
    output = run()
    assert recipients("交办逾期") == [
        "city@example.test",
        "staff_a@example.test",
        "sub@example.test",
    ]
    assert recipients("值班提醒") == ["member_a@example.test"]
    assert len(mail.outbox) == 4
    referral_mail = next(m for m in mail.outbox if "交办逾期" in m.subject)
    assert referral_mail.subject == f"【协商平台】交办逾期未答复:{world.topic_a.title}"
    assert "西陵区住建局" in referral_mail.body and "已逾期 3 天" in referral_mail.body
    assert f"{BASE}/topics/{world.topic_a.pk}/" in referral_mail.body
    shift_mail = next(m for m in mail.outbox if "值班提醒" in m.subject)
    assert shift_mail.subject == "【协商平台】值班提醒:明天上午在桃花岭协商驿站"
    assert "幸福路1号" in shift_mail.body and f"{BASE}/" in shift_mail.body
    for message in mail.outbox:
        assert_private_data_absent(message)
    assert "交办逾期提醒:已发送 3 封,此前已发送 0 封,失败 0 封,无邮箱跳过 1 人次" in output
    assert "值班提醒:已发送 1 封,此前已发送 0 封,失败 0 封,无邮箱跳过 1 人次" in output
    assert "跳过 值班提醒" in output and "王芳" in output
    assert Notification.objects.get(kind=NotificationKind.SHIFT_REMINDER).dedupe_key == (
        f"shift-reminder:{due['shift'].pk}:{due['shift'].date.isoformat()}:m{world.member_a.pk}"
    )

    again = run()
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4
    assert "交办逾期提醒:已发送 0 封,此前已发送 3 封" in again
    assert "值班提醒:已发送 0 封,此前已发送 1 封" in again


def test_dry_run_sends_and_records_nothing(world, due):
    output = run("--dry-run")
    assert mail.outbox == [] and not Notification.objects.exists()
    assert "试运行" in output and "将发送 值班提醒" in output
    assert "值班提醒:将发送 1 封" in output
    run()
    assert len(mail.outbox) == 4
    assert "值班提醒:将发送 0 封,此前已发送 1 封" in run("--dry-run")


def test_date_option_picks_the_shifts_of_the_day_after(world, due):
    output = run("--date", (TODAY() + datetime.timedelta(days=1)).isoformat())
    assert recipients("值班提醒") == ["member_a@example.test"]
    assert "值班提醒:已发送 1 封" in output
    day_after = (TODAY() + datetime.timedelta(days=2)).strftime("%Y年%-m月%-d日")
    assert day_after in next(m for m in mail.outbox if "值班提醒" in m.subject).body
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--date", "30/11/2026")


def test_a_failed_mail_is_recorded_and_retried_next_run(world, due, monkeypatch):
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with pytest.raises(CommandError, match="4 封邮件发送失败"):
        run()
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {"failed"}
    monkeypatch.setattr(EmailMessage, "send", real_send)
    output = run()
    assert "此前失败的邮件:已重发 4 封" in output
    assert len(mail.outbox) == 4
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    run()
    assert len(mail.outbox) == 4


def test_a_mail_server_down_does_not_break_the_resident_form(
    world, people, monkeypatch, django_capture_on_commit_callbacks
):
    """The callback is robust: in production the error is logged and the row says 发送失败."""
    from django.core.mail import EmailMessage

    monkeypatch.setattr(
        EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(OSError("down"))
    )
    category = TopicCategory.objects.get(name="停车难")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/v/xl-001/", {"text": "小区门口路灯坏了两个月", "category": category.pk}
        )
    assert response.status_code == 302 and "/v/xl-001/done/" in response["Location"]
    assert Notification.objects.filter(status=NotificationStatus.FAILED).count() == 3


# --- the dedupe key ----------------------------------------------------------------------------


def test_the_dedupe_key_is_unique_in_the_database(db):
    Notification.objects.create(
        kind=NotificationKind.SHIFT_REMINDER,
        dedupe_key="k1",
        recipient_email="a@example.test",
        subject="s",
        body="b",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            kind=NotificationKind.SHIFT_REMINDER,
            dedupe_key="k1",
            recipient_email="b@example.test",
            subject="s",
            body="b",
        )


def sample_mail(key="race:1"):
    return Mail(
        kind=NotificationKind.SHIFT_REMINDER,
        key=key,
        recipient=Recipient(user_id=None, email="race@example.test", name="测试"),
        template="notifications/topic_raised",
        context={"topic": {"pk": 1, "title": "t", "area": {"name": "a"}}, "link": BASE},
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_once():
    """Two processes deliver the same mails at the same moment: the INSERT of the key is the
    lock, so each mail goes out once."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; CI runs this test there")
    mails = [sample_mail(f"race:{i}") for i in range(20)]
    barrier = threading.Barrier(2)
    reports = []

    def go():
        try:
            barrier.wait(timeout=10)
            reports.append(deliver(mails))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(len(r.sent) for r in reports) == 20
    assert sum(len(r.already) for r in reports) == 20
    assert len(mail.outbox) == 20
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 20


def test_admin_lists_notifications_to_superusers_only(world, admin_user, office_staff):
    office_staff.is_staff = True
    office_staff.save(update_fields=["is_staff"])
    deliver([sample_mail()])
    url = "/admin/notifications/notification/"
    response = client_for(admin_user).get(url)
    assert response.status_code == 200 and "race@example.test" in response.content.decode()
    assert client_for(office_staff).get(url).status_code == 403


def test_baseline_records_the_overdue_backlog_without_mailing_it(world, due):
    """Switching reminders on where referrals have run late for months: --baseline records
    them as reminded and mails nothing about them; tomorrow's shifts are still sent."""
    output = run("--baseline")
    assert recipients("交办逾期") == []
    assert recipients("值班提醒") == ["member_a@example.test"]
    assert "交办逾期提醒:已记为已提醒(未发送) 3 封" in output
    assert (
        Notification.objects.filter(
            kind=NotificationKind.REFERRAL_OVERDUE, status=NotificationStatus.BASELINE
        ).count()
        == 3
    )
    again = run()
    assert len(mail.outbox) == 1
    assert "交办逾期提醒:已发送 0 封,此前已发送 3 封" in again
    # A referral that runs late after the baseline is mailed as usual.
    ReferralFactory(
        topic=TopicFactory(area=world.community_a, venue=world.venue_a),
        department=world.department_a,
        referred_on=TODAY() - datetime.timedelta(days=10),
        deadline=TODAY() - datetime.timedelta(days=1),
    )
    run()
    assert len(recipients("交办逾期")) == 3
