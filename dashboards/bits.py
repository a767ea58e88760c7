"""Venue and member figures from per-year day bitmaps — the same numbers as ``dashboards.records``,
one query each whatever the number of children.

The bitmaps (``VenueYear``, ``MemberYear``) say on which days a venue held a session or had an
outcome and on which days a member did each of the 五个一; ``dashboards.bitmap`` gives the
layout. They are kept in step with the records three ways:

- ``refresh_venue`` / ``refresh_member`` recompute one entity's rows in Python; the signals
  registered in ``DashboardsConfig.ready()`` (``dashboards.signals``) call them on every
  save()/delete() of a record they depend on;
- ``rebuild_bits()`` recomputes every row set-based in SQL, after the bulk paths that send no
  signals (bulk_create, queryset.update, the COPY loader of ``seed_province``);
- ``check_bits()`` compares the stored rows with a fresh SQL computation (empty when in step).

The two computations are written independently on purpose: the tests check each against the
other and both against ``dashboards.records``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, FilteredRelation, IntegerField, Q, Value
from django.db.models.functions import Substr
from django.db.models.lookups import GreaterThan

from members.models import Duty, DutyKind, DutyStatus, Member
from platforms.models import Area, StandardItem, VenueStandardRecord
from topics.lifecycle import RESOLVED_STATES
from topics.models import Attendance, AttendanceStatus, Consultation, Topic

from . import records
from .bitmap import CHUNKS, chunks_from_days, range_masks
from .models import MemberYear, VenueYear
from .periods import Period
from .scope import DashboardScope

TZ = ZoneInfo(settings.TIME_ZONE)  # Asia/Shanghai: the dates every figure is measured in

VENUE_BITS = ("active", "outcome")
# MemberYear column prefix → the duty kind whose completed duties set it.
MEMBER_BITS = {
    "proposal": DutyKind.PROPOSAL,
    "research": DutyKind.RESEARCH,
    "opinion": DutyKind.OPINION,
    "deed": DutyKind.DEED,
    "consult": DutyKind.CONSULTATION,  # and the days present at a session
}
RECORDED_ITEMS = tuple(StandardItem.values)


def _columns(prefixes: Iterable[str]) -> list[str]:
    return [f"{prefix}{k}" for prefix in prefixes for k in range(CHUNKS)]


VENUE_COLUMNS = _columns(VENUE_BITS)
MEMBER_COLUMNS = _columns(MEMBER_BITS)


# -- one entity, in Python (the signals) ---------------------------------------------------------
def _rows_by_year(days_by_prefix: dict[str, Iterable[datetime.date]]) -> dict[int, dict]:
    """``{prefix: days}`` → ``{year: {column: chunk}}`` for the years with a day set."""
    by_year: dict[int, dict[str, list[datetime.date]]] = defaultdict(lambda: defaultdict(list))
    for prefix, days in days_by_prefix.items():
        for day in days:
            by_year[day.year][prefix].append(day)
    rows = {}
    for year, prefixes in by_year.items():
        row = {}
        for prefix in days_by_prefix:
            for k, value in enumerate(chunks_from_days(prefixes.get(prefix, ()))):
                row[f"{prefix}{k}"] = value
        rows[year] = row
    return rows


def _local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(TZ).date()


def venue_rows(venue_id: int) -> dict[int, dict]:
    """A venue's rows computed from its records: ``{year: {column: value, "recorded_on"}}``."""
    active, outcome = [], []
    for held_at, text in Consultation.objects.filter(venue_id=venue_id).values_list(
        "held_at", "outcome"
    ):
        day = _local_date(held_at)
        active.append(day)
        if text:
            outcome.append(day)
    outcome += Topic.objects.filter(
        venue_id=venue_id, status__in=RESOLVED_STATES, resolved_on__isnull=False
    ).values_list("resolved_on", flat=True)
    met = dict(
        VenueStandardRecord.objects.filter(venue_id=venue_id, item__in=RECORDED_ITEMS).values_list(
            "item", "met_on"
        )
    )
    recorded_on = max(met.values()) if len(met) == len(RECORDED_ITEMS) else None
    rows = _rows_by_year({"active": active, "outcome": outcome})
    for row in rows.values():
        row["recorded_on"] = recorded_on
    return rows


