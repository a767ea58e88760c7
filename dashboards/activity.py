"""Participation and follow-up figures that are distinct counts, read from the records.

参与委员人数 (distinct members present), 协商议题 (distinct topics on the agenda of a session held
in the period), 参与部门 (distinct units taking part in those sessions), 重新办理 (the reopen moves
rated → referred made in the period) and 跟踪问效 (topics now in follow-up). A distinct count is
not the sum of per-day counts (a member at two sessions is one person), so these are not kept in
the per-day summaries (``dashboards.models``): one statement counts them for a node and its
children and both periods, from the indexed session dates (``consultation_held_idx``), the
event index (``topicevent_to_at_idx``) and the topics' status.

``activity_counts(node, periods, child)`` returns, per period, ``{child ident: counts}`` with
``None`` the node itself (always present), as ``figures._raw_counts`` expects.
"""

from __future__ import annotations

from django.db import connection

from platforms.models import Area, Venue
from topics.lifecycle import MOVES, REOPEN, TopicStatus
from topics.models import (
    Attendance,
    AttendanceStatus,
    Consultation,
    ConsultationTopic,
    Topic,
    TopicEvent,
)

from .periods import Period
from .records import datetime_range
from .scope import DashboardScope

# raw name → the row kind of the union below
KINDS = {
    "members_distinct": "m",
    "agenda_topics": "t",
    "departments": "d",
    "reopened": "r",
}
NOW_KINDS = {"follow_up_open": "f"}  # "now" figures: the same for every period
NAMES = (*KINDS, *NOW_KINDS)

# The reopen move (重新办理, the lifecycle's "reopen"): a rated topic sent back to 交办.
_REOPEN = next(m for m in MOVES if m.name == REOPEN)
REOPEN_FROM, REOPEN_TO = _REOPEN.source, _REOPEN.target


def _tables() -> dict[str, str]:
    return {
        "att": Attendance._meta.db_table,
        "con": Consultation._meta.db_table,
        "agenda": ConsultationTopic._meta.db_table,
        "dept": Consultation.departments.through._meta.db_table,
        "topic": Topic._meta.db_table,
        "event": TopicEvent._meta.db_table,
        "venue": Venue._meta.db_table,
        "area": Area._meta.db_table,
    }


def _period_case(column: str, periods: list[Period]) -> tuple[str, list, str, list]:
    """``CASE`` giving the period index of ``column`` (a datetime), and the test "in one"."""
    whens, params, tests, test_params = [], [], [], []
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM stores them (UTC on SQLite)
    for i, period in enumerate(periods):
        start, end = (adapt(moment) for moment in datetime_range(period))
        whens.append(f"WHEN {column} >= %s AND {column} < %s THEN {i}")
        params += [start, end]
        tests.append(f"({column} >= %s AND {column} < %s)")
        test_params += [start, end]
    return f"CASE {' '.join(whens)} END", params, "(" + " OR ".join(tests) + ")", test_params


def _scope(node: DashboardScope, venue_col: str) -> tuple[str, list]:
    if node.is_venue:
        return f"{venue_col} = %s", [node.venue.pk]
    return "a.path LIKE %s", [node.area.path + "%"]


def _child(node: DashboardScope, child: str | None, venue_col: str) -> str:
    if child is None:
        return "NULL"
    if child == "area":
        return f"SUBSTR(a.path, 1, {len(node.area.path) + Area.steplen})"
    return venue_col


def activity_counts(
    node: DashboardScope, periods: list[Period], child: str | None = None
) -> list[dict]:
    """Per period, ``{None: counts of the node, child ident: counts, ...}`` — one query.

    ``child``: None (the node only), "area" (idents are the child areas' path prefixes) or
    "venue" (venue ids), as in ``bits.venue_counts``."""
    t = _tables()
    session_case, session_params, session_in, session_in_params = _period_case("c.held_at", periods)
    event_case, event_params, event_in, event_in_params = _period_case("e.at", periods)
    s_where, s_params = _scope(node, "c.venue_id")
    t_where, t_params = _scope(node, "t.venue_id")
    s_child, t_child = _child(node, child, "c.venue_id"), _child(node, child, "t.venue_id")
    sessions_join = (
        f"JOIN {t['con']} c ON c.id = x.consultation_id "
        f"JOIN {t['venue']} v ON v.id = c.venue_id JOIN {t['area']} a ON a.id = v.area_id"
    )
    parts = [
        (
            f"SELECT {s_child} AS child, 'm' AS k, {session_case} AS p, x.member_id AS item "
            f"FROM {t['att']} x {sessions_join} "
            f"WHERE x.status = %s AND {s_where} AND {session_in}",
            [*session_params, AttendanceStatus.PRESENT, *s_params, *session_in_params],
        ),
        (
            f"SELECT {s_child}, 't', {session_case}, x.topic_id "
            f"FROM {t['agenda']} x {sessions_join} "
            f"JOIN {t['topic']} t ON t.id = x.topic_id "
            f"WHERE t.status <> %s AND {s_where} AND {session_in}",
            [*session_params, TopicStatus.MERGED, *s_params, *session_in_params],
        ),
        (
            f"SELECT {s_child}, 'd', {session_case}, x.department_id "
            f"FROM {t['dept']} x {sessions_join} "
            f"WHERE {s_where} AND {session_in}",
            [*session_params, *s_params, *session_in_params],
        ),
        (
            f"SELECT {t_child}, 'r', {event_case}, e.id "
            f"FROM {t['event']} e JOIN {t['topic']} t ON t.id = e.topic_id "
            f"JOIN {t['area']} a ON a.id = t.area_id "
            f"WHERE e.to_status = %s AND e.from_status = %s AND t.status <> %s "
            f"AND {t_where} AND {event_in}",
            [
                *event_params,
                REOPEN_TO,
                REOPEN_FROM,
                TopicStatus.MERGED,
                *t_params,
                *event_in_params,
            ],
        ),
        (
            f"SELECT {t_child}, 'f', -1, t.id "
            f"FROM {t['topic']} t JOIN {t['area']} a ON a.id = t.area_id "
            f"WHERE t.status = %s AND {t_where}",
            [TopicStatus.FOLLOW_UP, *t_params],
        ),
    ]
    union = " UNION ALL ".join(sql for sql, _ in parts)
    union_params = [p for _, params in parts for p in params]
    counts, names = [], []
    for i in range(len(periods)):
        for name, kind in KINDS.items():
            counts.append(f"COUNT(DISTINCT CASE WHEN k = '{kind}' AND p = {i} THEN item END)")
            names.append((name, i))
    for name, kind in NOW_KINDS.items():
        counts.append(f"COUNT(DISTINCT CASE WHEN k = '{kind}' THEN item END)")
        names.append((name, None))
    select = ", ".join(counts)
    sql = f"WITH r AS ({union}) SELECT 1, NULL, {select} FROM r"
    if child is not None:
        sql += f" UNION ALL SELECT 2, child, {select} FROM r WHERE child IS NOT NULL GROUP BY child"
    results: list[dict] = [{None: dict.fromkeys(NAMES, 0)} for _ in periods]
    with connection.cursor() as cursor:
        cursor.execute(sql, union_params)
        rows = cursor.fetchall()
    for _which, ident, *values in rows:
        for (name, i), value in zip(names, values, strict=True):
            for index in range(len(periods)) if i is None else (i,):
                results[index].setdefault(ident, dict.fromkeys(NAMES, 0))[name] = value or 0
    return results
