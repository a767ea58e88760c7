"""The records each dashboard figure counts — defined once, here.

Every figure on the dashboard, the charts, the exports and the report counts one of the record
sets below, inside a node of the area tree (``DashboardScope.q()``) and a period (``Period``:
``start`` .. ``effective_end``, dates in Asia/Shanghai). Each set comes in two forms that say the
same thing:

- a ``*_q(...)`` condition on the model's own rows, for conditional aggregates
  (``Count("pk", filter=raised_q(period))``) so a page counts many figures in one query;
- a queryset function (``topics_raised(node, period)``) listing the same rows, for the cases
  list and charts (the sets only the tests list live in ``tests/dashboards/record_sets.py``).

Semantics (see also the 口径说明 page, ``dashboards.figures.DEFINITIONS``):

- Merged duplicates (status 已合并) are not topics of their own: every topic set leaves them out;
  the topic they were folded into counts once.
- raised / accepted / declined: topics whose ``raised_on`` falls in the period (a cohort);
  accepted = of those, the ones now at 立项 or any later state (not 不予立项, not merged);
  declined = of those, the ones now at 不予立项; accepted and resolved = of the accepted ones, those
  now at 办结 / 评价 / 跟踪 (the numerator of the resolution rate).
- resolved: topics in 办结 / 评价 / 跟踪 whose ``resolved_on`` falls in the period, wherever they
  were raised — a topic raised last year and resolved this year counts as resolved this year.
- rated / satisfied: of the resolved topics, those with a rating; satisfied = 满意 or 基本满意.
- overdue: open topics past their deadline or with a referral unanswered past its deadline,
  on a given day (``topics.rules``); "now" on the dashboard.
- sessions: consultations whose ``held_at`` (Asia/Shanghai) falls in the period, at venues in the
  node; attendance rows of those sessions; present = 出席.
- venues: venues in use (``is_active``) in the node; active = at least one session in the
  period; standard = "六有": the four recorded items met on or before the period's last day,
  有活动 (a session in the period) and 有成果 (a topic of the venue resolved in the period or a
  session in the period with a recorded outcome).
- members: area node: active members of the committees in the node (``Member.area``); venue
  node: active members sent down to the venue (an ``Assignment`` overlapping the period).
  五个一 complete = in the period, at least one completed (已完成) duty of each of 提案, 调研,
  社情民意, 实事, and for 协商 a session attended (出席) or a completed 协商 duty — the counts of
  ``members.points.five_ones_from_points``; the rule itself is ``members.rules``.
"""

from __future__ import annotations

import datetime

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from members import rules as five_ones
from members.models import Assignment, Duty
from platforms.models import StandardItem, Venue, VenueStandardRecord
from topics import rules as topic_rules
from topics.lifecycle import ACCEPTED_STATES, RESOLVED_STATES, TopicStatus
from topics.models import (
    Attendance,
    AttendanceStatus,
    Consultation,
    Rating,
    Referral,
    ReferralRole,
    Topic,
)

from .periods import Period
from .scope import DashboardScope

SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)
RECORDED_STANDARD_ITEMS = tuple(StandardItem.values)


# -- periods as database ranges ----------------------------------------------------------------
def date_range(period: Period) -> tuple[datetime.date, datetime.date]:
    """The inclusive dates measured: ``start`` .. ``effective_end``."""
    return period.start, period.effective_end