def member_rows(member_id: int) -> dict[int, dict]:
    """A member's rows computed from their records: ``{year: {column: value}}``."""
    days: dict[str, list[datetime.date]] = {prefix: [] for prefix in MEMBER_BITS}
    prefix_of = {kind: prefix for prefix, kind in MEMBER_BITS.items()}
    for kind, day in Duty.objects.filter(
        member_id=member_id, status=DutyStatus.DONE, kind__in=list(prefix_of)
    ).values_list("kind", "date"):
        days[prefix_of[kind]].append(day)
    for held_at in Attendance.objects.filter(
        member_id=member_id, status=AttendanceStatus.PRESENT
    ).values_list("consultation__held_at", flat=True):
        days["consult"].append(_local_date(held_at))
    return _rows_by_year(days)


def refresh_venue(venue_id: int | None) -> None:
    """Recompute one venue's rows from its records (delete + insert)."""
    if venue_id is None:
        return
    with transaction.atomic():
        VenueYear.objects.filter(venue_id=venue_id).delete()
        rows = venue_rows(venue_id)
        VenueYear.objects.bulk_create(
            VenueYear(venue_id=venue_id, year=year, **row) for year, row in rows.items()
        )


def refresh_member(member_id: int | None) -> None:
    """Recompute one member's rows from their records (delete + insert)."""
    if member_id is None:
        return
    with transaction.atomic():
        MemberYear.objects.filter(member_id=member_id).delete()
        rows = member_rows(member_id)
        MemberYear.objects.bulk_create(
            MemberYear(member_id=member_id, year=year, **row) for year, row in rows.items()
        )


def refresh_members(member_ids: Iterable[int | None]) -> None:
    for member_id in sorted({m for m in member_ids if m is not None}):
        refresh_member(member_id)


# -- everything, set-based in SQL (bulk loads, checks) ---------------------------------------------
def _sql_parts():
    """Backend-specific SQL: a timestamp's Shanghai date, a date's year and 0-based day of year,
    and a 64-bit one to shift."""
    qn = connection.ops.quote_name

    def local_date(column: str) -> tuple[str, list]:
        sql, params = connection.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)
        return sql, list(params)

    if connection.vendor == "postgresql":
        year = "CAST(EXTRACT(YEAR FROM {}) AS INTEGER)"
        doy = "(CAST(EXTRACT(DOY FROM {}) AS INTEGER) - 1)"
        one = "CAST(1 AS BIGINT)"
    else:
        year = "CAST(strftime('%%Y', {}) AS INTEGER)"
        doy = "(CAST(strftime('%%j', {}) AS INTEGER) - 1)"
        one = "1"
    return qn, local_date, year, doy, one


def _bits_select(events: str, prefixes: dict[str, str], extra: str = "") -> str:
    """``SELECT e, yr, <chunk sums>`` over ``events`` (rows ``e, k, d``): distinct (entity, key,
    day) first, so a plain SUM of distinct powers of two is their bitwise OR."""
    _, _, year, doy, one = _sql_parts()
    sums = []
    for key in prefixes.values():
        for k in range(CHUNKS):
            sums.append(
                f"SUM(CASE WHEN x.k = '{key}' AND x.doy / 61 = {k} "
                f"THEN {one} << (x.doy %% 61) ELSE 0 END)"
            )
    return (
        f"SELECT x.e, x.yr{extra}, {', '.join(sums)} FROM ("
        f"SELECT u.e, u.k, {year.format('u.d')} AS yr, {doy.format('u.d')} AS doy FROM ("
        f"SELECT DISTINCT e, k, d FROM ({events}) ev) u) x GROUP BY x.e, x.yr"
    )


def _venue_select() -> tuple[str, list]:
    qn, local_date, _, _, _ = _sql_parts()
    session = qn(Consultation._meta.db_table)
    topic = qn(Topic._meta.db_table)
    record = qn(VenueStandardRecord._meta.db_table)
    held, held_params = local_date(f"c.{qn('held_at')}")
    states = sorted(RESOLVED_STATES)
    events = (
        f"SELECT c.{qn('venue_id')} AS e, 'a' AS k, {held} AS d FROM {session} c "
        f"UNION ALL SELECT c.{qn('venue_id')}, 'o', {held} FROM {session} c "
        f"WHERE c.{qn('outcome')} <> '' "
        f"UNION ALL SELECT t.{qn('venue_id')}, 'o', t.{qn('resolved_on')} FROM {topic} t "
        f"WHERE t.{qn('venue_id')} IS NOT NULL AND t.{qn('resolved_on')} IS NOT NULL "
        f"AND t.{qn('status')} IN ({', '.join(['%s'] * len(states))})"
    )
    params = [*held_params, *held_params, *states]
    items = ", ".join(["%s"] * len(RECORDED_ITEMS))
    recorded = (
        f", (SELECT CASE WHEN COUNT(DISTINCT r.{qn('item')}) = {len(RECORDED_ITEMS)} "
        f"THEN MAX(r.{qn('met_on')}) END FROM {record} r "
        f"WHERE r.{qn('venue_id')} = x.e AND r.{qn('item')} IN ({items}))"
    )
    sql = _bits_select(events, {"active": "a", "outcome": "o"}, extra=recorded)
    # The correlated subquery's parameters come before the events' in the statement.
    return sql, [*RECORDED_ITEMS, *params]


