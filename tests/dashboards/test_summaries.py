"""The summary tables (``dashboards.summaries``) say exactly what the records say.

Two kinds of proof: the figures read from the summaries equal the figures counted on the
records (``figures.records_raw_counts``, the reference) for every node of the hand-built world
and many periods; and after each kind of change made the way the product makes it (services,
forms' save(), deletes) the stored tables equal a fresh computation (``summaries.check()``).
"""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import summaries
from dashboards.figures import (
    SOURCES,
    _raw_counts,
    child_rows,
    headline,
    overview,
    records_raw_counts,
)
from dashboards.models import NodeCount, NodeResolveDays, TopicFact
from dashboards.periods import Period
from topics.lifecycle import TopicStatus
from topics.models import Attendance, AttendanceStatus
from topics.services.topic_actions import (
    referral_record_reply,
    topic_merge,
    topic_rate,
    topic_refer,
    topic_resolve,
)
from topics.services.transitions import topic_create, topic_transition

from .figure_world import PERIOD, TODAY, at

from tests.factories import (  # isort: skip
    AttendanceFactory,
    ConsultationFactory,
    DepartmentFactory,
    MemberFactory,
    TopicFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date

PERIODS = {
    "2025": PERIOD,
    "2024": PERIOD.previous(),
    "Q1 2025": Period.quarter(2025, 1, today=TODAY),
    "March 2025": Period.month(2025, 3, today=TODAY),
    "custom across the year end": Period.custom(D(2024, 12, 15), D(2025, 2, 10), today=TODAY),
    "custom inside a month": Period.custom(D(2025, 5, 2), D(2025, 5, 30), today=TODAY),
    "running year": Period.year(2025, today=D(2025, 11, 29)),
}
SUMMARISED = ("topic", "histogram", "session", "attendance")


def _comparable(raw: list[dict]) -> list[dict]:
    return [{child: dict(counts) for child, counts in by_child.items()} for by_child in raw]


# These only read the figure world: it is built once for the class (tests/dashboards/conftest.py).
@pytest.mark.usefixtures("fw_once_per_class")
class TestSummariesEqualTheRecords:
    @pytest.mark.parametrize(
        "name", ["C", "D1", "D2", "S1", "K1", "S2", "K3", "V1", "V2", "V3", "V4"]
    )
    @pytest.mark.parametrize("label", list(PERIODS))
    def test_summaries_equal_the_records_at_every_node(self, fw, name, label):
        node = fw.node(name)
        period = PERIODS[label]
        periods = [period, period.previous()]
        assert _comparable(_raw_counts(node, periods)) == _comparable(
            records_raw_counts(node, periods, only=SOURCES)
        )

    @pytest.mark.parametrize("name", ["C", "D1", "S1", "K1"])
    def test_child_rows_equal_each_child_counted_on_the_records(self, fw, name):
        """The ranking read from the summaries equals each child's figures from the records."""
        from dashboards.figures import figures_from_raw
        from dashboards.scope import DashboardScope

        node = fw.node(name)
        for row in child_rows(node, PERIOD):
            if row["kind"] == "venue":
                child = DashboardScope(venue=fw.venues[row["name"][:2]], top=fw.areas["C"])
            else:
                area = next(a for a in fw.areas.values() if f"a{a.pk}" == row["key"])
                child = DashboardScope(area=area, top=fw.areas["C"])
            expected = figures_from_raw(records_raw_counts(child, [PERIOD])[0][None])
            assert {k: row[k] for k in expected} == expected, row["name"]


def test_the_world_built_through_save_is_already_summarised(fw):
    assert summaries.check() == []
    assert NodeCount.objects.exists() and NodeResolveDays.objects.exists()


def test_every_kind_of_change_keeps_the_summaries_exact(world, office_staff):
    staff = office_staff
    lead = DepartmentFactory(name="住建局", area=world.district_a)
    today = timezone.localdate()

    topic = topic_create(
        actor=staff,
        title="路灯不亮",
        category=world.topic_a.category,
        area=world.community_a,
        venue=world.venue_a,
        source="resident",
        notify_staff=False,
    )
    assert summaries.check() == []
    topic_transition(topic=topic, actor=staff, to=TopicStatus.ACCEPTED)
    topic_refer(actor=staff, topic=topic, lead=lead, deadline=today + datetime.timedelta(days=3))
    assert summaries.check() == []
    referral = topic.referrals.get()
    referral_record_reply(actor=staff, referral=referral, reply="已安排维修")
    assert summaries.check() == []
    topic.refresh_from_db()
    topic_resolve(actor=staff, topic=topic, summary="已修好")
    topic.refresh_from_db()
    topic_rate(actor=staff, topic=topic, rating="satisfied")
    assert summaries.check() == []

    # A duplicate merged into it stops counting; a deleted topic leaves nothing behind.
    duplicate = topic_create(
        actor=staff,
        title="路灯又不亮",
        category=world.topic_a.category,
        area=world.community_a,
        venue=world.venue_a,
        source="resident",
        notify_staff=False,
    )
    topic_merge(actor=staff, duplicate=duplicate, survivor=topic)
    assert summaries.check() == []
    TopicFactory(area=world.community_a, venue=world.venue_a).delete()
    assert summaries.check() == []

    # An overdue deadline: overdue from the day after it, whatever day it is read on.
    late = TopicFactory(
        area=world.community_a,
        venue=world.venue_a,
        status=TopicStatus.IN_PROGRESS,
        raised_on=today - datetime.timedelta(days=40),
        deadline=today - datetime.timedelta(days=2),
    )
    assert TopicFact.objects.get(pk=late.pk).overdue_from == late.deadline + datetime.timedelta(1)
    late.deadline = today + datetime.timedelta(days=10)
    late.save()
    assert summaries.check() == []

    # Sessions: logged, moved to another day and venue, attendance changed and deleted.
    session = ConsultationFactory(venue=world.venue_a, held_at=at(2025, 3, 10, 23, 30))
    member = MemberFactory(area=world.district_a)
    row = AttendanceFactory(consultation=session, member=member, status=AttendanceStatus.ABSENT)
    assert summaries.check() == []
    row.status = AttendanceStatus.PRESENT
    row.save()
    session.held_at = at(2025, 4, 1, 0, 10)
    session.venue = world.venue_b
    session.save()
    assert summaries.check() == []
    Attendance.objects.get(pk=row.pk).delete()
    session.delete()
    assert summaries.check() == []

    # A venue moved to another community takes its topics and sessions with it.
    venue = VenueFactory(area=world.community_a)
    TopicFactory(area=world.community_a, venue=venue, raised_on=D(2025, 6, 1))
    ConsultationFactory(venue=venue, held_at=at(2025, 6, 2))
    venue.area = world.community_b
    venue.save()
    assert summaries.check() == []


def test_a_refresh_catches_up_and_a_second_changes_nothing(fw):
    """A change made behind the summaries' back (raw SQL: no signal at all) is caught up by one
    refresh; refreshing again changes nothing."""
    t1 = fw.topics["T1"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE topics_topic SET rating = '', rated_on = NULL, status = 'resolved' "
            "WHERE id = %s",
            [t1.pk],
        )
    assert summaries.check() != []
    summaries.refresh_topics([t1.pk])
    assert summaries.check() == []
    before = sorted(NodeCount.objects.values_list())
    summaries.refresh_topics([t.pk for t in fw.topics.values()])
    summaries.refresh_sessions(summaries.SessionFact.objects.values_list("pk", flat=True))
    assert sorted(NodeCount.objects.values_list()) == before


def test_moving_an_area_in_the_tree_moves_its_counts(fw):
    """treebeard moves paths with raw SQL; Area.objects.move (the admin's move form) sends
    area_moved and the summaries follow."""
    from platforms.models import Area

    s1 = Area.objects.get(pk=fw.areas["S1"].pk)
    Area.objects.move(s1, Area.objects.get(pk=fw.areas["D2"].pk), "last-child")
    assert summaries.check() == []
    d2 = fw.node("D2")
    d2.area.refresh_from_db()
    assert _comparable(_raw_counts(d2, [PERIOD])) == _comparable(
        records_raw_counts(d2, [PERIOD], only=SOURCES)
    )


def test_rebuild_gives_the_same_tables(fw):
    from dashboards.models import COUNTERS

    def tables():
        counts = NodeCount.objects.values_list("node", "grain", "day", *COUNTERS)
        days = NodeResolveDays.objects.values_list("node", "grain", "day", "days", "n")
        return (
            sorted(row for row in counts if any(row[3:])),
            sorted(row for row in days if row[4]),
        )

    before = tables()
    rows = summaries.rebuild()
    assert tables() == before
    assert before[0] and before[1]
    assert rows["topics"] == len(fw.topics)


def test_bulk_changes_rebuild_once_at_the_end(fw):
    pk = fw.topics["T2"].pk
    with CaptureQueriesContext(connection) as ctx, summaries.bulk_changes():
        fw.topics["T2"].delete()
        during = len(ctx.captured_queries)
        assert TopicFact.objects.filter(pk=pk).exists()  # not refreshed yet
    assert during < 20
    assert not TopicFact.objects.filter(pk=pk).exists()
    assert summaries.check() == []


def test_the_nightly_command_finds_and_repairs_a_difference(fw, capsys):
    call_command("dashboard_summaries", "--check")
    assert "一致" in capsys.readouterr().out
    row = NodeCount.objects.filter(raised__gt=0).first()
    row.raised += 1
    row.save()
    with pytest.raises(CommandError, match="不一致"):
        call_command("dashboard_summaries", "--check")
    assert "汇总" in capsys.readouterr().err
    call_command("dashboard_summaries", "--repair")
    assert summaries.check() == []


# These only read the figure world: it is built once for the class (tests/dashboards/conftest.py).
@pytest.mark.usefixtures("fw_once_per_class")
class TestOverviewInOnePass:
    @pytest.mark.parametrize(
        "name", ["C", "D1", "D2", "S1", "K1", "S2", "K3", "V1", "V2", "V3", "V4"]
    )
    @pytest.mark.parametrize("label", ["2025", "custom across the year end", "running year"])
    def test_overview_in_one_pass_equals_headline_and_children(self, fw, name, label):
        """The page reads the node and its children together and sums the node's venue and member
        counts from its groups; that must be the headline and ranking computed apart."""
        node, period = fw.node(name), PERIODS[label]
        head, rows = overview(node, period)
        expected = headline(node, period)
        assert head["figures"] == expected["figures"]
        assert head["previous"] == expected["previous"]
        assert head["tiles"] == expected["tiles"]
        assert rows == child_rows(node, period)

    @pytest.mark.parametrize("name", ["C", "D1", "S1", "K1", "V1", "V3"])
    def test_overview_costs_seven_queries_at_every_level(self, fw, name):
        node = fw.node(name)
        with CaptureQueriesContext(connection) as ctx:
            overview(node, PERIOD)
        assert (
            len(ctx.captured_queries) == 7
        )  # + dashboards.activity and dashboards.coverage (issue 14)


def _days_of(grain: str, day: datetime.date):
    if grain == "D":
        return [day]
    last = (
        datetime.date(day.year + 1, 1, 1)
        if grain == "Y"
        else (datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1))
    )
    return [day + datetime.timedelta(days=i) for i in range((last - day).days)]


