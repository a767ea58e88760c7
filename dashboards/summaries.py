"""Keeping the dashboard summary tables (``dashboards.models``) exactly in step with the records.

One function says what a topic or a session contributes (``topic_fact`` / ``session_fact`` →
``_contributions``); everything else uses it:

- ``refresh_topics(ids)`` / ``refresh_sessions(ids)``: recompute the snapshot of each record from
  the database, apply the difference to the counts (``INSERT … ON CONFLICT DO UPDATE SET
  n = n + excluded.n``, the same statement on SQLite and PostgreSQL) and store the new snapshot.
  Idempotent: refreshing twice changes nothing. Called by the receivers in
  ``dashboards.signals`` on every write of a topic, referral, session or attendance row (save,
  delete, bulk_create, update), inside the same transaction.
- ``rebuild()``: recompute every snapshot and count from the records (after bulk loads, which
  fire no signals: ``seed_demo``, ``seed_province``, imports).
- ``check()``: compare the stored tables with a fresh computation; an empty list means equal.

Rows are locked while a snapshot is replaced (``select_for_update`` on PostgreSQL), so two
transactions refreshing the same record apply their differences one after the other.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime
import io
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone

from consult_portal.workdays import WorkCalendar, workdays_between
from platforms.models import Area
from topics import rules as topic_rules
from topics.lifecycle import ACCEPTED_STATES, RESOLVED_STATES, TopicStatus
from topics.models import (
    Attendance,
    AttendanceStatus,
    Consultation,
    Referral,
    ReferralRole,
    Topic,
)

from .models import (
    COUNTERS,
    DaysKind,
    Grain,
    MemberYear,
    NodeCount,
    NodeResolveDays,
    SessionFact,
    SummaryDefinition,
    TopicFact,
    VenueYear,
)
from .records import SATISFIED_RATINGS

# The version of what the stored rows mean: what a topic or a session contributes
# (``topic_snapshot``, ``session_snapshots``, ``Deltas``), the counters and grains, and the day
# bitmaps (``dashboards.bits``). Raise it with any change to those that alters stored rows;
# ``migrate`` then rebuilds the tables (``rebuild_if_stale``) instead of leaving them stale.
DEFINITION_VERSION = 3  # 1: as first shipped; 2: stamped with a version; 3: working days,
# deadlines kept, residents (issue 14)
DEFINITION_NAME = "dashboards"

COUNTER_INDEX = {name: i for i, name in enumerate(COUNTERS)}
TOPIC_FACT_FIELDS = (
    "nodes",
    "raised_on",
    "accepted",
    "declined",
    "resolved",
    "resolved_on",
    "rated",
    "satisfied",
    "overdue_from",
    "work_days",
    "due_on",
    "on_time",
)
SESSION_FACT_FIELDS = ("nodes", "day", "attendance_expected", "attendance_present", "residents")


# -- nodes -------------------------------------------------------------------------------------
class Ancestry:
    """Area path → the node keys of the area and every area above it (cached per instance)."""

    def __init__(self, preload: bool = False):
        self._ids: dict[str, int] = {}
        if preload:
            self._ids = dict(Area.objects.values_list("path", "pk"))

    def nodes(self, path: str | None) -> list[str]:
        if not path:
            return []
        prefixes = [path[:i] for i in range(Area.steplen, len(path) + 1, Area.steplen)]
        missing = [p for p in prefixes if p not in self._ids]
        if missing:
            self._ids.update(Area.objects.filter(path__in=missing).values_list("path", "pk"))
        return [f"a{self._ids[p]}" for p in prefixes if p in self._ids]


def _node_string(ancestry: Ancestry, area_path: str | None, venue_id: int | None) -> str:
    nodes = ancestry.nodes(area_path)
    if venue_id:
        nodes.append(f"v{venue_id}")
    return " ".join(nodes)


# -- what a record contributes -----------------------------------------------------------------
@dataclass(frozen=True)
class TopicSnapshot:
    nodes: str
    raised_on: datetime.date | None
    accepted: bool
    declined: bool
    resolved: bool
    resolved_on: datetime.date | None
    rated: bool
    satisfied: bool
    overdue_from: datetime.date | None
    work_days: int | None = None
    due_on: datetime.date | None = None
    on_time: bool = False


def topic_snapshot(
    row: dict,
    late_from: datetime.date | None,
    ancestry: Ancestry,
    workdays: WorkdayCounter | None = None,
) -> TopicSnapshot:
    """``row``: the topic's status, raised_on, resolved_on, rating, deadline, area path and
    venue id, and its first referral's date (``referred_from``) and its lead referral's
    deadline (``lead_due``); ``late_from``: the earliest deadline of its unanswered referrals."""
    status = row["status"]
    if status == TopicStatus.MERGED:  # a merged duplicate counts nowhere
        return TopicSnapshot("", None, False, False, False, None, False, False, None)
    resolved = status in RESOLVED_STATES
    resolved_on = row["resolved_on"] if resolved else None
    rating = row["rating"] if resolved_on else ""
    due = topic_rules.topic_due(row["deadline"], [late_from])
    overdue_from = topic_rules.first_overdue_day(status, due)
    referred_from, lead_due = row.get("referred_from"), row.get("lead_due")
    work_days = None
    if resolved_on and referred_from:
        work_days = (workdays or WorkdayCounter()).between(referred_from, resolved_on)
    return TopicSnapshot(
        nodes=_node_string(ancestry, row["area__path"], row["venue_id"]),
        raised_on=row["raised_on"],
        accepted=status in ACCEPTED_STATES,
        declined=status == TopicStatus.DECLINED,
        resolved=resolved,
        resolved_on=resolved_on,
        rated=bool(rating),
        satisfied=rating in SATISFIED_RATINGS,
        overdue_from=overdue_from,
        work_days=work_days,
        due_on=lead_due,
        on_time=bool(lead_due and resolved_on and resolved_on <= lead_due),
    )


@dataclass(frozen=True)
class SessionSnapshot:
    nodes: str
    day: datetime.date
    attendance_expected: int
    attendance_present: int
    residents: int = 0


class WorkdayCounter:
    """Working days between two dates (``consult_portal.workdays``), for many topics at once:
    the calendar of the span asked about is read once and kept as running totals."""

    def __init__(self):
        self._start: datetime.date | None = None
        self._running: list[int] = []

    def prepare(self, start: datetime.date, end: datetime.date) -> None:
        calendar = WorkCalendar(start, end)
        self._start, total, self._running = start, 0, []
        day = start
        while day <= end:
            total += calendar.is_workday(day)
            self._running.append(total)
            day += datetime.timedelta(days=1)

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (``workdays_between``)."""
        if end <= start:
            return 0
        if (
            self._start is None
            or start < self._start
            or end >= self._start + datetime.timedelta(days=len(self._running))
        ):
            return workdays_between(start, end)
        return self._running[(end - self._start).days] - self._running[(start - self._start).days]


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _grains(day: datetime.date):
    """The rows a record counted on ``day`` adds to: its day, its month, its year."""
    return (
        (Grain.DAY.value, day),
        (Grain.MONTH.value, day.replace(day=1)),
        (Grain.YEAR.value, day.replace(month=1, day=1)),
    )