def _member_select() -> tuple[str, list]:
    qn, local_date, _, _, _ = _sql_parts()
    duty = qn(Duty._meta.db_table)
    attendance = qn(Attendance._meta.db_table)
    session = qn(Consultation._meta.db_table)
    held, held_params = local_date(f"c.{qn('held_at')}")
    kinds = list(MEMBER_BITS.values())
    events = (
        f"SELECT t.{qn('member_id')} AS e, t.{qn('kind')} AS k, t.{qn('date')} AS d "
        f"FROM {duty} t WHERE t.{qn('status')} = %s "
        f"AND t.{qn('kind')} IN ({', '.join(['%s'] * len(kinds))}) "
        f"UNION ALL SELECT a.{qn('member_id')}, %s, {held} FROM {attendance} a "
        f"JOIN {session} c ON c.{qn('id')} = a.{qn('consultation_id')} "
        f"WHERE a.{qn('status')} = %s"
    )
    params = [
        DutyStatus.DONE,
        *kinds,
        DutyKind.CONSULTATION,
        *held_params,
        AttendanceStatus.PRESENT,
    ]
    prefixes = {prefix: str(kind) for prefix, kind in MEMBER_BITS.items()}
    for key in prefixes.values():
        assert "'" not in key
    return _bits_select(events, prefixes), params


def rebuild_bits() -> dict[str, int]:
    """Recompute every row from the records, set-based (delete all, INSERT ... SELECT)."""
    qn = connection.ops.quote_name
    venue_sql, venue_params = _venue_select()
    member_sql, member_params = _member_select()
    venue_cols = ", ".join(qn(c) for c in ["venue_id", "year", "recorded_on", *VENUE_COLUMNS])
    member_cols = ", ".join(qn(c) for c in ["member_id", "year", *MEMBER_COLUMNS])
    # The SELECT lists entity, year, [recorded_on,] chunks: reorder recorded_on to match.
    with transaction.atomic(), connection.cursor() as cursor:
        tables = [qn(VenueYear._meta.db_table), qn(MemberYear._meta.db_table)]
        if connection.vendor == "postgresql":
            # No dead rows left behind: a rebuild does not double the tables until VACUUM.
            # TRUNCATE refuses tables with deferred foreign-key checks pending (rows written
            # earlier in this transaction): run the checks now, as check_constraints() does.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {qn(VenueYear._meta.db_table)} ({venue_cols}) {venue_sql}", venue_params
        )
        cursor.execute(
            f"INSERT INTO {qn(MemberYear._meta.db_table)} ({member_cols}) {member_sql}",
            member_params,
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {tables[0]}")
            cursor.execute(f"ANALYZE {tables[1]}")
    return {"venue_years": VenueYear.objects.count(), "member_years": MemberYear.objects.count()}


def _fresh(select) -> dict[tuple, tuple]:
    sql, params = select()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(row[0], row[1]): tuple(_normal(v) for v in row[2:]) for row in cursor.fetchall()}


def _normal(value):
    if isinstance(value, str):  # SQLite hands back dates as text
        return datetime.date.fromisoformat(value)
    return None if value is None else value if isinstance(value, datetime.date) else int(value)


