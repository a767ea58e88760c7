"""Reads for topics and sessions: scope first, then filters, then what each row shows."""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from consult_portal.roles import scope_for
from members.models import Duty, DutyShift, DutyStatus, ShiftStatus

from . import rules
from .lifecycle import OPEN_STATES, TopicStatus
from .models import (
    Attendance,
    Consultation,
    ConsultationTopic,
    PairVerdict,
    Referral,
    ReferralRole,
    Topic,
    TopicEvent,
    TopicPair,
)


def topic_list(*, user, q: str = "", status: str = "") -> QuerySet[Topic]:
    qs = Topic.objects.visible_to(user).select_related("area", "venue", "category")
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(tracking_code=q.upper())
        )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-raised_on", "-pk")


def topic_detail_queryset(*, user) -> QuerySet[Topic]:
    return (
        Topic.objects.visible_to(user)
        .select_related(
            "area", "venue", "category", "raised_by_member", "elevated_from__area", "elevated_to"
        )
        .prefetch_related(
            "visits",
            "follow_ups",
            Prefetch(
                "elevated_from__events",
                queryset=TopicEvent.objects.select_related("actor", "actor__profile").order_by(
                    "at", "pk"
                ),
            ),
            Prefetch(
                "events",
                queryset=TopicEvent.objects.select_related("actor", "actor__profile").order_by(
                    "at", "pk"
                ),
            ),
            Prefetch("referrals", queryset=Referral.objects.select_related("department")),
            # A unit's requests for more time, for the office to grant or refuse.
            "referrals__extensions",
            Prefetch(
                "consultation_links",
                queryset=ConsultationTopic.objects.select_related("consultation__venue"),
            ),
            Prefetch("duplicates", queryset=Topic.objects.order_by("raised_on", "pk")),
        )
    )