@pytest.mark.django_db(False)
def test_span_terms_add_up_to_exactly_the_days_of_the_span():
    import random

    rng = random.Random(20261129)
    spans = [(D(2026, 1, 1), D(2026, 11, 29)), (D(2025, 12, 31), D(2026, 1, 1))]
    spans += [(D(2024, 2, 29), D(2024, 2, 29)), (D(2023, 3, 1), D(2026, 2, 28))]
    for _ in range(300):
        start = D(2023, 1, 1) + datetime.timedelta(days=rng.randrange(1400))
        spans.append((start, start + datetime.timedelta(days=rng.randrange(800))))
    for start, end in spans:
        coverage: dict = {}
        terms = summaries.span_terms(start, end)
        for (grain, day), c in terms.items():
            for covered in _days_of(grain, day):
                coverage[covered] = coverage.get(covered, 0) + c
        inside = {start + datetime.timedelta(days=i) for i in range((end - start).days + 1)}
        assert {d for d, c in coverage.items() if c} == inside, (start, end)
        assert all(coverage[d] == 1 for d in inside), (start, end)
        # A few blocks, not one per day: at most 15 days at each end (runs of days are one
        # BETWEEN in SQL), and months only where a year or month block does not do.
        assert sum(g == "D" for g, _ in terms) <= 32, (start, end)
        assert sum(g != "D" for g, _ in terms) <= 20, (start, end)
    running = summaries.span_terms(D(2026, 1, 1), D(2026, 11, 29))
    assert running == {
        ("Y", D(2026, 1, 1)): 1,
        ("M", D(2026, 12, 1)): -1,
        ("D", D(2026, 11, 30)): -1,
    }


