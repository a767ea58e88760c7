"""The referral sub-flow (issue 14): a unit's 签收, 退回, 申请延期 and 答复 (A/B/C with
attachments), the office's review, the mails to the office, what a unit's account sees, and two
accounts signing at once on PostgreSQL."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, NotificationKind
from topics.lifecycle import TopicStatus
from topics.models import (
    EventKind,
    ExtensionDecision,
    Referral,
    ReferralAttachment,
    ReferralExtension,
    Topic,
    TopicEvent,
)
from topics.services.referrals import (
    extension_decide,
    referral_reply,
    referral_request_extension,
    referral_return,
    referral_sign,
    topic_review_continue,
    topic_review_return,
)
from topics.services.topic_actions import topic_refer, topic_resolve
from topics.services.transitions import TransitionError

from ..conftest import client_for
from ..factories import DepartmentFactory, make_unit_user

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def flow(world, office_staff):
    """topic_a referred to the city's 住建局 (主办) and district A's 住建局 (协办); one login
    for each unit, a second login of the city unit, and district B's unit with a login."""
    city_unit = DepartmentFactory(name="宜昌市住房和城乡建设局", area=world.city)
    Topic.objects.filter(pk=world.topic_a.pk).update(status=TopicStatus.ACCEPTED)
    topic = Topic.objects.get(pk=world.topic_a.pk)
    topic_refer(
        actor=office_staff,
        topic=topic,
        lead=city_unit,
        assisting=[world.department_a],
        workdays_count=10,
    )
    other = DepartmentFactory(name="伍家岗区住建局", area=world.district_b)
    mail.outbox.clear()

    class Flow:
        pass

    f = Flow()
    f.topic = topic
    f.lead = Referral.objects.get(topic=topic, department=city_unit)
    f.assist = Referral.objects.get(topic=topic, department=world.department_a)
    f.unit_zjj = make_unit_user(city_unit, "unit_zjj")
    f.unit_zjj2 = make_unit_user(city_unit, "unit_zjj2")
    f.unit_xl = make_unit_user(world.department_a, "unit_xl")
    f.unit_other = make_unit_user(other, "unit_wjg")
    return f


def status(topic):
    topic.refresh_from_db()
    return topic.status


def test_lead_sign_starts_handling_and_the_office_is_mailed_once(
    world, flow, office_staff, django_capture_on_commit_callbacks
):
    office_staff.email = "staff_a@example.cn"
    office_staff.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        event = referral_sign(actor=flow.unit_zjj, referral=flow.lead)
    assert status(flow.topic) == TopicStatus.IN_PROGRESS
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        EventKind.SIGN,
        TopicStatus.REFERRED,
        TopicStatus.IN_PROGRESS,
        flow.unit_zjj,
    )
    flow.lead.refresh_from_db()
    assert flow.lead.signed_on == TODAY()
    assert [m.to for m in mail.outbox] == [["staff_a@example.cn"]]
    assert "签收" in mail.outbox[0].subject
    assert Notification.objects.filter(kind=NotificationKind.UNIT_ACTED).count() == 1


def test_assisting_sign_records_without_a_move(flow):
    referral_sign(actor=flow.unit_xl, referral=flow.assist)
    assert status(flow.topic) == TopicStatus.REFERRED
    assert TopicEvent.objects.filter(topic=flow.topic, kind=EventKind.SIGN).count() == 1


def test_sign_twice_is_refused_in_chinese(flow):
    referral_sign(actor=flow.unit_zjj, referral=flow.lead)
    with pytest.raises(ValidationError, match="不能重复签收"):
        referral_sign(actor=flow.unit_zjj2, referral=flow.lead)


def test_sign_of_a_returned_referral_is_refused_and_nothing_stored(flow):
    referral_return(actor=flow.unit_zjj, referral=flow.lead, reason="不属于本单位职责")
    before = TopicEvent.objects.count()
    with pytest.raises(ValidationError, match=r"已于.*退回,不能签收"):
        referral_sign(actor=flow.unit_zjj2, referral=flow.lead)
    flow.lead.refresh_from_db()
    assert flow.lead.signed_on is None and TopicEvent.objects.count() == before