def _count_per_session(model, **filters):
    """A correlated COUNT per session row. Two joined Count(distinct) annotations made the
    database group every attendance x topic pair of every session before LIMIT (190 ms for
    30k sessions); subqueries are counted for the 25 rows shown only (2 ms)."""
    rows = (
        model.objects.filter(consultation=OuterRef("pk"), **filters)
        .order_by()
        .values("consultation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def consultation_list(*, user, q: str = "") -> QuerySet[Consultation]:
    qs = (
        Consultation.objects.visible_to(user)
        .select_related("venue", "venue__area", "host")
        .annotate(
            present_count=_count_per_session(Attendance, status="present"),
            topic_count=_count_per_session(ConsultationTopic),
        )
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(venue__name__icontains=q))
    return qs.order_by("-held_at", "-pk")


def consultation_detail_queryset(*, user) -> QuerySet[Consultation]:
    return (
        Consultation.objects.visible_to(user)
        .select_related("venue", "venue__area", "host", "created_by")
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=Attendance.objects.select_related("member", "member__sector"),
            ),
            Prefetch("topic_links", queryset=ConsultationTopic.objects.select_related("topic")),
            "departments",
            "attachments",
        )
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    """Midnight of ``day`` in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _this_week(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = today - datetime.timedelta(days=today.weekday())
    return start, start + datetime.timedelta(days=6)


HOME_LIST_LENGTH = 5
DUE_SOON_DAYS = rules.DUE_SOON_DAYS
SHIFT_WINDOW_DAYS = 14


def office_home(*, user, today: datetime.date | None = None) -> dict:
    """What needs action now, for office staff (and administrators), in their area.

    A count and the first few rows of each: topics overdue or due within 7 days, topics waiting
    to be accepted, sessions this week, sessions without minutes, duty shifts not yet confirmed
    in the next 14 days, and the count of members' duty reports to review. Nine queries whatever
    the number of rows.
    """
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    n = HOME_LIST_LENGTH

    # Every count and list below is of open topics: read only those (topic_open_area_idx).
    topics = Topic.objects.visible_to(user).filter(status__in=OPEN_STATES)
    counts = topics.aggregate(
        waiting=Count("pk", filter=Q(status=TopicStatus.RAISED)),
        overdue=Count("pk", filter=rules.topic_overdue_q(today)),
        due_soon=Count("pk", filter=rules.topic_due_soon_q(today, DUE_SOON_DAYS)),
    )
    attention = list(
        rules.with_due(topics.filter(rules.topic_due_before_q(soon + rules.DAY)))
        .select_related("area", "venue", "category")
        .order_by(rules.due_order(), "pk")[:n]
    )
    for topic in attention:
        topic.due_overdue = rules.topic_is_overdue(topic.status, topic.due, today)
    # A resident's report that looked like an open topic when it arrived (issue 16) is
    # flagged until staff merge it or say it is not the same (a subquery, no extra query).
    suggested = TopicPair.objects.filter(verdict=PairVerdict.SUGGESTED).filter(
        Q(low=OuterRef("pk")) | Q(high=OuterRef("pk"))
    )
    waiting = list(
        Topic.objects.visible_to(user)
        .filter(status=TopicStatus.RAISED)
        .annotate(likely_duplicate=Exists(suggested))
        .select_related("area", "venue")
        .order_by("raised_on", "pk")[:n]
    )

    week_start, week_end = _this_week(today)
    sessions = Consultation.objects.visible_to(user)
    # The week as a range of instants (the same sessions as held_at__date in Asia/Shanghai), so
    # consultation_held_idx answers it instead of a cast of every session's time.
    this_week = Q(held_at__gte=_day_start(week_start), held_at__lt=_day_start(week_end + rules.DAY))
    no_minutes = Q(minutes="", held_at__lt=timezone.now())
    counts.update(
        # Only the rows either count looks at (consultation_no_minutes_idx for the second).
        sessions.filter(this_week | no_minutes).aggregate(
            sessions_this_week=Count("pk", filter=this_week),
            sessions_without_minutes=Count("pk", filter=no_minutes),
        )
    )
    sessions = sessions.select_related("venue")
    week_sessions = list(sessions.filter(this_week).order_by("held_at", "pk")[:n])
    minutes_missing = list(sessions.filter(no_minutes).order_by("held_at", "pk")[:n])

    # Not yet confirmed, or the member asked for a swap: both need the office.
    shifts = DutyShift.objects.visible_to(user).filter(
        status__in=(ShiftStatus.SCHEDULED, ShiftStatus.SWAP_REQUESTED),
        date__gte=today,
        date__lte=today + datetime.timedelta(days=SHIFT_WINDOW_DAYS),
    )
    counts["shifts_unconfirmed"] = shifts.count()
    unconfirmed = list(shifts.select_related("member", "venue").order_by("date", "slot", "pk")[:n])

    # Duties members reported themselves, waiting for this office to confirm or return them.
    counts["duties_to_review"] = (
        Duty.objects.reviewable_by(user).filter(status=DutyStatus.SUBMITTED).count()
    )

    return {
        "counts": counts,
        "today": today,
        "attention_topics": attention,
        "waiting_topics": waiting,
        "week_sessions": week_sessions,
        "sessions_without_minutes": minutes_missing,
        "unconfirmed_shifts": unconfirmed,
        "shift_window_days": SHIFT_WINDOW_DAYS,
    }


# --- Department list (issue 4, lists) -------------------------------------------------------


def overdue_referrals(today: datetime.date | None = None) -> QuerySet[Referral]:
    return Referral.objects.filter(rules.referral_overdue_q(today or timezone.localdate()))


def department_list(*, user) -> QuerySet:
    """Units (承办单位) in scope with their referrals counted: all, open and overdue (one query;
    the counts follow one join chain referral → topic, so no row is counted twice). A unit of an
    area above the user's (the city's 住建局 in a district's list) counts only the referrals of
    topics the user sees."""
    from .models import Department  # imported here to keep the shared import block untouched

    today = timezone.localdate()
    mine = scope_for(user).area_q("referrals__topic__area")
    return (
        Department.objects.visible_to(user)
        .select_related("area")
        .annotate(
            referral_count=Count("referrals", filter=mine),
            open_count=Count("referrals", filter=mine & rules.referral_open_q("referrals")),
            overdue_count=Count(
                "referrals", filter=mine & rules.referral_overdue_q(today, "referrals")
            ),
        )
        .order_by("name", "pk")
    )


def with_overdue_flag(qs: QuerySet[Topic]) -> QuerySet[Topic]:
    """Annotate ``overdue_now`` from ``topics.rules.topic_overdue_q`` itself, so the list's badge,
    its ``overdue=1`` filter and the export's column can never disagree about what "overdue"
    means. The rule's per-row shape (a correlated EXISTS over the topic's unanswered
    referrals): evaluated for the rows shown, not the whole table."""
    overdue = rules.topic_overdue_q(timezone.localdate(), per_row=True)
    # Case, not the bare condition: a topic without a deadline reads False, never NULL.
    flag = Case(When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(overdue_now=flag)


def with_lead_unit(qs: QuerySet[Topic]) -> QuerySet[Topic]:
    """Annotate ``lead_unit``: the name of the department the topic was referred to as 主办
    (None before 交办). A correlated subquery, so ``values()`` rows carry it without a query
    per row (at most one lead referral per topic: ``referral_one_lead_per_topic``)."""
    lead = Referral.objects.filter(topic=OuterRef("pk"), role=ReferralRole.LEAD)
    return qs.annotate(lead_unit=Subquery(lead.values("department__name")[:1]))


def unit_referrals(*, user) -> QuerySet[Referral]:
    """The referrals a user sees on the units' pages: a unit's account, its own unit's; staff,
    those of their area's topics. The open ones first (待签收, 办理中), soonest due first; each
    row with its topic, unit and area, and whether an extension request waits (one query)."""
    from .models import ExtensionDecision, ReferralExtension

    waiting = ReferralExtension.objects.filter(
        referral=OuterRef("pk"), decision=ExtensionDecision.PENDING
    )
    closed = Q(replied_on__isnull=False) | Q(returned_on__isnull=False)
    return (
        Referral.objects.visible_to(user)
        .select_related("topic__area", "topic__category", "department")
        .annotate(extension_waiting=Exists(waiting))
        .alias(is_closed=Case(When(closed, then=Value(1)), default=Value(0)))
        .order_by("is_closed", "deadline", "pk")
    )
