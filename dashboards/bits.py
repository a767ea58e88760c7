"""Venue and member figures from per-year day bitmaps — the same numbers as ``dashboards.records``,
one query each whatever the number of children.

The bitmaps (``VenueYear``, ``MemberYear``) say on which days a venue held a session or had an
outcome and on which days a member did each of the 五个一; ``dashboards.bitmap`` gives the
layout. They are kept in step with the records three ways:

- ``refresh_venue`` / ``refresh_member`` recompute one entity's rows in Python; the receivers
  registered in ``DashboardsConfig.ready()`` (``dashboards.signals``) call them on every
  write of a record they depend on (save, delete, bulk_create, queryset.update);
- ``rebuild_bits()`` recomputes every row set-based in SQL, after the loads that go around
  them (``summaries.bulk_changes()``, loaddata, the COPY loader of ``seed_province``);
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

from members import rules as five_ones
from members.models import Duty, DutyKind, Member
from platforms.models import Area, StandardItem, Venue, VenueStandardRecord
from topics.lifecycle import RESOLVED_STATES
from topics.models import Attendance, AttendanceStatus, Consultation, Topic

from .bitmap import CHUNKS, chunks_from_days, range_masks
from .models import MemberYear, VenueYear
from .periods import Period
from .scope import DashboardScope

TZ = ZoneInfo(settings.TIME_ZONE)  # Asia/Shanghai: the dates every figure is measured in

VENUE_BITS = ("active", "outcome")
# The MemberYear column prefix that stores each kind's days (a storage name only).
MEMBER_BIT_PREFIX = {
    DutyKind.PROPOSAL: "proposal",
    DutyKind.RESEARCH: "research",
    DutyKind.OPINION: "opinion",
    DutyKind.DEED: "deed",
    DutyKind.CONSULTATION: "consult",
}
# MemberYear column prefix → the 五个一 kind (``members.rules``) whose counted duties set it; the
# prefix of ``five_ones.ATTENDED_KIND`` also gets the days present at a session.
MEMBER_BITS = {MEMBER_BIT_PREFIX[kind]: kind for kind in five_ones.FIVE_ONES}
ATTENDED_PREFIX = MEMBER_BIT_PREFIX[five_ones.ATTENDED_KIND]
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
        member_id=member_id, status=five_ones.COUNTED_DUTY_STATUS, kind__in=list(prefix_of)
    ).values_list("kind", "date"):
        days[prefix_of[kind]].append(day)
    for held_at in Attendance.objects.filter(
        member_id=member_id, status=AttendanceStatus.PRESENT
    ).values_list("consultation__held_at", flat=True):
        days[ATTENDED_PREFIX].append(_local_date(held_at))
    return _rows_by_year(days)


def refresh_venue(venue_id: int | None) -> None:
    """Recompute one venue's rows from its records (delete + insert)."""
    if venue_id is None:
        return
    with transaction.atomic():
        # Concurrent refreshes of one venue wait for each other here (PostgreSQL), so the
        # second one deletes what the first inserted instead of colliding with it.
        list(Venue.objects.select_for_update().filter(pk=venue_id).values_list("pk"))
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
        list(Member.objects.select_for_update().filter(pk=member_id).values_list("pk"))
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
        five_ones.COUNTED_DUTY_STATUS,
        *kinds,
        five_ones.ATTENDED_KIND,
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


def _split(rows: dict, periods: list[Period], names: tuple[str, ...]) -> list[dict]:
    return [
        {key: {name: row[f"{name}_p{i}"] for name in names} for key, row in rows.items()}
        for i in range(len(periods))
    ]


# -- the counts as SQL written by hand -----------------------------------------------------------
# Built through the ORM, the FilteredRelation joins and thirty bit tests per period cost more to
# compile than PostgreSQL takes to run them (~17 ms of a district page); the statements below say
# the same as the querysets above, which the tests hold them equal to.
def _any_sql(alias: str, prefix: str, masks: list[int]) -> str:
    tests = [f"({alias}.{prefix}{k} & {int(m)}) <> 0" for k, m in enumerate(masks) if m]
    return "(" + " OR ".join(tests) + ")" if tests else "(1 = 0)"


