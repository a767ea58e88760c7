"""The record sets of ``dashboards.records`` that only the tests list: each is the model's rows
filtered by the production condition (``records.*_q``), the oracle the figures are checked
against by hand."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from dashboards.periods import Period
from dashboards.records import (
    accepted_q,
    declined_q,
    five_ones_q,
    held_q,
    member_node_q,
    rated_q,
    satisfied_q,
    session_node_q,
    topic_node_q,
    topics,
    venue_active_q,
    venue_standard_q,
    venues,
)
from dashboards.scope import DashboardScope
from members.models import Member
from platforms.models import Venue
from topics.models import Attendance, AttendanceStatus, Topic


def topics_accepted(node: DashboardScope, period: Period) -> QuerySet[Topic]:
    return topics(node).filter(accepted_q(period))


def topics_declined(node: DashboardScope, period: Period) -> QuerySet[Topic]:
    return topics(node).filter(declined_q(period))


def topics_rated(node: DashboardScope, period: Period) -> QuerySet[Topic]:
    return topics(node).filter(rated_q(period))


def topics_satisfied(node: DashboardScope, period: Period) -> QuerySet[Topic]:
    return topics(node).filter(satisfied_q(period))


def topics_overdue(node: DashboardScope, today: datetime.date | None = None) -> QuerySet[Topic]:
    return Topic.objects.filter(topic_node_q(node)).overdue(today)


def attendance_expected(node: DashboardScope, period: Period) -> QuerySet[Attendance]:
    """Everyone on the attendance list of a session held: present, absent or on leave."""
    return Attendance.objects.filter(
        session_node_q(node, "consultation__"), held_q(period, "consultation__")
    )


def attendance_present(node: DashboardScope, period: Period) -> QuerySet[Attendance]:
    return attendance_expected(node, period).filter(status=AttendanceStatus.PRESENT)


def venues_active(node: DashboardScope, period: Period) -> QuerySet[Venue]:
    return venues(node).filter(venue_active_q(period))


def venues_standard(node: DashboardScope, period: Period) -> QuerySet[Venue]:
    return venues(node).filter(venue_standard_q(period))


def members(node: DashboardScope, period: Period) -> QuerySet[Member]:
    return Member.objects.filter(member_node_q(node, period), is_active=True)


def members_five_ones(node: DashboardScope, period: Period) -> QuerySet[Member]:
    return members(node, period).filter(five_ones_q(period))