class Deltas:
    """Differences to apply: ``{(node, grain, day): [n per counter]}`` and
    ``{(node, grain, day, days): n}``."""

    def __init__(self):
        self.counts: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
        self.days: dict[tuple, int] = defaultdict(int)

    def _add(self, nodes: str, day: datetime.date, values: dict[str, int], sign: int) -> None:
        for node in nodes.split():
            for grain, when in _grains(day):
                row = self.counts[(node, grain, when)]
                for name, value in values.items():
                    row[COUNTER_INDEX[name]] += sign * value

    def topic(self, s: TopicSnapshot | None, sign: int = 1) -> None:
        if s is None or not s.nodes:
            return
        if s.raised_on:
            self._add(
                s.nodes,
                s.raised_on,
                {
                    "raised": 1,
                    "accepted": int(s.accepted),
                    "declined": int(s.declined),
                    "accepted_resolved": int(s.accepted and s.resolved),
                },
                sign,
            )
        if s.resolved_on:
            handled = s.work_days is not None
            self._add(
                s.nodes,
                s.resolved_on,
                {
                    "resolved": 1,
                    "rated": int(s.rated),
                    "satisfied": int(s.satisfied),
                    "handled": int(handled),
                    "handling_days": s.work_days or 0,
                },
                sign,
            )
            days = (s.resolved_on - s.raised_on).days
            for node in s.nodes.split():
                for grain, when in _grains(s.resolved_on):
                    self.days[(node, grain, when, DaysKind.RAISED.value, days)] += sign
                    if handled:
                        key = (node, grain, when, DaysKind.WORKING.value, s.work_days)
                        self.days[key] += sign
        if s.overdue_from:
            self._add(s.nodes, s.overdue_from, {"overdue": 1}, sign)
        if s.due_on:
            self._add(s.nodes, s.due_on, {"due": 1, "due_on_time": int(s.on_time)}, sign)

    def session(self, s: SessionSnapshot | None, sign: int = 1) -> None:
        if s is None or not s.nodes:
            return
        self._add(
            s.nodes,
            s.day,
            {
                "sessions": 1,
                "attendance_expected": s.attendance_expected,
                "attendance_present": s.attendance_present,
                "residents": s.residents,
            },
            sign,
        )

    def nonzero(self) -> tuple[list, list]:
        counts = [(key, row) for key, row in self.counts.items() if any(row)]
        days = [(key, n) for key, n in self.days.items() if n]
        return counts, days

    def apply(self) -> None:
        """Add the differences to the tables (one statement each, however many rows)."""
        counts, days = self.nonzero()
        count_table = NodeCount._meta.db_table
        days_table = NodeResolveDays._meta.db_table
        with connection.cursor() as cursor:
            if counts:
                columns = ", ".join(COUNTERS)
                updates = ", ".join(f"{c} = {count_table}.{c} + excluded.{c}" for c in COUNTERS)
                placeholders = ", ".join(["%s"] * (3 + len(COUNTERS)))
                cursor.executemany(
                    f"INSERT INTO {count_table} (node, grain, day, {columns}) "
                    f"VALUES ({placeholders}) "
                    f"ON CONFLICT (node, grain, day) DO UPDATE SET {updates}",
                    [(*key, *row) for key, row in counts],
                )
            if days:
                cursor.executemany(
                    f"INSERT INTO {days_table} (node, grain, day, kind, days, n) "
                    "VALUES (%s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (node, grain, day, kind, days) "
                    f"DO UPDATE SET n = {days_table}.n + excluded.n",
                    [(*key, n) for key, n in days],
                )