class _YearJoins:
    """LEFT JOINs of an entity's year rows, and per period the SQL test "the period's days
    meet ``condition``": a period within one year joins its year row with the test inside the
    join (the row is there or not); a longer one joins each of its years plainly and tests
    ``across([(alias, masks) per year])``."""

    def __init__(self, table: str, fk: str, entity: str, periods: list[Period], condition, across):
        self.joins: list[str] = []
        self.params: list = []
        self.tests: list[str] = []
        years_joined: set[int] = set()
        for i, period in enumerate(periods):
            masks = range_masks(period.start, period.effective_end)
            if _single_year(period):
                year = period.start.year
                alias = f"p{i}"
                self.joins.append(
                    f"LEFT JOIN {table} {alias} ON {alias}.{fk} = {entity} "
                    f"AND {alias}.year = {year} AND {condition(alias, masks[year], period)}"
                )
                self.tests.append(f"{alias}.id IS NOT NULL")
                continue
            spans = []
            for year, year_masks in masks.items():
                alias = f"y{year}"
                if year not in years_joined:
                    years_joined.add(year)
                    self.joins.append(
                        f"LEFT JOIN {table} {alias} ON {alias}.{fk} = {entity} "
                        f"AND {alias}.year = {year}"
                    )
                spans.append((alias, year_masks))
            self.tests.append(across(spans))


def _venue_filter(node: DashboardScope) -> tuple[str, list]:
    if node.is_venue:
        return "v.id = %s", [node.venue.pk]
    return "a.path LIKE %s", [node.area.path + "%"]


def _group(node: DashboardScope, child: str | None, area_alias: str, id_column: str):
    if child is None:
        return "0", ""
    if node.is_venue:
        raise ValueError("a venue node has no children")
    if child == "area":
        length = len(node.area.path) + Area.steplen
        return f"SUBSTR({area_alias}.path, 1, {length})", "GROUP BY 1"
    if child == "venue":
        return id_column, "GROUP BY 1"
    raise ValueError(f"unknown child level {child!r}")


def _fetch(sql: str, params: list, names: list[str], keyed_none: bool) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = {}
    for child, *values in rows:
        result[None if keyed_none else child] = {
            name: value or 0 for name, value in zip(names, values, strict=True)
        }
    return result


def venue_counts(
    node: DashboardScope, periods: list[Period], child: str | None = None
) -> list[dict]:
    """Per period, ``{child_key: {"venues", "active_venues", "standard_venues"}}`` — one query.

    ``child`` None: key None, the node itself; "area": the child area's path prefix (as in
    ``figures.child_rows``); "venue": the venue's id (every venue in use in the node)."""
    active = _YearJoins(
        VenueYear._meta.db_table,
        "venue_id",
        "v.id",
        periods,
        lambda alias, masks, period: _any_sql(alias, "active", masks),
        lambda spans: _across(spans, ("active",)),
    )
    select, names = [], []
    for i, period in enumerate(periods):
        standard = []
        for year, masks in range_masks(period.start, period.effective_end).items():
            alias = f"p{i}" if _single_year(period) else f"y{year}"
            standard.append(f"({_any_sql(alias, 'outcome', masks)} AND {alias}.recorded_on <= %s)")
        select += [
            "COUNT(*)",
            f"COUNT(*) FILTER (WHERE {active.tests[i]})",
            f"COUNT(*) FILTER (WHERE {active.tests[i]} AND ({' OR '.join(standard)}))",
        ]
        names += [f"venues_p{i}", f"active_venues_p{i}", f"standard_venues_p{i}"]
    standard_params = [
        period.effective_end
        for period in periods
        for _ in range_masks(period.start, period.effective_end)
    ]
    group, group_by = _group(node, child, "a", "v.id")
    where, where_params = _venue_filter(node)
    sql = (
        f"SELECT {group}, {', '.join(select)} FROM platforms_venue v "
        "JOIN platforms_area a ON a.id = v.area_id "
        f"{' '.join(active.joins)} WHERE v.is_active AND {where} {group_by}"
    )
    rows = _fetch(sql, [*standard_params, *where_params], names, child is None)
    return _split(rows, periods, ("venues", "active_venues", "standard_venues"))


def _across(spans: list[tuple[str, list[int]]], prefixes) -> str:
    """Each of ``prefixes`` has a day set in one of the years' rows (not necessarily the same
    year for each)."""
    return (
        "("
        + " AND ".join(
            "(" + " OR ".join(_any_sql(alias, prefix, masks) for alias, masks in spans) + ")"
            for prefix in prefixes
        )
        + ")"
    )