def test_migrate_fills_empty_summaries_on_an_existing_database(fw):
    from dashboards.apps import fill_empty_summaries

    NodeCount.objects.all().delete()
    fill_empty_summaries(sender=None, verbosity=0)
    assert summaries.check() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_departments_replying_at_once_are_counted_once(world):
    """Two transactions change the same topic at the same moment (each a referral reply, which
    moves the topic's overdue date): the refresh locks the topic first, so the second applies
    its difference on top of the first's snapshot instead of counting the topic twice."""
    import threading
    import time

    from django.db import connections, transaction

    from topics.models import Referral

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; CI runs this test there")
    today = timezone.localdate()
    topic = TopicFactory(
        area=world.community_a,
        venue=world.venue_a,
        status=TopicStatus.REFERRED,
        raised_on=today - datetime.timedelta(days=60),
    )
    late = today - datetime.timedelta(days=5)
    referred = today - datetime.timedelta(days=30)
    first = Referral.objects.create(
        topic=topic,
        department=DepartmentFactory(name="甲局", area=world.district_a),
        referred_on=referred,
        deadline=late - datetime.timedelta(days=5),  # the first reply moves the overdue date
    )
    second = Referral.objects.create(
        topic=topic,
        department=DepartmentFactory(name="乙局", area=world.district_a),
        referred_on=referred,
        deadline=late,
        role="assist",
    )
    assert TopicFact.objects.get(pk=topic.pk).overdue_from == late - datetime.timedelta(4)
    first_refreshed = threading.Event()
    errors = []

    def reply(referral, wait_for, done):
        try:
            if wait_for is not None:
                assert wait_for.wait(timeout=10)
            with transaction.atomic():
                referral.replied_on = today
                referral.save()  # the signal refreshes the topic inside this transaction
                if done is not None:
                    done.set()  # the other transaction now refreshes while this one is open
                    time.sleep(0.5)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=reply, args=(first, None, first_refreshed)),
        threading.Thread(target=reply, args=(second, first_refreshed, None)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert TopicFact.objects.get(pk=topic.pk).overdue_from is None
    assert summaries.check() == []
