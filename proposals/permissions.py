"""Who may do what with reports and outcomes — one policy per model
(``consult_portal.policies``), used by views, services and templates alike.

The office of the report's (outcome's) committee, or one above it, edits it into an issue,
sends it, records adoptions, 批示 and 采纳 items; leaders read them; a member submits their own
reports (and reads the ones they signed, ``visible_to``)."""

from __future__ import annotations

from consult_portal.policies import STAFF, WRITE, Action, ScopePolicy, register
from consult_portal.roles import Role

from .models import Outcome, PublicOpinionReport

report_policy = register(
    "opinion_report",
    ScopePolicy(
        PublicOpinionReport,
        area="area",
        actions={
            "change": WRITE,
            "read_list": Action(STAFF, in_area=False),
            "submit": Action(frozenset({Role.MEMBER}), in_area=False),
        },
    ),
)
outcome_policy = register(
    "outcome",
    ScopePolicy(
        Outcome,
        area="area",
        actions={"change": WRITE, "read_list": Action(STAFF, in_area=False)},
    ),
)