def datetime_range(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """``[start 00:00, effective_end + 1 day 00:00)`` in Asia/Shanghai, for ``held_at``."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(
        period.effective_end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )
    return start, end


def held_q(period: Period, prefix: str = "") -> Q:
    start, end = datetime_range(period)
    return Q(**{f"{prefix}held_at__gte": start, f"{prefix}held_at__lt": end})


# -- topics ------------------------------------------------------------------------------------
def topic_node_q(node: DashboardScope) -> Q:
    return node.q(area="area", venue="venue")


def raised_q(period: Period) -> Q:
    return Q(raised_on__range=date_range(period))


def accepted_q(period: Period) -> Q:
    return raised_q(period) & Q(status__in=ACCEPTED_STATES)


def declined_q(period: Period) -> Q:
    return raised_q(period) & Q(status=TopicStatus.DECLINED)


def resolved_q(period: Period) -> Q:
    return Q(status__in=RESOLVED_STATES, resolved_on__range=date_range(period))


def resolved_now_q() -> Q:
    """Now in a resolved state (办结, 评价, 跟踪): the numerator of the resolution rate, like
    "accepted", by the topic's current status."""
    return Q(status__in=RESOLVED_STATES)


def rated_q(period: Period) -> Q:
    return resolved_q(period) & ~Q(rating="")


def satisfied_q(period: Period) -> Q:
    return resolved_q(period) & Q(rating__in=SATISFIED_RATINGS)


def with_referral_dates(topics: QuerySet[Topic]) -> QuerySet[Topic]:
    """Annotate ``referred_from``: the first referral's date (when 办理 began)."""
    first = (
        Referral.objects.filter(topic=OuterRef("pk"))
        .order_by()
        .values("topic")
        .annotate(first=Min("referred_on"))
        .values("first")
    )
    return topics.annotate(referred_from=Subquery(first))


def _lead_due_in(period: Period) -> QuerySet[Referral]:
    return Referral.objects.filter(
        topic=OuterRef("pk"), role=ReferralRole.LEAD, deadline__range=date_range(period)
    )


def due_q(period: Period) -> Q:
    """Referred topics whose lead (主办) referral is due in the period."""
    return Q(Exists(_lead_due_in(period)))


def due_on_time_q(period: Period) -> Q:
    """Of those, the ones now resolved on or before that deadline (按期办结)."""
    on_time = _lead_due_in(period).filter(deadline__gte=OuterRef("resolved_on"))
    return resolved_now_q() & Q(Exists(on_time))


def handled_q(period: Period) -> Q:
    """Resolved in the period after a referral (the 办理天数 count; ``with_referral_dates``)."""
    return resolved_q(period) & Q(referred_from__isnull=False)


def overdue_q(today: datetime.date) -> Q:
    """``topics.rules.topic_overdue_q``, the one definition (for conditional aggregates)."""
    return topic_rules.topic_overdue_q(today)


def topics(node: DashboardScope) -> QuerySet[Topic]:
    """Every topic in the node, merged duplicates left out."""
    return Topic.objects.filter(topic_node_q(node)).exclude(status=TopicStatus.MERGED)


def topics_raised(node: DashboardScope, period: Period) -> QuerySet[Topic]:
    return topics(node).filter(raised_q(period))


def topics_resolved(node: DashboardScope, period: Period) -> QuerySet[Topic]:
    return topics(node).filter(resolved_q(period))


# -- sessions and attendance -------------------------------------------------------------------
def session_node_q(node: DashboardScope, prefix: str = "") -> Q:
    return node.q(area=f"{prefix}venue__area", venue=f"{prefix}venue")


def sessions_held(node: DashboardScope, period: Period) -> QuerySet[Consultation]:
    return Consultation.objects.filter(session_node_q(node), held_q(period))


# -- venues ------------------------------------------------------------------------------------
def venue_node_q(node: DashboardScope) -> Q:
    return node.q(area="area", venue="pk")


def venue_active_q(period: Period) -> Q:
    """At least one session held in the period (for Venue rows)."""
    return Q(Exists(Consultation.objects.filter(held_q(period), venue=OuterRef("pk"))))


def venue_standard_q(period: Period) -> Q:
    """All "六有" items met (for Venue rows)."""
    end = period.effective_end
    recorded = [
        Exists(VenueStandardRecord.objects.filter(venue=OuterRef("pk"), item=item, met_on__lte=end))
        for item in RECORDED_STANDARD_ITEMS
    ]
    outcome_session = Consultation.objects.filter(held_q(period), venue=OuterRef("pk")).exclude(
        outcome=""
    )
    resolved_topic = Topic.objects.filter(resolved_q(period), venue=OuterRef("pk"))
    condition = venue_active_q(period) & (Q(Exists(outcome_session)) | Q(Exists(resolved_topic)))
    for exists in recorded:
        condition &= Q(exists)
    return condition


def venues(node: DashboardScope) -> QuerySet[Venue]:
    """Venues in use in the node."""
    return Venue.objects.filter(venue_node_q(node), is_active=True)


# -- members and 五个一 --------------------------------------------------------------------------
FIVE_ONES_DUTY_KINDS = five_ones.DUTY_ONLY_KINDS


def assigned_q(period: Period, prefix: str = "") -> Q:
    """An assignment overlapping the period."""
    start, end = date_range(period)
    return Q(**{f"{prefix}started_on__lte": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": start})
    )


def member_node_q(node: DashboardScope, period: Period) -> Q:
    """Members of the node (for Member rows): its committees' members; at a venue, the members
    sent down to it during the period."""
    if node.is_venue:
        sent_down = Assignment.objects.filter(
            assigned_q(period), member=OuterRef("pk"), venue=node.venue.pk
        )
        return Q(Exists(sent_down))
    return node.q(area="area", venue=None)


def five_ones_q(period: Period, member_ref: str = "pk") -> Q:
    """The member (``OuterRef(member_ref)``) did each of the 五个一 (``members.rules``) at least
    once in the period."""
    start, end = date_range(period)
    member = OuterRef(member_ref)
    done = Duty.objects.filter(
        member=member, status=five_ones.COUNTED_DUTY_STATUS, date__range=(start, end)
    )
    condition = Q()
    for kind in FIVE_ONES_DUTY_KINDS:
        condition &= Q(Exists(done.filter(kind=kind)))
    # The sessions of the period as an uncorrelated subquery: PostgreSQL hashes it once instead
    # of looking up each attended session's date per member (17 s → well under 1 s on the
    # province bench; same rows).
    attended = Attendance.objects.filter(
        member=member,
        status=AttendanceStatus.PRESENT,
        consultation__in=Consultation.objects.filter(held_q(period)).values("pk"),
    )
    consulted = Q(Exists(attended)) | Q(Exists(done.filter(kind=five_ones.ATTENDED_KIND)))
    return condition & consulted
