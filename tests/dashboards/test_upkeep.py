"""How the summaries follow the records (``dashboards.signals``): bulk writes, raw loads, the
definitions' version, and the direction of the imports (topics and members never call the
dashboards or the mails; they write, or send their own domain events)."""

import ast
import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command, get_commands
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import bits, summaries
from dashboards.apps import fill_empty_summaries
from dashboards.models import NodeCount, SummaryDefinition, TopicFact
from members.models import Duty, DutyKind, DutyStatus
from platforms.models import Venue, VenueStandardRecord
from topics.lifecycle import TopicStatus
from topics.models import Attendance, AttendanceStatus, Consultation, Referral, Topic
from topics.services.transitions import topic_create, topic_transition

from .figure_world import at, build

from tests.factories import DepartmentFactory  # isort: skip

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def fw():
    return build()


def assert_in_step():
    assert summaries.check() == []
    assert bits.check_bits() == []


def test_update_on_every_tracked_queryset_keeps_the_summaries_exact(fw):
    """``QuerySet.update()`` sends no post_save; the tracked querysets refresh what it touched,
    the rows as they were and as they are."""
    t1, t8 = fw.topics["T1"], fw.topics["T8"]
    Topic.objects.filter(pk=t1.pk).update(rating="", rated_on=None, status="resolved")
    assert_in_step()
    # A topic moved to another venue and resolved: both venues' bitmaps change.
    Topic.objects.filter(pk=t8.pk).update(
        venue=fw.venues["V3"], status=TopicStatus.RESOLVED, resolved_on=D(2025, 7, 2)
    )
    assert_in_step()
    Referral.objects.filter(topic=fw.topics["T10"]).update(replied_on=D(2025, 12, 1))
    assert_in_step()
    session = Consultation.objects.get(venue=fw.venues["V1"], held_at=at(2025, 3, 10, 19))
    Consultation.objects.filter(pk=session.pk).update(
        held_at=at(2025, 9, 1, 9), venue=fw.venues["V2"], outcome=""
    )
    assert_in_step()
    Attendance.objects.filter(consultation=session).update(status=AttendanceStatus.PRESENT)
    assert_in_step()
    Duty.objects.filter(member=fw.members["M1"], kind=DutyKind.PROPOSAL).update(
        status=DutyStatus.PLANNED
    )
    assert_in_step()
    VenueStandardRecord.objects.filter(venue=fw.venues["V3"]).update(met_on=D(2025, 12, 30))
    assert_in_step()
    Venue.objects.filter(pk=fw.venues["V3"].pk).update(area=fw.areas["K1"])
    assert_in_step()


def test_bulk_update_goes_through_update_and_is_followed(fw):
    topics = [fw.topics["T9"], fw.topics["T12"]]
    for topic in topics:
        topic.status = TopicStatus.DECLINED
    Topic.objects.bulk_update(topics, ["status"])
    assert_in_step()


def test_update_of_fields_nothing_counts_costs_one_query(fw):
    with CaptureQueriesContext(connection) as ctx:
        Topic.objects.filter(venue=fw.venues["V1"]).update(title="改个标题")
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        fw.topics["T1"].save(update_fields=["title"])
    assert len(ctx.captured_queries) == 1


def test_bulk_create_of_referrals_moves_the_overdue_date(fw):
    topic = fw.topics["T9"]  # raised, no deadline: not overdue
    Referral.objects.bulk_create(
        [
            Referral(
                topic=topic,
                department=DepartmentFactory(area=fw.areas["D1"]),
                referred_on=D(2025, 7, 2),
                deadline=D(2025, 8, 1),
            )
        ]
    )
    assert TopicFact.objects.get(pk=topic.pk).overdue_from == D(2025, 8, 2)
    assert_in_step()