def test_sign_of_a_returned_referral_on_the_page_says_why(flow):
    referral_return(actor=flow.unit_zjj, referral=flow.lead, reason="不属于本单位职责")
    response = client_for(flow.unit_zjj2).post(reverse("topics:unit_sign", args=[flow.lead.pk]))
    assert response.status_code == 400
    assert "退回,不能签收" in response.content.decode()


def test_a_unit_acts_only_on_its_own_referrals(flow):
    with pytest.raises(PermissionDenied):
        referral_sign(actor=flow.unit_xl, referral=flow.lead)
    with pytest.raises(PermissionDenied):
        referral_sign(actor=flow.unit_other, referral=flow.lead)


def test_return_then_the_office_refers_again(world, flow, office_staff):
    with pytest.raises(ValidationError):
        referral_return(actor=flow.unit_zjj, referral=flow.lead, reason="  ")
    referral_return(actor=flow.unit_zjj, referral=flow.lead, reason="属区级事权")
    flow.lead.refresh_from_db()
    assert flow.lead.returned_on == TODAY() and flow.lead.return_reason == "属区级事权"
    assert status(flow.topic) == TopicStatus.REFERRED
    # No unanswered lead: the returned referral is not overdue and not due.
    new_lead = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    event = topic_refer(actor=office_staff, topic=flow.topic, lead=new_lead)
    assert event.note.startswith("再次交办")
    assert Referral.objects.filter(topic=flow.topic, returned_on__isnull=True).count() == 2


def test_return_after_signing_is_refused(flow):
    referral_sign(actor=flow.unit_zjj, referral=flow.lead)
    with pytest.raises(ValidationError, match="签收后不能退回"):
        referral_return(actor=flow.unit_zjj, referral=flow.lead, reason="太难")


def test_extension_granted_moves_the_deadline_and_keeps_the_first(flow, office_staff):
    first = flow.lead.deadline
    ext = referral_request_extension(
        actor=flow.unit_zjj, referral=flow.lead, reason="需招标", new_deadline=first + 30 * DAY
    )
    with pytest.raises(ValidationError, match="已有一项延期申请等待审核"):
        referral_request_extension(
            actor=flow.unit_zjj, referral=flow.lead, reason="再延", new_deadline=first + 40 * DAY
        )
    with pytest.raises(PermissionDenied):
        extension_decide(actor=flow.unit_zjj, extension=ext, grant=True)
    extension_decide(actor=office_staff, extension=ext, grant=True)
    flow.lead.refresh_from_db()
    assert (flow.lead.deadline, flow.lead.original_deadline) == (first + 30 * DAY, first)
    ext.refresh_from_db()
    assert (ext.decision, ext.old_deadline, ext.new_deadline) == (
        ExtensionDecision.GRANTED,
        first,
        first + 30 * DAY,
    )


def test_extension_refused_needs_a_reason_and_moves_nothing(flow, office_staff):
    first = flow.lead.deadline
    ext = referral_request_extension(
        actor=flow.unit_zjj, referral=flow.lead, reason="需招标", new_deadline=first + 30 * DAY
    )
    with pytest.raises(ValidationError):
        extension_decide(actor=office_staff, extension=ext, grant=False)
    extension_decide(actor=office_staff, extension=ext, grant=False, note="请按期办理")
    flow.lead.refresh_from_db()
    assert flow.lead.deadline == first and flow.lead.original_deadline is None


