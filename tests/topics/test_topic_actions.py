"""Topic page services: refer, reply, resolve, rate, merge, comment — outcomes, refusals,
permissions, the events written, and two staff resolving at once on PostgreSQL."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from topics.lifecycle import TopicStatus
from topics.models import EventKind, Referral, Topic, TopicEvent
from topics.services.topic_actions import (
    referral_record_reply,
    topic_add_assisting,
    topic_comment,
    topic_merge,
    topic_rate,
    topic_refer,
    topic_resolve,
)
from topics.services.transitions import TransitionError

from ..factories import DepartmentFactory, ReferralFactory, TopicFactory

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def set_status(topic, status, **fields):
    Topic.objects.filter(pk=topic.pk).update(status=status, **fields)
    topic.refresh_from_db()
    return topic


def events(topic):
    return list(TopicEvent.objects.filter(topic=topic).order_by("pk"))


# --- refer -----------------------------------------------------------------------------------


@override_settings(TOPIC_REFERRAL_DEFAULT_DAYS=15)
def test_refer_to_lead_and_assisting_with_default_deadline(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    helper = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    other = DepartmentFactory(name="学院街道办", area=world.subdistrict_a)

    event = topic_refer(
        actor=office_staff,
        topic=topic,
        lead=world.department_a,
        assisting=[helper, other],
        note="请尽快核实",
        expected_from=TopicStatus.ACCEPTED,
    )

    topic.refresh_from_db()
    assert topic.status == TopicStatus.REFERRED
    rows = {r.department.name: r for r in Referral.objects.filter(topic=topic)}
    assert set(rows) == {"西陵区住建局", "西陵区城管局", "学院街道办"}
    assert rows["西陵区住建局"].role == "lead"
    assert rows["西陵区城管局"].role == rows["学院街道办"].role == "assist"
    assert {r.deadline for r in rows.values()} == {TODAY() + 15 * DAY}
    assert events(topic) == [event]
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        EventKind.REFERRAL,
        TopicStatus.ACCEPTED,
        TopicStatus.REFERRED,
        office_staff,
    )
    assert "主办:西陵区住建局" in event.note and "请尽快核实" in event.note


def test_refer_with_explicit_deadline_from_agreed(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.AGREED)
    topic_refer(
        actor=office_staff, topic=topic, lead=world.department_a, deadline=TODAY() + 7 * DAY
    )
    assert Referral.objects.get(topic=topic).deadline == TODAY() + 7 * DAY


def test_refer_refused_from_raised_in_chinese(world, office_staff):
    with pytest.raises(TransitionError) as excinfo:
        topic_refer(actor=office_staff, topic=world.topic_a, lead=world.department_a)
    assert "议题当前为“待受理”,不能交办" in " ".join(excinfo.value.messages)
    assert not Referral.objects.exists() and not TopicEvent.objects.exists()


def test_refer_refuses_a_department_out_of_scope(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    foreign = DepartmentFactory(name="伍家岗区住建局", area=world.district_b)
    with pytest.raises(ValidationError) as excinfo:
        topic_refer(actor=office_staff, topic=topic, lead=foreign)
    assert "lead" in excinfo.value.error_dict
    topic.refresh_from_db()
    assert topic.status == TopicStatus.ACCEPTED and not Referral.objects.exists()


def test_refer_refuses_the_lead_as_assisting_too(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        topic_refer(
            actor=office_staff, topic=topic, lead=world.department_a, assisting=[world.department_a]
        )
    assert "assisting" in excinfo.value.error_dict
    assert not Referral.objects.exists()


def test_refer_refuses_a_past_deadline(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        topic_refer(
            actor=office_staff, topic=topic, lead=world.department_a, deadline=TODAY() - DAY
        )
    assert "deadline" in excinfo.value.error_dict
    assert not TopicEvent.objects.exists()


def test_stale_refer_is_refused(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    with pytest.raises(TransitionError, match="已被他人更新为“已受理”"):
        topic_refer(
            actor=office_staff,
            topic=topic,
            lead=world.department_a,
            expected_from=TopicStatus.AGREED,
        )


@pytest.mark.parametrize("who", ["leader", "district_leader", "member_user", "other_staff"])
def test_only_office_staff_of_the_area_refer(world, request, who):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    with pytest.raises(PermissionDenied):
        topic_refer(actor=request.getfixturevalue(who), topic=topic, lead=world.department_a)
    assert not Referral.objects.exists()


# --- reply -----------------------------------------------------------------------------------


def referred(world, actor, *extra):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    topic_refer(actor=actor, topic=topic, lead=world.department_a, assisting=list(extra))
    return topic


def test_an_assisting_reply_signs_and_the_lead_reply_ends_the_work(world, office_staff):
    helper = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    topic = referred(world, office_staff, helper)
    lead = Referral.objects.get(topic=topic, role="lead")

    # An assisting department's reply while the topic is 已交办: the 签收 (已交办 → 办理中).
    first = referral_record_reply(
        actor=office_staff, referral=Referral.objects.get(department=helper), reply="配合施工"
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.IN_PROGRESS
    assert (first.kind, first.from_status, first.to_status) == (EventKind.REPLY, "", "")

    # The lead's reply is the 答复: 办理中 → 已答复.
    event = referral_record_reply(
        actor=office_staff, referral=lead, reply="已列入年度改造计划", replied_on=TODAY()
    )
    topic.refresh_from_db()
    lead.refresh_from_db()
    assert topic.status == TopicStatus.REPLIED
    assert (lead.reply, lead.replied_on) == ("已列入年度改造计划", TODAY())
    assert (event.kind, event.from_status, event.to_status) == (
        EventKind.REPLY,
        TopicStatus.IN_PROGRESS,
        TopicStatus.REPLIED,
    )
    assert "西陵区住建局" in event.note
    # 交办, 签收 (with the assisting reply's event), 答复.
    moves = [(e.from_status, e.to_status) for e in events(topic) if e.to_status]
    assert moves == [
        (TopicStatus.ACCEPTED, TopicStatus.REFERRED),
        (TopicStatus.REFERRED, TopicStatus.IN_PROGRESS),
        (TopicStatus.IN_PROGRESS, TopicStatus.REPLIED),
    ]


def test_a_lead_reply_on_a_referred_topic_records_the_sign_then_the_reply(world, office_staff):
    topic = referred(world, office_staff)
    referral_record_reply(
        actor=office_staff, referral=Referral.objects.get(topic=topic), reply="已修复"
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REPLIED
    moves = [(e.from_status, e.to_status) for e in events(topic) if e.to_status]
    assert moves[-2:] == [
        (TopicStatus.REFERRED, TopicStatus.IN_PROGRESS),
        (TopicStatus.IN_PROGRESS, TopicStatus.REPLIED),
    ]


def test_after_continue_the_lead_replies_again_below_the_first_reply(world, office_staff):
    from topics.services import topic_transition

    topic = referred(world, office_staff)
    referral = Referral.objects.get(topic=topic)
    referral_record_reply(
        actor=office_staff, referral=referral, reply="已列入计划", replied_on=TODAY()
    )
    topic.refresh_from_db()
    topic_transition(
        topic=topic, actor=office_staff, to=TopicStatus.IN_PROGRESS, move="continue", note="B类"
    )
    referral_record_reply(actor=office_staff, referral=referral, reply="已完工")
    topic.refresh_from_db()
    referral.refresh_from_db()
    assert topic.status == TopicStatus.REPLIED
    assert referral.reply.startswith("已列入计划") and "已完工" in referral.reply
    assert referral.replied_on == TODAY()


def test_reply_is_recorded_once(world, office_staff):
    topic = referred(world, office_staff)
    referral = Referral.objects.get(topic=topic)
    referral_record_reply(actor=office_staff, referral=referral, reply="已答复")
    with pytest.raises(ValidationError, match="不能重复记录"):
        referral_record_reply(actor=office_staff, referral=referral, reply="再答复")
    # The reply recorded the 签收 and the 答复, nothing more.
    assert TopicEvent.objects.filter(kind=EventKind.REPLY).count() == 2


@pytest.mark.parametrize(
    ("offset", "field"), [(1, "replied_on"), (-40, "replied_on")], ids=["future", "early"]
)
def test_reply_dates_are_checked(world, office_staff, offset, field):
    topic = referred(world, office_staff)
    referral = Referral.objects.get(topic=topic)
    Referral.objects.filter(pk=referral.pk).update(referred_on=TODAY() - 5 * DAY)
    referral.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        referral_record_reply(
            actor=office_staff, referral=referral, reply="x", replied_on=TODAY() + offset * DAY
        )
    assert field in excinfo.value.error_dict
    referral.refresh_from_db()
    assert referral.replied_on is None


def test_reply_needs_text(world, office_staff):
    topic = referred(world, office_staff)
    with pytest.raises(ValidationError) as excinfo:
        referral_record_reply(
            actor=office_staff, referral=Referral.objects.get(topic=topic), reply="  "
        )
    assert "reply" in excinfo.value.error_dict


def test_reply_refused_once_resolved(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.RESOLVED, resolved_on=TODAY())
    referral = ReferralFactory(topic=topic, department=world.department_a)
    with pytest.raises(TransitionError, match="不能记录部门答复"):
        referral_record_reply(actor=office_staff, referral=referral, reply="迟到的答复")


def test_reply_permission(world, leader):
    topic = set_status(world.topic_a, TopicStatus.REFERRED)
    referral = ReferralFactory(topic=topic, department=world.department_a)
    with pytest.raises(PermissionDenied):
        referral_record_reply(actor=leader, referral=referral, reply="答复")
    referral.refresh_from_db()
    assert referral.replied_on is None


# --- resolve ---------------------------------------------------------------------------------


def test_resolve_sets_public_summary_and_private_note(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.REPLIED, raised_on=TODAY() - 10 * DAY)
    event = topic_resolve(
        actor=office_staff,
        topic=topic,
        summary="电梯已完成加装并通过验收",
        internal_note="补贴资金由街道垫付",
        resolved_on=TODAY() - DAY,
        expected_from=TopicStatus.REPLIED,
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RESOLVED
    assert topic.resolved_on == TODAY() - DAY
    assert topic.resolution_summary == "电梯已完成加装并通过验收"
    assert "补贴资金由街道垫付" in topic.internal_notes
    assert "内部:楼栋长意见分歧较大" in topic.internal_notes  # earlier notes kept
    assert events(topic) == [event]
    assert event.to_status == TopicStatus.RESOLVED
    assert "补贴资金" not in event.note  # the timeline is readable by members


def test_resolve_refused_before_the_reply(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.IN_PROGRESS)
    with pytest.raises(TransitionError, match="议题当前为“办理中”,不能办结"):
        topic_resolve(actor=office_staff, topic=topic, summary="已解决")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.IN_PROGRESS and topic.resolution_summary == ""


def test_resolve_refuses_future_date_and_empty_summary(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.REPLIED)
    with pytest.raises(ValidationError) as excinfo:
        topic_resolve(actor=office_staff, topic=topic, summary="好", resolved_on=TODAY() + DAY)
    assert "resolved_on" in excinfo.value.error_dict
    with pytest.raises(ValidationError) as excinfo:
        topic_resolve(actor=office_staff, topic=topic, summary=" ")
    assert "summary" in excinfo.value.error_dict
    assert not TopicEvent.objects.exists()


def test_second_resolve_is_refused(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.REPLIED)
    stale = Topic.objects.get(pk=topic.pk)
    topic_resolve(actor=office_staff, topic=topic, summary="已解决")
    with pytest.raises(TransitionError, match="已被他人更新为“已办结”"):
        topic_resolve(
            actor=office_staff,
            topic=stale,
            summary="我也解决了",
            expected_from=TopicStatus.REPLIED,
        )
    assert TopicEvent.objects.filter(topic=topic).count() == 1
    topic.refresh_from_db()
    assert topic.resolution_summary == "已解决"


# --- rate ------------------------------------------------------------------------------------


def test_rate_a_resolved_topic(world, office_staff):
    topic = set_status(
        world.topic_a,
        TopicStatus.RESOLVED,
        raised_on=TODAY() - 9 * DAY,
        resolved_on=TODAY() - 3 * DAY,
    )
    event = topic_rate(
        actor=office_staff, topic=topic, rating="basically", rated_on=TODAY(), note="电话回访"
    )
    topic.refresh_from_db()
    assert (topic.status, topic.rating, topic.rated_on) == (
        TopicStatus.RATED,
        "basically",
        TODAY(),
    )
    assert event.kind == EventKind.RATING and "基本满意" in event.note


@pytest.mark.parametrize("status", [TopicStatus.IN_PROGRESS, TopicStatus.RATED])
def test_rate_only_when_resolved(world, office_staff, status):
    topic = set_status(world.topic_a, status)
    with pytest.raises(TransitionError, match="仅办结后可评价"):
        topic_rate(actor=office_staff, topic=topic, rating="satisfied")
    assert not TopicEvent.objects.exists()


def test_rate_refuses_unknown_rating_and_date_before_resolution(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.RESOLVED, resolved_on=TODAY())
    with pytest.raises(ValidationError) as excinfo:
        topic_rate(actor=office_staff, topic=topic, rating="great")
    assert "rating" in excinfo.value.error_dict
    with pytest.raises(ValidationError) as excinfo:
        topic_rate(actor=office_staff, topic=topic, rating="satisfied", rated_on=TODAY() - DAY)
    assert "rated_on" in excinfo.value.error_dict
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RESOLVED and topic.rating == ""


# --- merge -----------------------------------------------------------------------------------


def test_merge_duplicate_into_survivor(world, office_staff):
    survivor = TopicFactory(title="桃花岭电梯(主)", area=world.community_a)
    duplicate = set_status(world.topic_a, TopicStatus.ACCEPTED)
    TopicEvent.objects.create(topic=duplicate, kind=EventKind.COMMENT, note="早先的记录")
    ReferralFactory(topic=duplicate, department=world.department_a)
    world.session_a.topics.add(duplicate)

    event = topic_merge(
        actor=office_staff, duplicate=duplicate, survivor=survivor, note="同一楼栋重复反映"
    )

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (TopicStatus.MERGED, survivor)
    assert (event.kind, event.from_status, event.to_status) == (
        EventKind.MERGE,
        TopicStatus.ACCEPTED,
        TopicStatus.MERGED,
    )
    # Events and links stay where they were written.
    assert [e.kind for e in events(duplicate)] == [EventKind.COMMENT, EventKind.MERGE]
    assert duplicate.referrals.count() == 1 and duplicate.consultations.count() == 1
    survivor_events = events(survivor)
    assert [e.kind for e in survivor_events] == [EventKind.MERGE]
    assert f"#{duplicate.pk}" in survivor_events[0].note


def test_merge_refusals(world, office_staff):
    survivor = TopicFactory(area=world.community_a)
    with pytest.raises(ValidationError, match="不能把议题合并到它自己"):
        topic_merge(actor=office_staff, duplicate=survivor, survivor=survivor)
    closed = set_status(TopicFactory(area=world.community_a), TopicStatus.RESOLVED)
    with pytest.raises(TransitionError, match="不能合并"):
        topic_merge(actor=office_staff, duplicate=closed, survivor=survivor)
    merged = set_status(
        TopicFactory(area=world.community_a), TopicStatus.MERGED, merged_into=survivor
    )
    with pytest.raises(ValidationError, match="已合并至其他议题"):
        topic_merge(actor=office_staff, duplicate=world.topic_a, survivor=merged)
    assert not TopicEvent.objects.filter(kind=EventKind.MERGE).exists()


def test_merge_into_another_district_is_refused(world, office_staff):
    with pytest.raises(PermissionDenied):
        topic_merge(actor=office_staff, duplicate=world.topic_a, survivor=world.topic_b)
    world.topic_a.refresh_from_db()
    assert world.topic_a.status == TopicStatus.RAISED


# --- comment ---------------------------------------------------------------------------------


def test_comment_writes_an_event_without_a_move(world, office_staff):
    event = topic_comment(actor=office_staff, topic=world.topic_a, note="已电话联系反映人")
    assert (event.kind, event.from_status, event.to_status) == (EventKind.COMMENT, "", "")
    world.topic_a.refresh_from_db()
    assert world.topic_a.status == TopicStatus.RAISED


def test_comment_needs_text_and_permission(world, office_staff, member_user):
    with pytest.raises(ValidationError):
        topic_comment(actor=office_staff, topic=world.topic_a, note="")
    with pytest.raises(PermissionDenied):
        topic_comment(actor=member_user, topic=world.topic_a, note="委员留言")
    assert not TopicEvent.objects.exists()


# --- overdue ---------------------------------------------------------------------------------


def test_overdue_counts_topic_deadline_and_unanswered_referrals(world):
    today = TODAY()
    late_deadline = TopicFactory(
        area=world.community_a, raised_on=today - 20 * DAY, deadline=today - DAY
    )
    late_referral = set_status(
        TopicFactory(area=world.community_a, raised_on=today - 20 * DAY), TopicStatus.REFERRED
    )
    ReferralFactory(
        topic=late_referral,
        department=world.department_a,
        referred_on=today - 10 * DAY,
        deadline=today - DAY,
    )
    answered = set_status(
        TopicFactory(area=world.community_a, raised_on=today - 20 * DAY), TopicStatus.IN_PROGRESS
    )
    ReferralFactory(
        topic=answered,
        department=world.department_a,
        referred_on=today - 10 * DAY,
        deadline=today - DAY,
        replied_on=today - 2 * DAY,
    )
    closed = set_status(
        TopicFactory(area=world.community_a, raised_on=today - 20 * DAY, deadline=today - DAY),
        TopicStatus.RESOLVED,
        resolved_on=today,
    )
    on_time = TopicFactory(area=world.community_a, deadline=today)

    found = set(Topic.objects.overdue(today).values_list("pk", flat=True))

    assert found == {late_deadline.pk, late_referral.pk}
    assert not {answered.pk, closed.pk, on_time.pk} & found
    # The property agrees with the queryset when the rows carry the referral annotation.
    flagged = {t.pk for t in Topic.objects.with_late_referral(today) if t.is_overdue}
    assert flagged == found
    assert Topic.objects.get(pk=late_deadline.pk).is_overdue


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_resolve_at_once_one_succeeds(world, office_staff):
    """Both see 已答复 and press 办结 together: one resolves, the other gets a message."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this test there")
    topic_id = set_status(world.topic_a, TopicStatus.REPLIED).pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(summary: str) -> None:
        try:
            topic = Topic.objects.select_related("area").get(pk=topic_id)
            barrier.wait(timeout=10)
            topic_resolve(
                actor=office_staff,
                topic=topic,
                summary=summary,
                expected_from=TopicStatus.REPLIED,
            )
            outcomes.append("ok")
        except TransitionError as error:
            assert "已被他人更新为“已办结”" in " ".join(error.messages)
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(s,)) for s in ("甲办结", "乙办结")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert TopicEvent.objects.filter(topic_id=topic_id).count() == 1
    topic = Topic.objects.get(pk=topic_id)
    assert topic.status == TopicStatus.RESOLVED
    assert topic.resolution_summary in ("甲办结", "乙办结")