# -- reading the records -----------------------------------------------------------------------
TOPIC_ROW = (
    "pk",
    "status",
    "raised_on",
    "resolved_on",
    "rating",
    "deadline",
    "area__path",
    "venue_id",
)


def _late_referrals(topic_ids: Iterable[int] | None = None) -> dict[int, datetime.date]:
    referrals = Referral.objects.filter(topic_rules.referral_unanswered_q())
    if topic_ids is not None:
        referrals = referrals.filter(topic_id__in=topic_ids)
    return dict(
        referrals.values("topic_id")
        .annotate(first=Min("deadline"))
        .values_list("topic_id", "first")
    )


def topic_snapshots(topic_ids=None, ancestry: Ancestry | None = None):
    """``(topic id, TopicSnapshot)`` from the records, for the given topics or all of them.

    All of them: the unanswered referrals' deadlines are read grouped, once. A few topics
    (a write): the earliest one comes with each topic's row, as a subquery (one query)."""
    ancestry = ancestry or Ancestry(preload=topic_ids is None)
    topics = Topic.objects.order_by()
    if topic_ids is None:
        late = _late_referrals()
        referrals = Referral.objects.order_by().values("topic_id")
        referred_from = dict(
            referrals.annotate(first=Min("referred_on")).values_list("topic_id", "first")
        )
        lead_due = dict(
            Referral.objects.filter(role=ReferralRole.LEAD).values_list("topic_id", "deadline")
        )
        workdays = WorkdayCounter()
        if referred_from:
            last = Topic.objects.filter(status__in=RESOLVED_STATES).aggregate(
                last=Max("resolved_on")
            )["last"]
            first = min(referred_from.values())
            if last and last > first:
                workdays.prepare(first, last)
        for row in topics.values(*TOPIC_ROW).iterator(chunk_size=10_000):
            row["referred_from"] = referred_from.get(row["pk"])
            row["lead_due"] = lead_due.get(row["pk"])
            yield row["pk"], topic_snapshot(row, late.get(row["pk"]), ancestry, workdays)
        return
    first_late = (
        Referral.objects.filter(topic_rules.referral_unanswered_q(), topic=OuterRef("pk"))
        .order_by()
        .values("topic")
        .annotate(first=Min("deadline"))
        .values("first")
    )
    first_referral = (
        Referral.objects.filter(topic=OuterRef("pk"))
        .order_by()
        .values("topic")
        .annotate(first=Min("referred_on"))
        .values("first")
    )
    lead = Referral.objects.filter(topic=OuterRef("pk"), role=ReferralRole.LEAD).values("deadline")[
        :1
    ]
    rows = topics.filter(pk__in=topic_ids).annotate(
        late_from=Subquery(first_late),
        referred_from=Subquery(first_referral),
        lead_due=Subquery(lead),
    )
    for row in rows.values(*TOPIC_ROW, "late_from", "referred_from", "lead_due"):
        yield row["pk"], topic_snapshot(row, row["late_from"], ancestry)