def check_bits() -> list[dict]:
    """The differences between the stored rows and a fresh computation from the records:
    ``[{"table", "entity", "year", "stored", "fresh"}]`` (a missing row is ``None``); empty
    when the bitmaps are in step."""
    problems = []
    stored_venues = {
        (r[0], r[1]): tuple(r[2:])
        for r in VenueYear.objects.values_list("venue_id", "year", "recorded_on", *VENUE_COLUMNS)
    }
    stored_members = {
        (r[0], r[1]): tuple(r[2:])
        for r in MemberYear.objects.values_list("member_id", "year", *MEMBER_COLUMNS)
    }
    for table, stored, fresh in (
        ("venue", stored_venues, _fresh(_venue_select)),
        ("member", stored_members, _fresh(_member_select)),
    ):
        for key in sorted(stored.keys() | fresh.keys()):
            if stored.get(key) != fresh.get(key):
                problems.append(
                    {
                        "table": table,
                        "entity": key[0],
                        "year": key[1],
                        "stored": stored.get(key),
                        "fresh": fresh.get(key),
                    }
                )
    return problems


# -- the counts ------------------------------------------------------------------------------------
# Each entity stays one row: its year rows are LEFT JOINed at most once per alias, so a figure is
# a plain conditional count grouped by child. A period within one year joins its year's row with
# the period's whole condition in the ON clause (``p<i>``: only the rows that count are hashed);
# a period over several years joins each year it touches (``y<year>``) and ORs their masks.


def _single_year(period: Period) -> bool:
    return period.start.year == period.effective_end.year


def _any_day_q(prefix: str, period: Period, relation) -> Q:
    """A day of ``period`` is set in the ``prefix`` bitmap; ``relation(year)`` names the joined
    row holding that year."""
    condition = Q(pk__in=[])
    for year, masks in range_masks(period.start, period.effective_end).items():
        for k, mask in enumerate(masks):
            if mask:
                column = F(f"{relation(year)}__{prefix}{k}")
                condition |= Q(GreaterThan(column.bitand(mask), 0))
    return condition


def _joins(periods: list[Period], condition_for) -> tuple[dict, dict]:
    """The FilteredRelations to annotate, and per period the relation naming its year rows.

    ``condition_for(period, relation)`` is the condition pushed into a single-year period's
    join (``relation`` is the join's own name, "dashboard_years")."""
    joins = {}
    relation_of = {}
    for i, period in enumerate(periods):
        if _single_year(period):
            condition = Q(dashboard_years__year=period.start.year)
            condition &= condition_for(period, "dashboard_years")
            joins[f"p{i}"] = FilteredRelation("dashboard_years", condition=condition)
            relation_of[i] = lambda year, i=i: f"p{i}"
        else:
            for year in range(period.start.year, period.effective_end.year + 1):
                joins[f"y{year}"] = FilteredRelation(
                    "dashboard_years", condition=Q(dashboard_years__year=year)
                )
            relation_of[i] = lambda year: f"y{year}"
    return joins, relation_of


def _run(qs, child_expression, aggregates: dict) -> dict:
    """One query: ``{None: row}`` ungrouped, else ``{child: row}``."""
    if child_expression is None:
        return {None: {k: v or 0 for k, v in qs.aggregate(**aggregates).items()}}
    rows = qs.annotate(child=child_expression).values("child").annotate(**aggregates).order_by()
    return {row.pop("child"): {k: v or 0 for k, v in row.items()} for row in rows}


def _child_expression(node: DashboardScope, child: str | None):
    if child is None:
        return None
    if node.is_venue:
        raise ValueError("a venue node has no children")
    if child == "area":
        return Substr("area__path", 1, len(node.area.path) + Area.steplen)
    if child == "venue":
        return F("pk")
    raise ValueError(f"unknown child level {child!r}")


def _split(rows: dict, periods: list[Period], names: tuple[str, ...]) -> list[dict]:
    return [
        {key: {name: row[f"{name}_p{i}"] for name in names} for key, row in rows.items()}
        for i in range(len(periods))
    ]


def _active_q(period: Period, relation) -> Q:
    return _any_day_q("active", period, relation)


def _standard_extra_q(period: Period, relation) -> Q:
    """Beyond being active: an outcome in the period and the four recorded items met by its
    last day (every year row of a venue holds the same ``recorded_on``)."""
    recorded = Q(pk__in=[])
    for year in range(period.start.year, period.effective_end.year + 1):
        recorded |= Q(**{f"{relation(year)}__recorded_on__lte": period.effective_end})
    return _any_day_q("outcome", period, relation) & recorded


