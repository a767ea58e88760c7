"""The moves of practice (issue 14): 受理 / 不予受理 with 分流, 现场解决 / 协商解决, 列入协商 on an
agenda, 回访 records and 重新办理, 跟踪问效 records, 提级, and staff editing a topic."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from topics.lifecycle import TopicStatus
from topics.models import (
    ConsultationTopic,
    EventKind,
    ResolutionKind,
    Topic,
    TopicEvent,
    TopicFollowUp,
    TopicVisit,
)
from topics.services.practice import (
    topic_accept,
    topic_consult,
    topic_decline,
    topic_edit,
    topic_elevate,
    topic_follow_up,
    topic_reopen,
    topic_visit,
)
from topics.services.topic_actions import topic_resolve
from topics.services.transitions import TransitionError

from ..conftest import client_for
from ..factories import ConsultationFactory, TopicFactory, make_staff

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
S = TopicStatus


def set_status(topic, status, **fields):
    Topic.objects.filter(pk=topic.pk).update(status=status, **fields)
    topic.refresh_from_db()
    return topic


# --- 受理 / 不予受理 ---------------------------------------------------------------------------


def test_accept_keeps_the_reason(world, office_staff):
    topic = world.topic_a
    event = topic_accept(
        actor=office_staff, topic=topic, reason="属于协商范围", expected_from=S.RAISED
    )
    topic.refresh_from_db()
    assert (topic.status, topic.decision_reason) == (S.ACCEPTED, "属于协商范围")
    assert (event.from_status, event.to_status, event.note) == (
        S.RAISED,
        S.ACCEPTED,
        "属于协商范围",
    )


def test_decline_with_a_redirect_is_stored_shown_and_tracked(world, office_staff, client):
    topic = world.topic_a
    topic_decline(
        actor=office_staff,
        topic=topic,
        reason="属于劳动争议",
        channel="judicial",
        channel_note="已告知劳动仲裁委地址",
    )
    topic.refresh_from_db()
    assert topic.status == S.DECLINED
    assert (topic.decision_reason, topic.redirect_channel, topic.redirect_note) == (
        "属于劳动争议",
        "judicial",
        "已告知劳动仲裁委地址",
    )
    event = TopicEvent.objects.get(topic=topic)
    assert "已引导至:司法途径(已告知劳动仲裁委地址)" in event.note
    html = client_for(office_staff).get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert "不予受理原因" in html and "司法途径(已告知劳动仲裁委地址)" in html
    tracker = client.get(reverse("public:track", args=[topic.tracking_code])).content.decode()
    assert "司法途径" in tracker and "属于劳动争议" in tracker


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"reason": "不属于", "channel": "other"}, "channel_note"),
        ({"reason": "不属于", "channel_note": "某处"}, "channel"),
        ({"reason": "不属于", "channel": "mars"}, "channel"),
    ],
)
def test_decline_refuses_bad_input_and_stores_nothing(world, office_staff, data, field):
    with pytest.raises(ValidationError) as excinfo:
        topic_decline(actor=office_staff, topic=world.topic_a, **data)
    assert field in excinfo.value.error_dict
    world.topic_a.refresh_from_db()
    assert world.topic_a.status == S.RAISED and world.topic_a.decision_reason == ""
    assert not TopicEvent.objects.exists()


def test_decline_through_the_page_keeps_what_was_typed_on_error(world, office_staff):
    response = client_for(office_staff).post(
        reverse("topics:decline", args=[world.topic_a.pk]),
        {"from": "raised", "reason": "重复反映的问题", "channel": "other", "channel_note": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "分流到其他渠道时,请写明是哪个渠道" in html and "重复反映的问题" in html
    page = client_for(office_staff).get(reverse("topics:detail", args=[world.topic_a.pk]))
    assert 'data-confirm="确定要“不予受理”吗' in page.content.decode()


# --- 现场解决 / 协商解决 / 交办办结 -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (S.ACCEPTED, ResolutionKind.ON_SPOT),
        (S.AGREED, ResolutionKind.AGREEMENT),
        (S.REPLIED, ResolutionKind.REFERRAL),
    ],
)
def test_resolve_records_how_the_topic_was_solved(world, office_staff, status, kind):
    topic = set_status(world.topic_a, status)
    topic_resolve(actor=office_staff, topic=topic, summary="当场协调物业修好了路灯")
    topic.refresh_from_db()
    assert (topic.status, topic.resolution_kind) == (S.RESOLVED, kind)
    assert topic.resolution_summary == "当场协调物业修好了路灯"


def test_the_page_names_the_resolve_move_of_the_state(world, office_staff):
    client = client_for(office_staff)
    for status, label in [(S.ACCEPTED, "现场解决"), (S.AGREED, "协商解决"), (S.REPLIED, "办结")]:
        set_status(world.topic_a, status)
        html = client.get(reverse("topics:detail", args=[world.topic_a.pk])).content.decode()
        section = html[html.index('id="resolve"') :]
        assert f'<h2 class="h5">{label}</h2>' in section[:200], status


# --- 列入协商 ------------------------------------------------------------------------------------


def test_consult_puts_the_topic_on_a_sessions_agenda(world, office_staff):
    topic = set_status(world.topic_a, S.ACCEPTED)
    upcoming = ConsultationFactory(
        venue=world.venue_a, held_at=timezone.now() + 5 * DAY, title="五月议事会"
    )
    event = topic_consult(actor=office_staff, topic=topic, session=upcoming)
    topic.refresh_from_db()
    assert topic.status == S.CONSULTING and event.kind == EventKind.AGENDA
    assert ConsultationTopic.objects.filter(topic=topic, consultation=upcoming).exists()
    # A second session without a move; the same one twice is refused.
    topic_consult(actor=office_staff, topic=topic, session=world.session_a)
    assert topic.consultation_links.count() == 2
    with pytest.raises(ValidationError, match="已在这次协商活动的议程中"):
        topic_consult(actor=office_staff, topic=topic, session=upcoming)
    assert TopicEvent.objects.filter(topic=topic, kind=EventKind.AGENDA).count() == 2


def test_consult_without_a_session_marks_it_for_the_next_one(world, office_staff):
    topic = set_status(world.topic_a, S.ACCEPTED)
    event = topic_consult(actor=office_staff, topic=topic)
    topic.refresh_from_db()
    assert topic.status == S.CONSULTING and "列入下次协商活动" in event.note
    assert not topic.consultation_links.exists()


def test_consult_refuses_a_session_of_another_district(world, office_staff):
    topic = set_status(world.topic_a, S.ACCEPTED)
    foreign = ConsultationFactory(venue=world.venue_b)
    with pytest.raises(ValidationError, match="只能选择本辖区"):
        topic_consult(actor=office_staff, topic=topic, session=foreign)
    topic.refresh_from_db()
    assert topic.status == S.ACCEPTED and not ConsultationTopic.objects.filter(topic=topic).exists()


def test_topic_list_tells_problems_from_agenda_topics(world, office_staff):
    on_agenda = TopicFactory(title="议程上的议题", area=world.community_a)
    world.session_a.topics.add(on_agenda)
    TopicFactory(title="只是群众问题", area=world.community_a)
    client = client_for(office_staff)
    agenda = client.get(reverse("topics:list"), {"kind": "agenda"}).content.decode()
    problems = client.get(reverse("topics:list"), {"kind": "problem"}).content.decode()
    assert "议程上的议题" in agenda and "只是群众问题" not in agenda
    assert "只是群众问题" in problems and "议程上的议题" not in problems


# --- 回访, 重新办理 ----------------------------------------------------------------------------


def test_visits_are_records_and_unsatisfied_offers_reopen(world, office_staff):
    topic = set_status(
        world.topic_a, S.RESOLVED, raised_on=TODAY() - 9 * DAY, resolved_on=TODAY() - 3 * DAY
    )
    topic_visit(
        actor=office_staff,
        topic=topic,
        rating="unsatisfied",
        method="visit",
        visitor="王芳",
        visited_on=TODAY() - DAY,
        note="电梯仍有异响",
    )
    topic.refresh_from_db()
    assert (topic.status, topic.rating, topic.rated_on) == (S.RATED, "unsatisfied", TODAY() - DAY)
    html = client_for(office_staff).get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert reverse("topics:reopen", args=[topic.pk]) in html and "王芳" in html

    event = topic_reopen(actor=office_staff, topic=topic, reason="群众不满意,重新交办")
    topic.refresh_from_db()
    assert topic.status == S.REFERRED
    assert (event.kind, event.from_status, event.to_status) == (
        EventKind.REOPEN,
        S.RATED,
        S.REFERRED,
    )
    assert TopicEvent.objects.filter(kind=EventKind.REOPEN).count() == 1

    # Solved again, visited again: two 回访 records, the topic keeps the latest rating.
    set_status(topic, S.RESOLVED, resolved_on=TODAY())
    topic_visit(actor=office_staff, topic=topic, rating="satisfied", method="call")
    topic.refresh_from_db()
    assert topic.rating == "satisfied"
    assert list(TopicVisit.objects.filter(topic=topic).values_list("rating", flat=True)) == [
        "unsatisfied",
        "satisfied",
    ]


def test_reopen_is_refused_after_a_satisfied_visit(world, office_staff):
    topic = set_status(world.topic_a, S.RESOLVED, resolved_on=TODAY())
    topic_visit(actor=office_staff, topic=topic, rating="basically", method="call")
    html = client_for(office_staff).get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert reverse("topics:reopen", args=[topic.pk]) not in html
    with pytest.raises(TransitionError, match="只有回访不满意的议题才能重新办理"):
        topic_reopen(actor=office_staff, topic=topic, reason="再办")
    topic.refresh_from_db()
    assert topic.status == S.RATED


def test_a_visit_needs_a_known_method_and_a_date_after_resolution(world, office_staff):
    topic = set_status(world.topic_a, S.RESOLVED, resolved_on=TODAY())
    with pytest.raises(ValidationError) as excinfo:
        topic_visit(actor=office_staff, topic=topic, rating="satisfied", method="letter")
    assert "method" in excinfo.value.error_dict
    with pytest.raises(ValidationError) as excinfo:
        topic_visit(
            actor=office_staff,
            topic=topic,
            rating="satisfied",
            method="call",
            visited_on=TODAY() - DAY,
        )
    assert "rated_on" in excinfo.value.error_dict
    assert not TopicVisit.objects.exists()


# --- 跟踪问效 ---------------------------------------------------------------------------------


def test_follow_up_records_until_implemented(world, office_staff):
    from topics.services import topic_transition

    topic = set_status(
        world.topic_a, S.RATED, raised_on=TODAY() - 20 * DAY, resolved_on=TODAY() - 9 * DAY
    )
    topic_follow_up(
        actor=office_staff,
        topic=topic,
        text="管网改造已开工",
        progress=30,
        checked_on=TODAY() - DAY,
    )
    topic.refresh_from_db()
    assert topic.status == S.FOLLOW_UP
    topic_follow_up(actor=office_staff, topic=topic, text="已完工待验收", progress=90)
    assert list(TopicFollowUp.objects.values_list("progress", flat=True)) == [30, 90]
    assert TopicEvent.objects.filter(topic=topic, kind=EventKind.FOLLOW_UP).count() == 2
    html = client_for(office_staff).get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert "已完工待验收" in html and 'value="90"' in html
    topic_transition(topic=topic, actor=office_staff, to=S.IMPLEMENTED, note="验收通过")
    topic.refresh_from_db()
    assert topic.status == S.IMPLEMENTED
    with pytest.raises(TransitionError):
        topic_follow_up(actor=office_staff, topic=topic, text="再跟踪", progress=100)


@pytest.mark.parametrize(
    ("text", "progress", "field"), [("", 10, "text"), ("进展", 101, "progress")]
)
def test_follow_up_refuses_bad_input(world, office_staff, text, progress, field):
    topic = set_status(world.topic_a, S.RESOLVED, resolved_on=TODAY())
    with pytest.raises(ValidationError) as excinfo:
        topic_follow_up(actor=office_staff, topic=topic, text=text, progress=progress)
    assert field in excinfo.value.error_dict
    topic.refresh_from_db()
    assert topic.status == S.RESOLVED and not TopicFollowUp.objects.exists()


# --- 提级 ------------------------------------------------------------------------------------


def test_elevate_makes_a_topic_in_the_city_queue_linked_to_the_original(world, office_staff):
    topic = set_status(world.topic_a, S.ACCEPTED)
    TopicEvent.objects.create(topic=topic, kind=EventKind.COMMENT, note="区里已协调过两次")
    new = topic_elevate(actor=office_staff, topic=topic, reason="涉及全市电梯补贴政策")
    topic.refresh_from_db()
    assert topic.status == S.ELEVATED
    assert (new.area, new.status, new.elevated_from) == (world.city, S.RAISED, topic)
    assert new.title == topic.title and new.tracking_code != topic.tracking_code

    city_staff = make_staff(world.city, "staff_city")
    html = client_for(city_staff).get(reverse("topics:detail", args=[new.pk])).content.decode()
    assert "提级来源" in html and "区里已协调过两次" in html
    assert reverse("topics:accept", args=[new.pk]) in html

    # The district still sees its own topic and the link; the city's topic is not theirs.
    client = client_for(office_staff)
    own = client.get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert "已提级至宜昌市政协办公室办理" in own and new.tracking_code in own
    assert client.get(reverse("topics:detail", args=[new.pk])).status_code == 404


def test_elevate_needs_a_reason(world, office_staff):
    topic = set_status(world.topic_a, S.ACCEPTED)
    with pytest.raises(ValidationError):
        topic_elevate(actor=office_staff, topic=topic, reason=" ")
    assert Topic.objects.count() == 2  # topic_a and topic_b only
    topic.refresh_from_db()
    assert topic.status == S.ACCEPTED


# --- staff edit ------------------------------------------------------------------------------


def test_staff_edit_keeps_the_old_values_in_full(world, office_staff):
    topic = world.topic_a
    long_text = "居民反映:" + "楼道灯坏了很久," * 300
    Topic.objects.filter(pk=topic.pk).update(description=long_text)
    topic.refresh_from_db()
    response = client_for(office_staff).post(
        reverse("topics:edit", args=[topic.pk]),
        {
            "title": "桃花岭小区加装电梯(更正)",
            "category": topic.category_id,
            "description": long_text + "补充",
            "area": world.subdistrict_a.pk,
        },
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.title == "桃花岭小区加装电梯(更正)" and topic.area == world.subdistrict_a
    assert topic.description == long_text + "补充"
    event = TopicEvent.objects.get(topic=topic, kind=EventKind.STAFF_EDIT)
    assert "标题原为:桃花岭小区加装电梯" in event.note
    assert long_text in event.note and "所属区划原为:桃花岭社区" in event.note
    # Saving the same values again writes nothing.
    assert topic_edit(actor=office_staff, topic=topic, title=topic.title) is None


def test_staff_edit_refuses_an_area_of_another_district(world, office_staff):
    response = client_for(office_staff).post(
        reverse("topics:edit", args=[world.topic_a.pk]),
        {"title": "x", "category": world.topic_a.category_id, "area": world.district_b.pk},
    )
    assert response.status_code == 400
    world.topic_a.refresh_from_db()
    assert world.topic_a.area == world.community_a
    assert not TopicEvent.objects.filter(kind=EventKind.STAFF_EDIT).exists()
