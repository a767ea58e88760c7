"""Overdue and due soon — the one definition, used by lists, filters, exports, the office home,
the reminders, the dashboard figures and summaries, and the topic page.

- A referral is *unanswered* while its unit has neither replied (``replied_on`` empty) nor
  returned it (``returned_on`` empty: a returned referral is the office's to refer again).
- A referral is *overdue* on ``today`` when it is unanswered, its topic is still open and its
  deadline is before ``today``.
- A topic's *due date* is the earlier of its own deadline and the deadlines of its unanswered
  referrals (none when there is neither).
- An open topic is *overdue* on ``today`` when its due date is before ``today``: its own deadline
  has passed, or one of its referrals is unanswered past its deadline. Its first overdue day is
  the day after its due date.
- An open topic is *due soon* when its due date falls in ``today`` .. ``today + DUE_SOON_DAYS``.

Each rule comes as a ``Q`` for querysets and conditional aggregates, and as a small function
for a row already loaded (a badge on one topic, a summary snapshot); the tests hold the two
forms equal on the same rows (``tests/topics/test_rules.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least

from .lifecycle import OPEN_STATES

DUE_SOON_DAYS = 7
DAY = datetime.timedelta(days=1)


def _p(prefix: str) -> str:
    return f"{prefix}__" if prefix else ""


# -- referrals ---------------------------------------------------------------------------------
def referral_unanswered_q(prefix: str = "") -> Q:
    return Q(**{f"{_p(prefix)}replied_on__isnull": True, f"{_p(prefix)}returned_on__isnull": True})


def referral_is_unanswered(referral) -> bool:
    """``referral_unanswered_q`` for one loaded referral."""
    return referral.replied_on is None and referral.returned_on is None


def referral_open_q(prefix: str = "") -> Q:
    """A referral still with its department: no reply yet and its topic still open."""
    return referral_unanswered_q(prefix) & Q(**{f"{_p(prefix)}topic__status__in": OPEN_STATES})


def referral_overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """An open referral whose deadline has passed (``prefix``: the path to the referral)."""
    return referral_open_q(prefix) & Q(**{f"{_p(prefix)}deadline__lt": today})


def referral_is_overdue(referral, topic_status: str, today: datetime.date) -> bool:
    """``referral_overdue_q`` for one loaded referral of a topic in ``topic_status``."""
    return (
        topic_status in OPEN_STATES
        and referral_is_unanswered(referral)
        and referral.deadline < today
    )


# -- topics ------------------------------------------------------------------------------------
def _unanswered_referrals():
    from .models import Referral  # models import this module for their querysets

    return Referral.objects.filter(referral_unanswered_q(), topic=OuterRef("pk"))


def topic_due_before_q(day: datetime.date, *, per_row: bool = False) -> Q:
    """An open topic whose due date is before ``day`` (for Topic rows).

    Two shapes of the same rule. For filters and counts over many topics the late referrals
    are an uncorrelated ``id IN (…)``: PostgreSQL reads the unanswered referrals once (partial
    index ``referral_unanswered_idx``) and hashes them, where a correlated ``EXISTS`` probed
    them once per topic of the area (19,000 probes for a city on the office home, issue 17).
    ``per_row`` keeps the correlated ``EXISTS``, for a flag annotated on the 25 rows of a page
    (there the ``IN`` form made PostgreSQL hash every overdue topic of the city first)."""
    from .models import Referral  # models import this module for their querysets

    if per_row:
        late = Q(Exists(_unanswered_referrals().filter(deadline__lt=day)))
    else:
        late_topics = Referral.objects.filter(referral_unanswered_q(), deadline__lt=day)
        late = Q(pk__in=late_topics.values("topic_id"))
    return Q(status__in=OPEN_STATES) & (Q(deadline__lt=day) | late)


def topic_overdue_q(today: datetime.date, *, per_row: bool = False) -> Q:
    """An open topic past its due date on ``today`` (for Topic rows)."""
    return topic_due_before_q(today, per_row=per_row)


def topic_due_soon_q(today: datetime.date, days: int = DUE_SOON_DAYS) -> Q:
    """An open topic due in ``today`` .. ``today + days`` (for Topic rows)."""
    return topic_due_before_q(today + datetime.timedelta(days=days + 1)) & ~topic_due_before_q(
        today
    )


def with_due(qs: QuerySet) -> QuerySet:
    """Annotate ``due``: the topic's due date (None when it has no deadline of any kind)."""
    referral_due = Subquery(_unanswered_referrals().order_by("deadline").values("deadline")[:1])
    return qs.annotate(ref_due=referral_due).annotate(
        due=Least(Coalesce("deadline", "ref_due"), Coalesce("ref_due", "deadline"))
    )


def due_order():
    """Soonest due first, topics with no due date last."""
    return F("due").asc(nulls_last=True)


def topic_due(
    deadline: datetime.date | None, referral_deadlines: Iterable[datetime.date | None]
) -> datetime.date | None:
    """The due date from the topic's deadline and its *unanswered* referrals' deadlines."""
    days = [d for d in (deadline, *referral_deadlines) if d is not None]
    return min(days) if days else None


def topic_is_overdue(status: str, due: datetime.date | None, today: datetime.date) -> bool:
    """``topic_overdue_q`` for one loaded topic whose due date is ``due``."""
    return status in OPEN_STATES and due is not None and due < today


def topic_is_due_soon(
    status: str, due: datetime.date | None, today: datetime.date, days: int = DUE_SOON_DAYS
) -> bool:
    """``topic_due_soon_q`` for one loaded topic whose due date is ``due``."""
    return (
        status in OPEN_STATES
        and due is not None
        and today <= due <= today + datetime.timedelta(days=days)
    )


def first_overdue_day(status: str, due: datetime.date | None) -> datetime.date | None:
    """The first day ``topic_is_overdue`` holds (None for a closed topic or one never due)."""
    if status not in OPEN_STATES or due is None:
        return None
    return due + DAY