def venue_counts(
    node: DashboardScope, periods: list[Period], child: str | None = None
) -> list[dict]:
    """Per period, ``{child_key: {"venues", "active_venues", "standard_venues"}}`` — one query.

    ``child`` None: key None, the node itself; "area": the child area's path prefix (as in
    ``figures.child_rows``); "venue": the venue's id (every venue in use in the node)."""
    joins, relation_of = _joins(periods, lambda p, rel: _active_q(p, lambda year: rel))
    qs = records.venues(node).annotate(**joins)
    aggregates = {}
    for i, period in enumerate(periods):
        relation = relation_of[i]
        aggregates[f"venues_p{i}"] = Count("pk")
        if _single_year(period):
            joined = relation(period.start.year)
            aggregates[f"active_venues_p{i}"] = Count(f"{joined}__id")
            aggregates[f"standard_venues_p{i}"] = Count(
                f"{joined}__id", filter=_standard_extra_q(period, relation)
            )
        else:
            active = _active_q(period, relation)
            aggregates[f"active_venues_p{i}"] = Count("pk", filter=active)
            aggregates[f"standard_venues_p{i}"] = Count(
                "pk", filter=active & _standard_extra_q(period, relation)
            )
    rows = _run(qs, _child_expression(node, child), aggregates)
    return _split(rows, periods, ("venues", "active_venues", "standard_venues"))


def _five_ones_q(period: Period, relation) -> Q:
    condition = Q()
    for prefix in MEMBER_BITS:
        condition &= _any_day_q(prefix, period, relation)
    return condition


def _member_query(node: DashboardScope, periods: list[Period], child: str | None):
    """The members queryset, the child expression and the aggregates of ``member_counts``."""
    expression = _child_expression(node, child)
    joins, relation_of = _joins(periods, lambda p, rel: _five_ones_q(p, lambda year: rel))
    qs = Member.objects.filter(is_active=True)
    via_assignment = node.is_venue or child == "venue"
    if via_assignment:
        # One row per assignment overlapping a period: members are counted distinct.
        venue_ids = [node.venue.pk] if node.is_venue else records.venues(node).values("pk")
        overlap = Q(pk__in=[])
        for period in periods:
            overlap |= records.assigned_q(period, "assignments__")
        qs = qs.annotate(asg=FilteredRelation("assignments", condition=overlap)).filter(
            asg__venue__in=venue_ids
        )
        if child == "venue":
            expression = F("asg__venue_id")
    else:
        qs = qs.filter(records.member_node_q(node, periods[0]))
    qs = qs.annotate(**joins)
    aggregates = {}
    for i, period in enumerate(periods):
        relation = relation_of[i]
        if _single_year(period):
            done = Q(**{f"{relation(period.start.year)}__id__isnull": False})
        else:
            done = _five_ones_q(period, relation)
        members = records.assigned_q(period, "asg__") if via_assignment else Q()
        aggregates[f"members_p{i}"] = Count("pk", filter=members or None, distinct=via_assignment)
        aggregates[f"members_five_ones_p{i}"] = Count(
            "pk", filter=members & done, distinct=via_assignment
        )
    return qs, expression, aggregates


def member_counts(
    node: DashboardScope, periods: list[Period], child: str | None = None
) -> list[dict]:
    """Per period, ``{child_key: {"members", "members_five_ones"}}`` — one query.

    Area node: active members whose area is in the node (``child`` "area": keyed by the child
    area's path prefix). Venue node, or ``child`` "venue" (keyed by venue id): active members
    with an assignment to the venue overlapping the period."""
    qs, expression, aggregates = _member_query(node, periods, child)
    rows = _run(qs, expression, aggregates)
    return _split(rows, periods, ("members", "members_five_ones"))


def member_counts_with_venues(node: DashboardScope, periods: list[Period], own) -> list[dict]:
    """``member_counts(node, periods)`` keyed ``own`` and ``member_counts(node, periods,
    "venue")`` together, in one statement (``UNION ALL``): at a community the node counts its
    committee members while its venues count the members sent down to them."""
    area_qs, _, aggregates = _member_query(node, periods, None)
    venue_qs, expression, venue_aggregates = _member_query(node, periods, "venue")
    whole = area_qs.annotate(child=Value(0, output_field=IntegerField())).values("child")
    whole = whole.annotate(**aggregates).order_by()
    by_venue = venue_qs.annotate(child=expression).values("child")
    by_venue = by_venue.annotate(**venue_aggregates).order_by()
    rows = {}
    for row in whole.union(by_venue, all=True):
        child = row.pop("child")
        rows[own if child == 0 else child] = {k: v or 0 for k, v in row.items()}
    return _split(rows, periods, ("members", "members_five_ones"))