def _five_sql(alias: str, masks: list[int], period: Period) -> str:
    return _across([(alias, masks)], MEMBER_BITS)


def _member_statement(node: DashboardScope, periods: list[Period], child: str | None, own=0):
    """``(sql, params, names)`` of ``member_counts``; ``own``: the child key of the node's own
    row when ``child`` is None (0 keeps the column an integer for ``UNION ALL``)."""
    five = _YearJoins(
        MemberYear._meta.db_table,
        "member_id",
        "m.id",
        periods,
        _five_sql,
        lambda spans: _across(spans, MEMBER_BITS),
    )
    select, names, params = [], [], []
    via_assignment = node.is_venue or child == "venue"
    for i, period in enumerate(periods):
        if via_assignment:
            overlap = "s.started_on <= %s AND (s.ended_on IS NULL OR s.ended_on >= %s)"
            select += [
                f"COUNT(DISTINCT CASE WHEN {overlap} THEN m.id END)",
                f"COUNT(DISTINCT CASE WHEN {overlap} AND {five.tests[i]} THEN m.id END)",
            ]
            params += [period.effective_end, period.start] * 2
        else:
            select += ["COUNT(*)", f"COUNT(*) FILTER (WHERE {five.tests[i]})"]
        names += [f"members_p{i}", f"members_five_ones_p{i}"]
    if via_assignment:
        if node.is_venue:
            venues, venue_params = "%s", [node.venue.pk]
        else:
            venues = (
                "SELECT v.id FROM platforms_venue v JOIN platforms_area a ON a.id = v.area_id "
                "WHERE v.is_active AND a.path LIKE %s"
            )
            venue_params = [node.area.path + "%"]
        overlaps = " OR ".join(
            "(s.started_on <= %s AND (s.ended_on IS NULL OR s.ended_on >= %s))" for _ in periods
        )
        group = "s.venue_id" if child == "venue" else str(int(own))
        sql = (
            f"SELECT {group}, {', '.join(select)} FROM members_assignment s "
            "JOIN members_member m ON m.id = s.member_id "
            f"{' '.join(five.joins)} WHERE m.is_active AND s.venue_id IN ({venues}) "
            f"AND ({overlaps}) {'GROUP BY 1' if child == 'venue' else ''}"
        )
        params += venue_params
        params += [v for period in periods for v in (period.effective_end, period.start)]
        return sql, params, names
    group, group_by = _group(node, child, "a", "m.id")
    if child is None:
        group = str(int(own))
    sql = (
        f"SELECT {group}, {', '.join(select)} FROM members_member m "
        "JOIN platforms_area a ON a.id = m.area_id "
        f"{' '.join(five.joins)} WHERE m.is_active AND a.path LIKE %s {group_by}"
    )
    return sql, [*params, node.area.path + "%"], names


def member_counts(
    node: DashboardScope, periods: list[Period], child: str | None = None
) -> list[dict]:
    """Per period, ``{child_key: {"members", "members_five_ones"}}`` — one query.

    Area node: active members whose area is in the node (``child`` "area": keyed by the child
    area's path prefix). Venue node, or ``child`` "venue" (keyed by venue id): active members
    with an assignment to the venue overlapping the period."""
    sql, params, names = _member_statement(node, periods, child)
    rows = _fetch(sql, params, names, child is None)
    return _split(rows, periods, ("members", "members_five_ones"))


def member_counts_with_venues(node: DashboardScope, periods: list[Period], own) -> list[dict]:
    """``member_counts(node, periods)`` keyed ``own`` and ``member_counts(node, periods,
    "venue")`` together, in one statement (``UNION ALL``): at a community the node counts its
    committee members while its venues count the members sent down to them."""
    whole, whole_params, names = _member_statement(node, periods, None, own=0)
    by_venue, venue_params, _ = _member_statement(node, periods, "venue")
    rows = _fetch(
        f"SELECT * FROM ({whole}) w UNION ALL SELECT * FROM ({by_venue}) b",
        [*whole_params, *venue_params],
        names,
        False,
    )
    rows = {own if key == 0 else key: values for key, values in rows.items()}
    return _split(rows, periods, ("members", "members_five_ones"))