# --- add assisting departments ----------------------------------------------------------------


def test_add_assisting_departments_after_referral(world, office_staff):
    topic = referred(world, office_staff)
    helper = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    street = DepartmentFactory(name="学院街道办", area=world.subdistrict_a)
    before = len(events(topic))

    event = topic_add_assisting(
        actor=office_staff, topic=topic, departments=[street, helper], note="涉及占道"
    )

    topic.refresh_from_db()
    assert topic.status == TopicStatus.REFERRED  # no move
    assert set(
        topic.referrals.filter(role="assist").values_list("department__name", flat=True)
    ) == {
        "西陵区城管局",
        "学院街道办",
    }
    assert len(events(topic)) == before + 1
    assert event.kind == EventKind.REFERRAL and not event.to_status
    assert event.note.startswith("追加协办:学院街道办、西陵区城管局;办理期限:")
    assert event.note.endswith("涉及占道")


def test_add_assisting_refusals(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    helper = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    with pytest.raises(TransitionError):  # not referred yet: 交办 first
        topic_add_assisting(actor=office_staff, topic=topic, departments=[helper])
    topic = referred(world, office_staff)
    foreign = DepartmentFactory(name="伍家岗区住建局", area=world.district_b)
    for departments, field in (
        ([], "departments"),
        ([world.department_a], "departments"),  # already the lead
        ([foreign], "departments"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            topic_add_assisting(actor=office_staff, topic=topic, departments=departments)
        assert field in excinfo.value.error_dict
    with pytest.raises(ValidationError) as excinfo:
        topic_add_assisting(
            actor=office_staff, topic=topic, departments=[helper], deadline=TODAY() - DAY
        )
    assert "deadline" in excinfo.value.error_dict
    assert topic.referrals.count() == 1
