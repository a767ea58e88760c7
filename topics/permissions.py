"""Who may do what with topics and sessions — one policy per model (``consult_portal.policies``),
used by views, services and templates alike."""

from __future__ import annotations

from consult_portal.policies import STAFF, WRITE, Action, ScopePolicy, register
from consult_portal.roles import scope_for

from .models import Consultation, Topic

# Office staff (in their area) and administrators move topics through their lifecycle, refer,
# resolve, merge and comment on them, and enter new ones.
# Staff (not members) see a topic's private fields: contacts, internal notes.
topic_policy = register(
    "topic",
    ScopePolicy(
        Topic,
        area="area",
        actions={"change": WRITE, "view_private": Action(STAFF, in_area=False)},
    ),
)

# Office staff (in their area) and administrators log and edit sessions; staff read the history.
consultation_policy = register(
    "consultation",
    ScopePolicy(
        Consultation,
        area="venue__area",
        actions={"change": WRITE, "history": Action(STAFF, in_area=False)},
    ),
)


def can_move_topic(user, topic) -> bool:
    return topic_policy.user_can(user, "change", topic)


def can_log_consultation(user) -> bool:
    return consultation_policy.user_can(user, "change")


def can_act_for_unit(user, referral) -> bool:
    """May ``user`` take a unit's step (签收, 退回, 申请延期, 答复) on ``referral``? The unit's own
    accounts; and office staff of the topic's area, who enter it for a unit without a login."""
    scope = scope_for(user)
    if scope.unit_id is not None:
        return scope.unit_id == referral.department_id
    return topic_policy.user_can(user, "change", referral.topic)
