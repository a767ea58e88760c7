"""The day bitmaps: their layout, their upkeep on every save()/delete(), their set-based rebuild,
and the venue and member counts read from them — equal to the records-based definitions
(``dashboards.records``) on the hand-built world and on random data, at every node."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import bitmap, records
from dashboards.bits import (
    check_bits,
    member_counts,
    rebuild_bits,
    venue_counts,
)
from dashboards.models import MemberYear, VenueYear
from dashboards.periods import Period
from dashboards.scope import DashboardScope
from members.models import Duty, DutyKind, DutyStatus
from platforms.models import Area, AreaLevel, StandardItem, VenueStandardRecord
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    ConsultationFactory,
    DutyFactory,
    MemberFactory,
    TopicFactory,
    VenueFactory,
    make_area,
)
from topics.models import Attendance

from . import record_sets
from .figure_world import SHANGHAI, TODAY, at

pytestmark = pytest.mark.django_db

D = datetime.date


# -- the bitmap layout -------------------------------------------------------------------------
def test_day_positions_fill_six_chunks_of_61():
    assert bitmap.position(D(2025, 1, 1)) == (0, 0)
    assert bitmap.position(D(2025, 3, 2)) == (0, 60)  # day 60
    assert bitmap.position(D(2025, 3, 3)) == (1, 0)
    assert bitmap.position(D(2024, 12, 31)) == (5, 60)  # day 365 of a leap year
    assert bitmap.position(D(2025, 12, 31)) == (5, 59)
    assert bitmap.chunks_from_days([D(2024, 12, 31)])[5] == 1 << 60 < 2**63


def test_days_round_trip_through_chunks():
    rng = random.Random(5)
    for year in (2024, 2025):
        days = sorted({D(year, 1, 1) + datetime.timedelta(rng.randrange(365)) for _ in range(80)})
        days.append(D(year, 12, 31))
        assert bitmap.days_from_chunks(year, bitmap.chunks_from_days(days)) == sorted(set(days))


def test_range_masks_select_exactly_the_days_in_range():
    rng = random.Random(7)
    first = D(2023, 12, 1)
    for _ in range(300):
        start = first + datetime.timedelta(rng.randrange(500))
        end = start + datetime.timedelta(rng.randrange(0, 200))
        day = first + datetime.timedelta(rng.randrange(500))
        chunks = bitmap.chunks_from_days([day])
        assert bitmap.any_set(day.year, chunks, start, end) == (start <= day <= end)
    assert bitmap.range_masks(D(2025, 1, 1), D(2025, 12, 31))[2025][:5] == [bitmap.FULL_CHUNK] * 5
    assert set(bitmap.range_masks(D(2024, 12, 30), D(2026, 1, 2))) == {2024, 2025, 2026}
    assert bitmap.range_masks(D(2025, 2, 1), D(2025, 1, 1)) == {}


# -- the reference: the records, counted ----------------------------------------------------------
def _child_key(node: DashboardScope, child, area: Area):
    return area.path[: len(node.area.path) + Area.steplen]


def expected_venues(node: DashboardScope, period: Period, child) -> dict:
    venues = list(records.venues(node).select_related("area"))
    active = set(record_sets.venues_active(node, period).values_list("pk", flat=True))
    standard = set(record_sets.venues_standard(node, period).values_list("pk", flat=True))
    out: dict = {}
    for venue in venues:
        if child is None:
            key = None
        elif child == "venue":
            key = venue.pk
        else:
            key = _child_key(node, child, venue.area)
        row = out.setdefault(key, {"venues": 0, "active_venues": 0, "standard_venues": 0})
        row["venues"] += 1
        row["active_venues"] += venue.pk in active
        row["standard_venues"] += venue.pk in standard
    return out


def expected_members(node: DashboardScope, period: Period, child) -> dict:
    out: dict = {}
    if child == "venue":
        for venue in records.venues(node):
            vnode = DashboardScope(venue=venue)
            out[venue.pk] = {
                "members": record_sets.members(vnode, period).count(),
                "members_five_ones": record_sets.members_five_ones(vnode, period).count(),
            }
        return out
    done = set(record_sets.members_five_ones(node, period).values_list("pk", flat=True))
    for member in record_sets.members(node, period).select_related("area"):
        key = None if child is None else _child_key(node, child, member.area)
        row = out.setdefault(key, {"members": 0, "members_five_ones": 0})
        row["members"] += 1
        row["members_five_ones"] += member.pk in done
    return out


def _nonzero(rows: dict) -> dict:
    return {key: value for key, value in rows.items() if any(value.values())}


def periods_around(today: datetime.date) -> list[Period]:
    return [
        Period.year(2025, today=today),
        Period.year(2024, today=today),
        Period.quarter(2025, 2, today=today),
        Period.month(2025, 3, today=today),
        Period.month(2024, 12, today=today),
        Period.custom(D(2024, 11, 15), D(2025, 3, 10), today=today),
        Period.custom(D(2025, 12, 1), D(2026, 1, 31), today=today),
        Period.year(2025, today=D(2025, 6, 15)),  # running: measured up to 15 June
        Period.custom(D(2024, 3, 1), D(2026, 2, 28), today=D(2025, 12, 31)),  # three years
    ]


def assert_counts_match(nodes: list[DashboardScope], periods: list[Period]) -> int:
    checked = 0
    for node in nodes:
        children = [None] if node.is_venue else [None, "area", "venue"]
        for child in children:
            got_venues = venue_counts(node, periods, child)
            got_members = member_counts(node, periods, child)
            assert len(got_venues) == len(got_members) == len(periods)
            for i, period in enumerate(periods):
                where = f"{node.name} / {child} / {period.label}"
                assert _nonzero(got_venues[i]) == _nonzero(expected_venues(node, period, child)), (
                    where
                )
                assert _nonzero(got_members[i]) == _nonzero(
                    expected_members(node, period, child)
                ), where
                checked += 1
    return checked


def stored_rows() -> tuple[dict, dict]:
    venues = {(r.venue_id, r.year): r for r in VenueYear.objects.all()}
    members = {(r.member_id, r.year): r for r in MemberYear.objects.all()}

    def plain(rows):
        return {
            key: {f.attname: getattr(r, f.attname) for f in r._meta.fields if f.attname != "id"}
            for key, r in rows.items()
        }

    return plain(venues), plain(members)


def assert_in_step() -> None:
    """The rows the signals keep equal a fresh SQL computation and a full rebuild."""
    assert check_bits() == []
    kept = stored_rows()
    rebuild_bits()
    assert stored_rows() == kept
    assert check_bits() == []


# -- the hand-built world ------------------------------------------------------------------------
def _all_nodes(fw) -> list[DashboardScope]:
    return [fw.node(name) for name in (*fw.areas, *fw.venues)]


def test_counts_equal_the_records_on_the_figure_world(fw):
    assert assert_counts_match(_all_nodes(fw), periods_around(TODAY)) > 100


def test_figure_world_by_hand(fw):
    period = Period.year(2025, today=TODAY)
    [city] = venue_counts(fw.node("C"), [period])
    assert city[None] == {"venues": 3, "active_venues": 2, "standard_venues": 1}
    [members] = member_counts(fw.node("C"), [period])
    # M1: four duties + present at Sa; M3: four duties + a consultation duty; M2 lacks a deed.
    assert members[None] == {"members": 4, "members_five_ones": 2}
    [v1] = member_counts(fw.node("V1"), [period])
    assert v1[None] == {"members": 2, "members_five_ones": 2}  # M1 all year, M3 in January
    assert fw.areas["C"].path in member_counts(fw.node("C"), [period], "area")[0]  # M5


def test_the_signals_keep_the_world_in_step(fw):
    assert VenueYear.objects.exists() and MemberYear.objects.exists()
    assert_in_step()


def test_one_query_each_whatever_the_number_of_children(fw):
    period = Period.year(2025, today=TODAY)
    node = fw.node("K1")

    def count(function, child) -> int:
        with CaptureQueriesContext(connection) as ctx:
            function(node, [period, period.previous()], child)
        return len(ctx.captured_queries)

    before = {(f, c): count(f, c) for f in (venue_counts, member_counts) for c in ("venue", None)}
    for _ in range(12):
        venue = VenueFactory(area=fw.areas["K1"])
        AssignmentFactory(member=fw.members["M1"], venue=venue, started_on=D(2025, 1, 1))
    after = {(f, c): count(f, c) for f in (venue_counts, member_counts) for c in ("venue", None)}
    assert before == after
    assert set(after.values()) == {1}


def test_edits_through_save_and_delete_keep_the_bits_in_step(fw):
    v1, v2, v3 = fw.venues["V1"], fw.venues["V2"], fw.venues["V3"]
    m1, m2, m3 = fw.members["M1"], fw.members["M2"], fw.members["M3"]
    period = Period.year(2025, today=TODAY)

    # A session moved to another day and another venue: both venues and its attendees change.
    session = m1.attendances.get(consultation__held_at=at(2025, 3, 10, 19)).consultation
    session.held_at = at(2025, 9, 1, 9)
    session.venue = v3
    session.save()
    assert_in_step()
    # Attendance deleted; a duty marked done; a topic resolved; a 六有 record added.
    Attendance.objects.filter(member=m2, status="present").first().delete()
    duty = Duty.objects.get(member=m2, kind=DutyKind.DEED)
    duty.status = DutyStatus.DONE
    duty.save(update_fields=["status"])
    topic = fw.topics["T8"]
    topic.status = "resolved"
    topic.resolved_on = D(2025, 8, 1)
    topic.save()
    VenueStandardRecord.objects.filter(venue=v3, item=StandardItem.PROCEDURE).update(
        met_on=D(2025, 1, 1)
    )  # a bulk update refreshes too (consult_portal.tracking); then a save
    record = VenueStandardRecord.objects.get(venue=v3, item=StandardItem.PROCEDURE)
    record.met_on = D(2025, 2, 1)
    record.save()
    assert_in_step()
    assert venue_counts(fw.node("K3"), [period])[0][None]["standard_venues"] == 1
    # A new session with attendance, a duty moved to another member, a topic moved venue.
    new = ConsultationFactory(venue=v2, held_at=at(2025, 10, 1, 23, 59), outcome="共识")
    AttendanceFactory(consultation=new, member=m3, status="present")
    duty.member = m1
    duty.save()
    fw.topics["T1"].venue = v2
    fw.topics["T1"].save()
    assert_in_step()
    # Deletions: a session (its attendance cascades), a venue, a member, a record.
    new.delete()
    VenueStandardRecord.objects.filter(venue=v1).first().delete()
    gone = VenueFactory(area=fw.areas["K1"])
    VenueStandardRecord.objects.create(venue=gone, item=StandardItem.SITE, met_on=D(2025, 1, 1))
    TopicFactory(
        area=gone.area,
        venue=gone,
        raised_on=D(2025, 1, 1),
        status="resolved",
        resolved_on=D(2025, 4, 1),
    )
    gone.topics.all().delete()
    gone.delete()
    m3.delete()
    assert_in_step()
    assert assert_counts_match(_all_nodes_alive(fw), periods_around(TODAY)[:3]) > 0


def _all_nodes_alive(fw) -> list[DashboardScope]:
    return [fw.node(name) for name in fw.areas] + [
        fw.node(name)
        for name in fw.venues
        if type(fw.venues[name]).objects.filter(pk=fw.venues[name].pk).exists()
    ]


def test_attendance_logged_in_bulk_by_the_session_service(fw):
    from topics.services.sessions import _sync_attendance

    session = ConsultationFactory(venue=fw.venues["V2"], held_at=at(2025, 11, 11))
    _sync_attendance(
        consultation=session,
        actor=None,
        rows=[(fw.members["M2"], "present"), (fw.members["M3"], "leave")],
    )
    assert check_bits() == []


def test_check_bits_reports_rows_out_of_step(fw):
    # M1's deed of 1 May is day 120: chunk 1.
    MemberYear.objects.filter(member=fw.members["M1"], year=2025).update(deed1=0)
    VenueYear.objects.filter(venue=fw.venues["V3"]).delete()
    problems = check_bits()
    assert {(p["table"], p["entity"], p["year"]) for p in problems} == {
        ("member", fw.members["M1"].pk, 2025),
        ("venue", fw.venues["V3"].pk, 2025),
    }
    rebuild_bits()
    assert check_bits() == []


# -- random data ---------------------------------------------------------------------------------
def random_world(seed: int) -> list[DashboardScope]:
    rng = random.Random(seed)
    city = make_area("R市", AreaLevel.CITY)
    areas = [city]
    districts = [make_area(f"R{i}区", AreaLevel.DISTRICT, city) for i in range(2)]
    areas += districts
    communities = []
    for d in districts:
        sub = make_area(f"{d.name}街道", AreaLevel.SUBDISTRICT, d)
        com = make_area(f"{d.name}社区", AreaLevel.COMMUNITY, sub)
        areas += [sub, com]
        communities.append(com)
    for area in areas:
        area.refresh_from_db()
    places = [*communities, *districts]  # a district's own 委员之家 too
    venues = [
        VenueFactory(area=rng.choice(places), is_active=rng.random() > 0.15) for _ in range(9)
    ]
    members = [
        MemberFactory(area=rng.choice(areas), is_active=rng.random() > 0.1) for _ in range(14)
    ]
    # Days that stress the layout: chunk edges, year ends, a leap day; and random ones.
    edges = [D(2024, 2, 29), D(2024, 12, 31), D(2025, 1, 1), D(2025, 3, 2), D(2025, 3, 3)]
    edges += [D(2025, 12, 31), D(2024, 3, 1), D(2025, 5, 2), D(2025, 7, 1), D(2026, 1, 1)]

    def day() -> datetime.date:
        if rng.random() < 0.3:
            return rng.choice(edges)
        return D(2024, 1, 1) + datetime.timedelta(rng.randrange(800))

    for venue in venues:
        for item in StandardItem.values:
            if rng.random() < 0.85:
                VenueStandardRecord.objects.create(venue=venue, item=item, met_on=day())
    sessions = []
    for _ in range(30):
        d = day()
        hour, minute = rng.choice([(0, 10), (7, 59), (8, 0), (12, 0), (23, 50)])
        held = datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=SHANGHAI)
        sessions.append(
            ConsultationFactory(
                venue=rng.choice(venues), held_at=held, outcome=rng.choice(["", "", "共识"])
            )
        )
    for session in sessions:
        for member in rng.sample(members, rng.randrange(0, 6)):
            AttendanceFactory(
                consultation=session,
                member=member,
                status=rng.choice(["present", "present", "absent", "leave"]),
            )
    for _ in range(20):
        venue = rng.choice(venues)
        status = rng.choice(["resolved", "rated", "follow_up", "in_progress", "declined"])
        resolved = day() if status in ("resolved", "rated", "follow_up") else None
        TopicFactory(
            area=venue.area,
            venue=venue,
            raised_on=D(2024, 1, 1),
            status=status,
            resolved_on=resolved,
        )
    kinds = [*DutyKind.values]
    for member in members:
        for _ in range(rng.randrange(4, 16)):
            DutyFactory(
                member=member,
                kind=rng.choice(kinds),
                date=day(),
                status=rng.choice([DutyStatus.DONE] * 4 + [DutyStatus.PLANNED]),
            )
        for _ in range(rng.randrange(0, 3)):
            start = day()
            ended = start + datetime.timedelta(rng.randrange(30, 400))
            AssignmentFactory(
                member=member,
                venue=rng.choice(venues),
                started_on=start,
                ended_on=ended if rng.random() < 0.6 else None,
            )
    nodes = [DashboardScope(area=area) for area in areas]
    nodes += [DashboardScope(venue=venue) for venue in venues]
    return nodes


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_equal_the_records_on_random_data(seed):
    nodes = random_world(seed)
    assert_in_step()
    for today in (D(2025, 12, 31), D(2025, 8, 20)):
        assert assert_counts_match(nodes, periods_around(today)) > 0


def test_rebuild_from_nothing_equals_the_signals(fw):
    kept = stored_rows()
    VenueYear.objects.all().delete()
    MemberYear.objects.all().delete()
    assert len(check_bits()) == len(kept[0]) + len(kept[1])
    counts = rebuild_bits()
    assert counts == {"venue_years": len(kept[0]), "member_years": len(kept[1])}
    assert stored_rows() == kept


def test_a_session_at_half_past_midnight_counts_on_its_beijing_day(fw):
    # Sd: 2026-01-01 00:30 in Beijing, still 2025 in UTC.
    row = VenueYear.objects.get(venue=fw.venues["V2"], year=2026)
    assert row.active0 == 1
    assert datetime.datetime(2026, 1, 1, 0, 30, tzinfo=SHANGHAI).astimezone(datetime.UTC).year == (
        2025
    )


# -- the bulk loaders rebuild them ----------------------------------------------------------------
def test_seed_demo_leaves_the_bits_in_step():
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--scale", "tiny", "--force", stdout=StringIO())
    assert VenueYear.objects.exists() and MemberYear.objects.exists()
    assert check_bits() == []
    today = datetime.date.today()
    periods = [Period.year(today.year, today=today), Period.year(today.year - 1, today=today)]
    root = Area.objects.get(depth=1)
    nodes = [DashboardScope(area=root)]
    nodes += [DashboardScope(area=a) for a in Area.objects.filter(depth=2)[:2]]
    assert assert_counts_match(nodes, periods) > 0


@pytest.mark.postgres
def test_seed_province_leaves_the_bits_in_step(monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    if connection.vendor != "postgresql":
        pytest.skip("seed_province loads with COPY: PostgreSQL only")
    monkeypatch.setitem(connection.settings_dict, "NAME", "test_province")
    call_command("seed_province", "--scale", "tiny", stdout=StringIO())
    assert VenueYear.objects.exists() and MemberYear.objects.exists()
    assert check_bits() == []
    today = datetime.date.today()
    periods = [Period.year(today.year, today=today), Period.quarter(today.year, 1, today=today)]
    root = Area.objects.get(depth=1)
    assert assert_counts_match([DashboardScope(area=root)], periods) > 0