def session_snapshots(session_ids=None, ancestry: Ancestry | None = None):
    ancestry = ancestry or Ancestry(preload=session_ids is None)
    attendance = Attendance.objects.order_by()
    sessions = Consultation.objects.order_by()
    if session_ids is not None:
        attendance = attendance.filter(consultation_id__in=session_ids)
        sessions = sessions.filter(pk__in=session_ids)
    counts = {
        row["consultation_id"]: (row["expected"], row["present"])
        for row in attendance.values("consultation_id").annotate(
            expected=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
        )
    }
    tz = timezone.get_current_timezone()
    rows = sessions.values_list("pk", "held_at", "venue__area__path", "venue_id", "residents_count")
    for pk, held_at, path, venue_id, residents in rows.iterator(chunk_size=10_000):
        expected, present = counts.get(pk, (0, 0))
        yield (
            pk,
            SessionSnapshot(
                nodes=_node_string(ancestry, path, venue_id),
                day=held_at.astimezone(tz).date(),
                attendance_expected=expected,
                attendance_present=present,
                residents=residents,
            ),
        )


def _stored(model, fields, snapshot_class, ids, lock: bool):
    rows = model.objects.filter(pk__in=ids)
    if lock and connection.features.has_select_for_update:
        rows = rows.select_for_update()
    return {row[0]: snapshot_class(*row[1:]) for row in rows.values_list("pk", *fields)}


def _store(model, fields, snapshots: dict) -> None:
    """Write the snapshots (insert, or replace the stored one): one statement, however many."""
    if not snapshots:
        return
    table = model._meta.db_table
    key = model._meta.pk.column
    columns = [model._meta.get_field(name).column for name in fields]
    placeholders = ", ".join(["%s"] * (1 + len(columns)))
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({key}, {', '.join(columns)}) VALUES ({placeholders}) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
            [(pk, *snap.__dict__.values()) for pk, snap in snapshots.items()],
        )