def test_bulk_create_inside_bulk_changes_waits_for_the_rebuild(fw):
    with summaries.bulk_changes():
        Duty.objects.bulk_create(
            [Duty(member=fw.members["M2"], kind=DutyKind.DEED, date=D(2025, 3, 3))]
        )
        assert bits.check_bits() != []  # not followed one by one ...
    assert_in_step()  # ... but rebuilt once at the end


def test_loaddata_skips_raw_saves_and_rebuilds_once(fw, tmp_path, monkeypatch):
    assert get_commands()["loaddata"] == "dashboards"
    t9 = fw.topics["T9"]
    fixture = json.loads(serializers.serialize("json", [t9]))
    fixture[0]["fields"].update(status="resolved", resolved_on="2025-07-05")
    path = tmp_path / "topics.json"
    path.write_text(json.dumps(fixture), encoding="utf-8")
    calls = []
    rebuild = summaries.rebuild

    def counted():
        calls.append(summaries.check())  # what the raw save left: the receivers skipped it
        return rebuild()

    monkeypatch.setattr(summaries, "rebuild", counted)
    call_command("loaddata", str(path), verbosity=0)
    assert len(calls) == 1 and calls[0] != []
    assert Topic.objects.get(pk=t9.pk).status == "resolved"
    assert_in_step()


def test_migrate_rebuilds_when_the_definitions_changed(fw):
    assert summaries.stored_version() == summaries.DEFINITION_VERSION
    row = NodeCount.objects.filter(raised__gt=0).first()
    NodeCount.objects.filter(pk=row.pk).update(raised=row.raised + 1)  # stale rows
    fill_empty_summaries(sender=None, verbosity=0)
    assert summaries.check() != []  # same version: migrate leaves the tables alone

    SummaryDefinition.objects.update(version=summaries.DEFINITION_VERSION - 1)
    assert any("定义版本" in problem for problem in summaries.check())
    call_command("migrate", verbosity=0)  # its post_migrate handler sees the old version
    assert summaries.stored_version() == summaries.DEFINITION_VERSION
    assert_in_step()


def test_an_empty_database_is_stamped_without_a_rebuild(monkeypatch):
    SummaryDefinition.objects.all().delete()
    monkeypatch.setattr(summaries, "rebuild", lambda: pytest.fail("nothing to rebuild"))
    fill_empty_summaries(sender=None, verbosity=0)
    assert summaries.stored_version() == summaries.DEFINITION_VERSION


def test_one_topic_transition_costs_few_queries_for_the_summaries(world, office_staff):
    """17 queries before the summaries followed the snapshots' difference (10 of them upkeep,
    SQLite; 18 on PostgreSQL); 12 now, 5 of them upkeep: the stored snapshot, the topic with its
    earliest unanswered referral, the area ids of its nodes, the counts, the new snapshot
    (PostgreSQL: 13, the refresh locks the topic row first)."""
    topic = topic_create(
        actor=office_staff,
        title="路灯不亮",
        category=world.topic_a.category,
        area=world.community_a,
        venue=world.venue_a,
        source="resident",
        notify_staff=False,
    )
    with CaptureQueriesContext(connection) as ctx:
        topic_transition(topic=topic, actor=office_staff, to=TopicStatus.ACCEPTED)
    upkeep = [q for q in ctx.captured_queries if "dashboards_" in q["sql"]]
    assert len(upkeep) <= 3, [q["sql"][:80] for q in upkeep]
    most = 13 if connection.vendor == "postgresql" else 12
    assert len(ctx.captured_queries) <= most, [q["sql"][:80] for q in ctx.captured_queries]
    assert summaries.check() == []


@pytest.mark.django_db(False)
@pytest.mark.parametrize("app", ["topics", "members"])
def test_lower_apps_do_not_import_the_dashboards_or_the_mails(app):
    """topics and members send their domain events (``<app>/events.py``) and write their
    records; the dashboards and the mails listen (their AppConfig.ready)."""
    upward = ("dashboards", "notifications")
    found = []
    for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in upward]
    assert found == []
