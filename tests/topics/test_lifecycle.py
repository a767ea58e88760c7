"""The lifecycle service: every allowed move, every refused move, who may move, and races."""

import itertools
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from topics import lifecycle
from topics.lifecycle import TopicStatus
from topics.models import Topic, TopicEvent
from topics.services import TransitionError, topic_transition

REFUSED = [
    (src, dst)
    for src, dst in itertools.product(TopicStatus.values, TopicStatus.values)
    if not lifecycle.is_allowed(src, dst)
]


def test_the_graph_covers_every_state_and_reaches_each_from_raised():
    assert set(lifecycle.TRANSITIONS) == set(TopicStatus.values)
    reached, frontier = {TopicStatus.RAISED}, [TopicStatus.RAISED]
    while frontier:
        for nxt in lifecycle.allowed_targets(frontier.pop()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    # 已合并 is reached only through topic_merge, never by a move.
    assert reached == set(TopicStatus.values) - {TopicStatus.MERGED}
    assert TopicStatus.MERGED not in lifecycle.OPEN_STATES | lifecycle.ACCEPTED_STATES


# Each move starts from the same world and is rolled back after it: the world and the role
# accounts are built once for the class (tests/conftest.py, ``world_once_per_class``), each test
# gets its own copy of the objects. The race below commits, so it builds its own world.
@pytest.mark.django_db
@pytest.mark.usefixtures("world_once_per_class")
class TestMovesOnOneWorld:
    @pytest.mark.parametrize("move", lifecycle.MOVES, ids=lambda m: f"{m.source}-{m.name}")
    def test_every_move_of_the_table_applies_and_writes_one_event(self, world, office_staff, move):
        topic = world.topic_a
        # 重新办理 (已回访 → 已交办) needs the resident's 不满意 at the 回访.
        extra = {"rating": "unsatisfied", "rated_on": topic.raised_on}
        Topic.objects.filter(pk=topic.pk).update(status=move.source, **extra)
        topic.refresh_from_db()

        event = topic_transition(
            topic=topic, actor=office_staff, to=move.target, note="依据协商意见", move=move.name
        )

        topic.refresh_from_db()
        assert topic.status == move.target
        assert (event.from_status, event.to_status, event.actor) == (
            move.source,
            move.target,
            office_staff,
        )
        assert TopicEvent.objects.filter(topic=topic).count() == 1
        if move.target == TopicStatus.RESOLVED:
            assert topic.resolved_on is not None

    @pytest.mark.parametrize(("src", "dst"), REFUSED)
    def test_every_refused_move_raises_a_chinese_message_and_changes_nothing(
        self, world, office_staff, src, dst
    ):
        topic = world.topic_a
        Topic.objects.filter(pk=topic.pk).update(status=src)
        topic.refresh_from_db()

        with pytest.raises(TransitionError) as excinfo:
            topic_transition(topic=topic, actor=office_staff, to=dst, note="原因")

        message = " ".join(excinfo.value.messages)
        assert f"议题当前为“{lifecycle.label(src)}”,不能转为“{lifecycle.label(dst)}”" in message
        topic.refresh_from_db()
        assert topic.status == src
        assert not TopicEvent.objects.filter(topic=topic).exists()

    @pytest.mark.parametrize(
        "move", [m for m in lifecycle.MOVES if m.needs_note], ids=lambda m: f"{m.source}-{m.name}"
    )
    def test_moves_that_need_a_reason_refuse_an_empty_note(self, world, office_staff, move):
        extra = {"rating": "unsatisfied", "rated_on": world.topic_a.raised_on}
        Topic.objects.filter(pk=world.topic_a.pk).update(status=move.source, **extra)
        world.topic_a.refresh_from_db()
        with pytest.raises(TransitionError, match=f"“{move.label}”需要填写原因"):
            topic_transition(
                topic=world.topic_a, actor=office_staff, to=move.target, note="   ", move=move.name
            )
        world.topic_a.refresh_from_db()
        assert world.topic_a.status == move.source
        assert not TopicEvent.objects.exists()

    @pytest.mark.parametrize("rating", ["", "satisfied", "basically"])
    def test_reopen_only_after_unsatisfied(self, world, office_staff, rating):
        topic = world.topic_a
        Topic.objects.filter(pk=topic.pk).update(
            status=TopicStatus.RATED, rating=rating, rated_on=topic.raised_on if rating else None
        )
        topic.refresh_from_db()
        with pytest.raises(TransitionError, match="只有回访不满意的议题才能重新办理"):
            topic_transition(
                topic=topic, actor=office_staff, to=TopicStatus.REFERRED, note="群众仍有意见"
            )
        topic.refresh_from_db()
        assert topic.status == TopicStatus.RATED and not TopicEvent.objects.exists()

    def test_a_move_name_picks_one_of_two_moves_to_the_same_state(self, world, office_staff):
        topic = world.topic_a
        Topic.objects.filter(pk=topic.pk).update(status=TopicStatus.REPLIED)
        topic.refresh_from_db()
        with pytest.raises(TransitionError, match="“退回重办”需要填写原因"):
            topic_transition(
                topic=topic, actor=office_staff, to=TopicStatus.IN_PROGRESS, move="redo"
            )
        with pytest.raises(TransitionError, match="不能转为"):
            topic_transition(
                topic=topic, actor=office_staff, to=TopicStatus.IN_PROGRESS, move="close", note="x"
            )
        assert not TopicEvent.objects.exists()


def test_the_move_table_is_well_formed():
    seen = set()
    for move in lifecycle.MOVES:
        assert (move.source, move.name) not in seen, move
        seen.add((move.source, move.name))
        assert move.source not in lifecycle.TERMINAL_STATES
    negative = {m.label for m in lifecycle.MOVES if m.tone == lifecycle.Tone.NEGATIVE}
    assert negative == {"不予受理", "退回重办", "未解决"}
    assert all(m.confirm for m in lifecycle.MOVES if m.tone == lifecycle.Tone.NEGATIVE)
    assert not any(m.confirm for m in lifecycle.MOVES if m.tone != lifecycle.Tone.NEGATIVE)
    for status in lifecycle.TERMINAL_STATES:
        assert not lifecycle.allowed_targets(status), status
    assert lifecycle.OPEN_STATES.isdisjoint(lifecycle.RESOLVED_STATES | lifecycle.TERMINAL_STATES)
    assert set(TopicStatus.values) == (
        lifecycle.OPEN_STATES | lifecycle.RESOLVED_STATES | lifecycle.TERMINAL_STATES
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("world_once_per_class")
class TestMoreMoves:
    def test_a_stale_move_is_refused(self, world, office_staff):
        topic = world.topic_a
        topic_transition(topic=topic, actor=office_staff, to=TopicStatus.ACCEPTED)
        # A second user still looking at the "raised" page tries to decline it.
        with pytest.raises(TransitionError, match="已被他人更新为“已受理”"):
            topic_transition(
                topic=topic,
                actor=office_staff,
                to=TopicStatus.DECLINED,
                note="重复",
                expected_from=TopicStatus.RAISED,
            )
        assert TopicEvent.objects.filter(topic=topic).count() == 1

    def test_unknown_state_is_refused(self, world, office_staff):
        with pytest.raises(TransitionError, match="未知的议题状态"):
            topic_transition(topic=world.topic_a, actor=office_staff, to="archived")

    @pytest.mark.parametrize("who", ["leader", "member_user", "other_staff"])
    def test_only_office_staff_of_the_area_may_move(self, world, request, who):
        actor = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            topic_transition(topic=world.topic_a, actor=actor, to=TopicStatus.ACCEPTED)
        world.topic_a.refresh_from_db()
        assert world.topic_a.status == TopicStatus.RAISED

    def test_admin_may_move_any_topic(self, world, admin_user):
        topic_transition(topic=world.topic_b, actor=admin_user, to=TopicStatus.ACCEPTED)
        world.topic_b.refresh_from_db()
        assert world.topic_b.status == TopicStatus.ACCEPTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_exactly_one_succeeds(world, office_staff):
    """Two staff press "立项" and "不予立项" at the same moment: the row lock lets one through."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this test there")
    topic_id = world.topic_a.pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(to: str, note: str) -> None:
        try:
            topic = Topic.objects.select_related("area").get(pk=topic_id)
            barrier.wait(timeout=10)
            topic_transition(
                topic=topic, actor=office_staff, to=to, note=note, expected_from=TopicStatus.RAISED
            )
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(TopicStatus.ACCEPTED, "")),
        threading.Thread(target=act, args=(TopicStatus.DECLINED, "不属于协商范围")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert TopicEvent.objects.filter(topic_id=topic_id).count() == 1
    event = TopicEvent.objects.get(topic_id=topic_id)
    assert Topic.objects.get(pk=topic_id).status == event.to_status