def _refresh(model, fields, snapshot_class, ids, fresh_rows, add, source) -> list[tuple]:
    """Bring the snapshots of ``ids`` and the counts up to date; returns the records that
    changed as ``(id, old snapshot, new snapshot)`` (None: none stored / no record)."""
    ids = sorted(set(ids))
    if not ids:
        return []
    # No savepoint: inside a write's transaction a failure here fails the write anyway.
    with transaction.atomic(savepoint=False):
        # Lock the records first (PostgreSQL): two transactions refreshing the same topic or
        # session then run one after the other, and the second reads the first's snapshot.
        if connection.features.has_select_for_update:
            list(source.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
        old = _stored(model, fields, snapshot_class, ids, lock=True)
        new = dict(fresh_rows(ids))
        deltas = Deltas()
        changed = [pk for pk in ids if old.get(pk) != new.get(pk)]
        if not changed:
            return []
        for pk in changed:
            add(deltas, old.get(pk), -1)
            add(deltas, new.get(pk), 1)
        deltas.apply()
        gone = [pk for pk in changed if pk not in new]
        if gone:
            model.objects.filter(pk__in=gone).delete()
        _store(model, fields, {pk: new[pk] for pk in changed if pk in new})
    return [(pk, old.get(pk), new.get(pk)) for pk in changed]


def refresh_topics(topic_ids: Iterable[int]) -> list[tuple]:
    return _refresh(
        TopicFact,
        TOPIC_FACT_FIELDS,
        TopicSnapshot,
        topic_ids,
        lambda ids: topic_snapshots(ids),
        Deltas.topic,
        Topic,
    )


def refresh_sessions(session_ids: Iterable[int]) -> list[tuple]:
    return _refresh(
        SessionFact,
        SESSION_FACT_FIELDS,
        SessionSnapshot,
        session_ids,
        lambda ids: session_snapshots(ids),
        Deltas.session,
        Consultation,
    )


# -- whole tables ------------------------------------------------------------------------------
def _fresh() -> tuple[dict, dict, Deltas]:
    ancestry = Ancestry(preload=True)
    topics = dict(topic_snapshots(ancestry=ancestry))
    sessions = dict(session_snapshots(ancestry=ancestry))
    deltas = Deltas()
    for snap in topics.values():
        deltas.topic(snap)
    for snap in sessions.values():
        deltas.session(snap)
    return topics, sessions, deltas


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)  # ints, dates (ISO) and node strings: no tabs, newlines or backslashes


def _write(model, rows: list[tuple], columns: tuple[str, ...]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order): PostgreSQL ``COPY`` (millions of rows at
    province scale), ``bulk_create`` elsewhere."""
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        fields = {f.name: f.column for f in model._meta.concrete_fields} | {
            f.attname: f.column for f in model._meta.concrete_fields
        }
        sql = f"COPY {table} ({', '.join(fields[c] for c in columns)}) FROM STDIN"
        batch = 200_000
        with connection.cursor() as cursor:
            for i in range(0, len(rows), batch):
                text = "".join(
                    "\t".join(_copy_value(v) for v in row) + "\n" for row in rows[i : i + batch]
                )
                cursor.copy_expert(sql, io.StringIO(text))
        return
    batch = 5_000
    for i in range(0, len(rows), batch):
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows[i : i + batch]]
        )


def rebuild() -> dict[str, int]:
    """Recompute every snapshot, count and day bitmap from the records; returns row counts."""
    from .bits import rebuild_bits

    models = (NodeCount, NodeResolveDays, TopicFact, SessionFact)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Writers wait until the rebuild commits (readers go on reading the old rows until
            # the TRUNCATE), so no change lands between reading the records and replacing the
            # tables; a writer that was first has committed before the records are read.
            with connection.cursor() as cursor:
                locked = (*models, VenueYear, MemberYear)
                tables = ", ".join(m._meta.db_table for m in locked)
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
        topics, sessions, deltas = _fresh()
        counts, days = deltas.nonzero()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE " + ", ".join(m._meta.db_table for m in models))
        else:
            for model in models:
                model.objects.all().delete()
        _write(
            TopicFact,
            [(pk, *snap.__dict__.values()) for pk, snap in topics.items()],
            ("topic_id", *TOPIC_FACT_FIELDS),
        )
        _write(
            SessionFact,
            [(pk, *snap.__dict__.values()) for pk, snap in sessions.items()],
            ("consultation_id", *SESSION_FACT_FIELDS),
        )
        _write(NodeCount, [(*k, *r) for k, r in counts], ("node", "grain", "day", *COUNTERS))
        _write(
            NodeResolveDays,
            [(*k, n) for k, n in days],
            ("node", "grain", "day", "kind", "days", "n"),
        )
        bitmaps = rebuild_bits()
        stamp_version()
    return {
        "topics": len(topics),
        "sessions": len(sessions),
        "counts": len(counts),
        "resolve_days": len(days),
        **bitmaps,
    }


def stored_version() -> int | None:
    return (
        SummaryDefinition.objects.filter(name=DEFINITION_NAME)
        .values_list("version", flat=True)
        .first()
    )


def stamp_version() -> None:
    SummaryDefinition.objects.update_or_create(
        name=DEFINITION_NAME, defaults={"version": DEFINITION_VERSION}
    )


def rebuild_if_stale() -> dict[str, int] | None:
    """Rebuild when the stored rows were computed with other definitions than the code's, or
    when the tables are empty beside records (the first upgrade to a version with them);
    returns the rebuild's row counts, or None if nothing was needed."""
    from topics.models import Consultation, Topic

    from .models import MemberYear

    has_records = Topic.objects.exists() or Consultation.objects.exists()
    if not has_records:
        if stored_version() != DEFINITION_VERSION:
            stamp_version()
        return None
    empty = not all(m.objects.exists() for m in (NodeCount, VenueYear, MemberYear))
    if stored_version() == DEFINITION_VERSION and not empty:
        return None
    return rebuild()