def test_extension_beyond_a_year_is_refused_on_the_page_and_nothing_stored(flow):
    far = TODAY() + 400 * DAY
    response = client_for(flow.unit_zjj).post(
        reverse("topics:unit_extension", args=[flow.lead.pk]),
        {"new_deadline": far.isoformat(), "reason": "工程量大"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "延期不能超过一年" in body and "工程量大" in body
    assert not ReferralExtension.objects.exists()


def test_lead_reply_moves_to_replied_with_class_and_attachment(flow, office_staff):
    referral_sign(actor=flow.unit_zjj, referral=flow.lead)
    response = client_for(flow.unit_zjj).post(
        reverse("topics:unit_reply", args=[flow.lead.pk]),
        {
            "reply_class": "B",
            "reply": "已列入明年改造计划",
            "attachments": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    assert status(flow.topic) == TopicStatus.REPLIED
    flow.lead.refresh_from_db()
    assert (flow.lead.reply_class, flow.lead.replied_on) == ("B", TODAY())
    attachment = ReferralAttachment.objects.get()
    assert attachment.original_name == "现场.png"
    # The unit and the office download it; another unit gets 404.
    url = reverse("topics:reply_attachment", args=[attachment.pk])
    assert client_for(flow.unit_zjj).get(url).status_code == 200
    assert client_for(office_staff).get(url).status_code == 200
    assert client_for(flow.unit_xl).get(url).status_code == 404


def test_reply_without_a_class_is_refused_and_nothing_stored(flow):
    referral_sign(actor=flow.unit_zjj, referral=flow.lead)
    response = client_for(flow.unit_zjj).post(
        reverse("topics:unit_reply", args=[flow.lead.pk]), {"reply": "已处理"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择答复类别" in body and "已处理" in body
    flow.lead.refresh_from_db()
    assert flow.lead.replied_on is None and status(flow.topic) == TopicStatus.IN_PROGRESS
    with pytest.raises(ValidationError, match="请选择答复类别"):
        referral_reply(actor=flow.unit_zjj, referral=flow.lead, reply_class="", reply="已处理")


def test_staff_enter_a_reply_for_a_unit_without_a_login(flow, office_staff):
    """Not yet signed: the reply signs it (交办 → 办理中) and answers it (→ 已答复)."""
    referral_reply(actor=office_staff, referral=flow.lead, reply_class="A", reply="已修复")
    assert status(flow.topic) == TopicStatus.REPLIED
    kinds = list(
        TopicEvent.objects.filter(topic=flow.topic).order_by("pk").values_list("kind", "to_status")
    )
    assert kinds[-2:] == [
        (EventKind.SIGN, TopicStatus.IN_PROGRESS),
        (EventKind.REPLY, TopicStatus.REPLIED),
    ]


def test_review_continue_b_with_a_planned_date_then_a_then_close(flow, office_staff):
    referral_sign(actor=flow.unit_zjj, referral=flow.lead)
    referral_reply(actor=flow.unit_zjj, referral=flow.lead, reply_class="B", reply="列入计划")
    planned = TODAY() + 60 * DAY
    with pytest.raises(ValidationError):
        topic_review_continue(actor=office_staff, topic=flow.topic, planned_on=None)
    topic_review_continue(actor=office_staff, topic=flow.topic, planned_on=planned)
    assert status(flow.topic) == TopicStatus.IN_PROGRESS
    flow.lead.refresh_from_db()
    assert (flow.lead.planned_on, flow.lead.deadline, flow.lead.replied_on) == (
        planned,
        planned,
        None,
    )
    referral_reply(actor=flow.unit_zjj, referral=flow.lead, reply_class="A", reply="已完工")
    assert status(flow.topic) == TopicStatus.REPLIED
    topic_resolve(actor=office_staff, topic=flow.topic, summary="电梯已加装")
    assert status(flow.topic) == TopicStatus.RESOLVED


def test_continue_only_for_b_and_redo_with_a_reason(flow, office_staff):
    referral_reply(actor=flow.unit_zjj, referral=flow.lead, reply_class="A", reply="已解决")
    with pytest.raises(ValidationError, match="只有 B 类答复"):
        topic_review_continue(actor=office_staff, topic=flow.topic, planned_on=TODAY() + DAY)
    with pytest.raises(ValidationError):
        topic_review_return(actor=office_staff, topic=flow.topic, reason="")
    event = topic_review_return(actor=office_staff, topic=flow.topic, reason="答复不具体")
    assert (event.from_status, event.to_status) == (TopicStatus.REPLIED, TopicStatus.IN_PROGRESS)
    flow.lead.refresh_from_db()
    assert flow.lead.replied_on is None and flow.lead.reply_class == ""


def test_review_is_the_offices_not_the_units(flow):
    referral_reply(actor=flow.unit_zjj, referral=flow.lead, reply_class="B", reply="列入计划")
    with pytest.raises(PermissionDenied):
        topic_review_return(actor=flow.unit_zjj, topic=flow.topic, reason="x")


# --- what a unit's account sees ---------------------------------------------------------------


def test_unit_sees_only_its_referrals(world, flow):
    assert list(Topic.objects.visible_to(flow.unit_zjj)) == [flow.topic]
    assert list(Referral.objects.visible_to(flow.unit_zjj)) == [flow.lead]
    assert not Topic.objects.visible_to(flow.unit_other).exists()
    client = client_for(flow.unit_zjj)
    assert client.get(reverse("home")).url == reverse("topics:unit_home")
    home = client.get(reverse("topics:unit_home"))
    assert [r.pk for r in home.context["referrals"]] == [flow.lead.pk]
    assert client.get(reverse("topics:unit_referral", args=[flow.lead.pk])).status_code == 200
    # The other unit's referral of the same topic, and another unit's page: 404.
    assert client.get(reverse("topics:unit_referral", args=[flow.assist.pk])).status_code == 404
    other = client_for(flow.unit_other)
    assert other.get(reverse("topics:unit_referral", args=[flow.lead.pk])).status_code == 404
    assert other.post(reverse("topics:unit_sign", args=[flow.lead.pk])).status_code == 404
    flow.lead.refresh_from_db()
    assert flow.lead.signed_on is None


def test_staff_pages_are_closed_to_a_unit(world, flow):
    client = client_for(flow.unit_zjj)
    assert client.get(reverse("topics:list")).status_code == 403
    assert client.get(reverse("topics:detail", args=[flow.topic.pk])).status_code == 403
    assert client.get(reverse("platforms:venue_list")).status_code == 403


def test_unit_pages_query_counts_do_not_grow(world, office_staff, django_assert_max_num_queries):
    """2 and 20 referrals: the same number of queries for the list and for a referral page."""
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    unit = DepartmentFactory(name="宜昌市燃气集团", area=world.city)
    user = make_unit_user(unit, "unit_gas")
    client = client_for(user)

    def counts(n):
        existing = Referral.objects.filter(department=unit).count()
        for i in range(existing, n):
            topic = Topic.objects.create(
                title=f"燃气{i}", category=world.topic_a.category, area=world.community_a
            )
            Topic.objects.filter(pk=topic.pk).update(status=TopicStatus.ACCEPTED)
            topic_refer(actor=office_staff, topic=topic, lead=unit)
        first = Referral.objects.filter(department=unit).first()
        client.get(reverse("topics:unit_home"))  # warm the session
        with CaptureQueriesContext(conn) as home:
            assert client.get(reverse("topics:unit_home")).status_code == 200
        with CaptureQueriesContext(conn) as page:
            url = reverse("topics:unit_referral", args=[first.pk])
            assert client.get(url).status_code == 200
        return len(home), len(page)

    two, twenty = counts(2), counts(20)
    assert two == twenty
    assert two[0] <= 9 and two[1] <= 9, two


# --- two accounts of a unit sign at once ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_accounts_sign_at_once_one_wins(world, office_staff):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this test there")
    unit = DepartmentFactory(name="宜昌市住房和城乡建设局", area=world.city)
    Topic.objects.filter(pk=world.topic_a.pk).update(status=TopicStatus.ACCEPTED)
    topic_refer(actor=office_staff, topic=Topic.objects.get(pk=world.topic_a.pk), lead=unit)
    referral_id = Referral.objects.get(department=unit).pk
    users = [make_unit_user(unit, "unit_a1"), make_unit_user(unit, "unit_a2")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user) -> None:
        try:
            referral = Referral.objects.get(pk=referral_id)
            barrier.wait(timeout=10)
            referral_sign(actor=user, referral=referral)
            outcomes.append("ok")
        except (ValidationError, TransitionError) as error:
            assert "不能重复签收" in " ".join(error.messages)
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert TopicEvent.objects.filter(topic_id=world.topic_a.pk, kind=EventKind.SIGN).count() == 1
    assert Topic.objects.get(pk=world.topic_a.pk).status == TopicStatus.IN_PROGRESS
