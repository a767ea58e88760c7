"""The topic lifecycle: its states and the moves allowed between them. The only place that says so.

    征集 raised ──> 立项 accepted ──> 调研 researching ──> 协商 consulting ──> 共识 agreed
        └> 不予立项 declined                                                  │
                         交办 referred (department, deadline) <───────────────┘
                           └──> 办理 in progress ──> 办结 resolved ──> 评价 rated ──> 跟踪 follow-up
                                      └──> 未解决 unresolved ──> 转提案 escalated

Two moves go beyond the diagram in DESIGN.md, both seen in practice: an accepted topic may go to
consultation without a separate research step, and a topic assigned by government may be referred
straight after acceptance.
"""

from __future__ import annotations

from django.db import models


class TopicStatus(models.TextChoices):
    RAISED = "raised", "征集"
    ACCEPTED = "accepted", "立项"
    DECLINED = "declined", "不予立项"
    RESEARCHING = "researching", "调研"
    CONSULTING = "consulting", "协商"
    AGREED = "agreed", "共识"
    REFERRED = "referred", "交办"
    IN_PROGRESS = "in_progress", "办理"
    RESOLVED = "resolved", "办结"
    UNRESOLVED = "unresolved", "未解决"
    ESCALATED = "escalated", "转提案"
    RATED = "rated", "评价"
    FOLLOW_UP = "follow_up", "跟踪"
    # Not a step of the diagram: a duplicate folded into another topic (see services.topic_merge).
    MERGED = "merged", "已合并"


S = TopicStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.RAISED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.RESEARCHING, S.CONSULTING, S.REFERRED}),
    S.RESEARCHING: frozenset({S.CONSULTING}),
    S.CONSULTING: frozenset({S.AGREED}),
    S.AGREED: frozenset({S.REFERRED}),
    S.REFERRED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.UNRESOLVED}),
    S.RESOLVED: frozenset({S.RATED}),
    S.UNRESOLVED: frozenset({S.ESCALATED}),
    S.RATED: frozenset({S.FOLLOW_UP}),
    S.DECLINED: frozenset(),
    S.ESCALATED: frozenset(),
    S.FOLLOW_UP: frozenset(),
    # Only topic_merge puts a topic here, from any open state; nothing leaves it.
    S.MERGED: frozenset(),
}

# Moves that must say why (the reason becomes the event note).
NOTE_REQUIRED: frozenset[str] = frozenset({S.DECLINED, S.UNRESOLVED, S.ESCALATED})

# States in which a topic still needs the office's attention.
OPEN_STATES: frozenset[str] = frozenset(
    {S.RAISED, S.ACCEPTED, S.RESEARCHING, S.CONSULTING, S.AGREED, S.REFERRED, S.IN_PROGRESS}
)
# States that count as "solved" (办结 and what follows it).
RESOLVED_STATES: frozenset[str] = frozenset({S.RESOLVED, S.RATED, S.FOLLOW_UP})
# States after acceptance (立项 and every later state but the decline and a merge).
ACCEPTED_STATES: frozenset[str] = frozenset(
    set(TopicStatus.values) - {S.RAISED, S.DECLINED, S.MERGED}
)

# Labels for the action buttons that perform each move.
ACTION_LABELS: dict[str, str] = {
    S.ACCEPTED: "立项",
    S.DECLINED: "不予立项",
    S.RESEARCHING: "开始调研",
    S.CONSULTING: "提交协商",
    S.AGREED: "达成共识",
    S.REFERRED: "交办",
    S.IN_PROGRESS: "开始办理",
    S.RESOLVED: "办结",
    S.UNRESOLVED: "标记未解决",
    S.ESCALATED: "转为提案",
    S.RATED: "记录评价",
    S.FOLLOW_UP: "跟踪回访",
}


def allowed_targets(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in allowed_targets(from_status)


def label(status: str) -> str:
    try:
        return TopicStatus(status).label
    except ValueError:
        return str(status)