def check(limit: int = 20) -> list[str]:
    """Differences between the stored tables and a fresh computation (at most ``limit``)."""
    topics, sessions, deltas = _fresh()
    counts, days = deltas.nonzero()
    problems: list[str] = []
    stored = stored_version()
    if stored is not None and stored != DEFINITION_VERSION:
        problems.append(f"定义版本: 存储 {stored} ≠ 代码 {DEFINITION_VERSION}")

    def compare(label: str, stored: dict, fresh: dict) -> None:
        for key in sorted(set(stored) | set(fresh), key=str):
            if stored.get(key) != fresh.get(key):
                problems.append(f"{label} {key}: 存储 {stored.get(key)} ≠ 重算 {fresh.get(key)}")

    compare(
        "议题",
        {
            r[0]: TopicSnapshot(*r[1:])
            for r in TopicFact.objects.values_list("pk", *TOPIC_FACT_FIELDS)
        },
        topics,
    )
    compare(
        "活动",
        {
            r[0]: SessionSnapshot(*r[1:])
            for r in SessionFact.objects.values_list("pk", *SESSION_FACT_FIELDS)
        },
        sessions,
    )
    stored_counts = {
        r[:3]: list(r[3:])
        for r in NodeCount.objects.values_list("node", "grain", "day", *COUNTERS)
        if any(r[3:])
    }
    compare("汇总", stored_counts, dict(counts))
    stored_days = {
        r[:5]: r[5]
        for r in NodeResolveDays.objects.values_list("node", "grain", "day", "kind", "days", "n")
        if r[5]
    }
    compare("办结用时", stored_days, dict(days))
    from .bits import check_bits

    for row in check_bits():
        problems.append(
            f"日位图 {row['table']} {row['entity']} {row['year']}: "
            f"存储 {row['stored']} ≠ 重算 {row['fresh']}"
        )
    return problems[:limit]


# -- bulk loads ---------------------------------------------------------------------------------
_paused = threading.local()


@contextlib.contextmanager
def bulk_changes():
    """For bulk loads and deletes (demo data): skip the per-record refreshes while the block
    runs, then rebuild everything once at its end (inside the caller's transaction)."""
    depth = getattr(_paused, "depth", 0)
    _paused.depth = depth + 1
    try:
        yield
    finally:
        _paused.depth = depth
    if depth == 0:
        rebuild()


def paused() -> bool:
    """True inside ``bulk_changes()``: the receivers (``dashboards.signals``) wait for the
    rebuild at its end."""
    return bool(getattr(_paused, "depth", 0))


# -- reading: a span of days as rows of the two grains -----------------------------------------
def _month_length(day: datetime.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _prefix(x: datetime.date, base_year: int, terms: dict, sign: int) -> None:
    """Add ``sign`` × (every row counted on a day from 1 January of ``base_year`` to ``x``) to
    ``terms`` as blocks: the years before ``x``'s, then within its year whichever of "the months
    before" or "the year minus the months from this one on" has fewer blocks, and within its
    month whichever of "the days so far" or "the month minus the days after" has fewer."""

    def add(grain: str, day: datetime.date, coefficient: int) -> None:
        terms[(grain, day)] = terms.get((grain, day), 0) + sign * coefficient

    for year in range(base_year, x.year):
        add(Grain.YEAR, datetime.date(year, 1, 1), 1)
    if x.month - 1 <= 6:
        for month in range(1, x.month):
            add(Grain.MONTH, datetime.date(x.year, month, 1), 1)
    else:
        add(Grain.YEAR, datetime.date(x.year, 1, 1), 1)
        for month in range(x.month, 13):
            add(Grain.MONTH, datetime.date(x.year, month, 1), -1)
    length = _month_length(x)
    if x.day <= length - x.day:
        for day in range(1, x.day + 1):
            add(Grain.DAY, x.replace(day=day), 1)
    else:
        add(Grain.MONTH, x.replace(day=1), 1)
        for day in range(x.day + 1, length + 1):
            add(Grain.DAY, x.replace(day=day), -1)


def span_terms(start: datetime.date, end: datetime.date) -> dict[tuple[str, datetime.date], int]:
    """The days ``start`` .. ``end`` as blocks of rows with a coefficient each:
    ``{(grain, day): ±1}``. E.g. 1 January .. 29 November = the year − December − 30 November
    (nothing is counted on a day that has not come yet, so a running period reads one block)."""
    terms: dict = {}
    before = start - datetime.timedelta(days=1)
    _prefix(end, before.year, terms, 1)
    _prefix(before, before.year, terms, -1)
    return {key: c for key, c in terms.items() if c}


def terms_sql(terms: dict) -> tuple[str, list, str, list]:
    """``(coefficient expression, its parameters, row condition, its parameters)``: sum
    ``column * coefficient`` over the rows meeting the condition."""
    by_coefficient: dict[int, list] = {}
    for (grain, day), c in sorted(terms.items()):
        by_coefficient.setdefault(c, []).append((grain, day))
    cases, case_params, conditions, condition_params = [], [], [], []
    for c, blocks in sorted(by_coefficient.items()):
        condition, params = _blocks_sql(blocks)
        cases.append(f"WHEN {condition} THEN {int(c)}")
        case_params += params
        conditions.append(condition)
        condition_params += params
    if not cases:
        return "0", [], "1 = 0", []
    return (
        "CASE " + " ".join(cases) + " ELSE 0 END",
        case_params,
        "(" + " OR ".join(conditions) + ")",
        condition_params,
    )


def _blocks_sql(blocks: list) -> tuple[str, list]:
    """``grain = … AND day IN (…)`` per grain, consecutive days as ranges."""
    parts, params = [], []
    for grain in (Grain.YEAR, Grain.MONTH, Grain.DAY):
        days = sorted(day for g, day in blocks if g == grain)
        if not days:
            continue
        if grain != Grain.DAY:
            parts.append(f"(grain = '{grain}' AND day IN ({', '.join(['%s'] * len(days))}))")
            params += days
            continue
        runs = []
        for day in days:
            if runs and day - runs[-1][1] == datetime.timedelta(days=1):
                runs[-1][1] = day
            else:
                runs.append([day, day])
        for first, last in runs:
            parts.append("(grain = 'D' AND day BETWEEN %s AND %s)")
            params += [first, last]
    return "(" + " OR ".join(parts) + ")", params


def until_sql(end: datetime.date) -> tuple[str, list, str, list]:
    """Every row counted on a day up to ``end`` (the "overdue now" count): the years before
    as one range, then ``end``'s year as in ``span_terms``."""
    year_start = end.replace(month=1, day=1)
    case, case_params, condition, condition_params = terms_sql(span_terms(year_start, end))
    before = "(grain = 'Y' AND day < %s)"
    return (
        f"CASE WHEN {before} THEN 1 ELSE {case} END",
        [year_start, *case_params],
        f"({before} OR {condition})",
        [year_start, *condition_params],
    )
