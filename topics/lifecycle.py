"""The topic lifecycle as offices practise it: its states and the moves between them. The only
place that says so.

    待受理 raised ──> 不予受理 declined (reason; 分流 to 信访 / 12345 / 司法途径 / 其他渠道)
      │
      └─> 已受理 accepted ─┬─> 已办结 resolved          现场解决 / 即知即办
                           ├─> 协商中 consulting ──> 已达成共识 agreed ─┬─> 已办结  协商解决
                           │                                             └─> 已交办  交办
                           ├─> 已交办 referred                            交办
                           ├─> 已提级 elevated                            提级 (to the office above)
                           ├─> 已转提案 escalated                         转提案
                           └─> 已转社情民意 reported                      转社情民意

    已交办 referred ──> 办理中 in_progress ──> 已答复 replied ─┬─> 已办结 resolved  办结 (A; C)
          ▲              签收                   主办答复     ├─> 办理中  继续办理 (B) / 退回重办
          │                                                  └─> 未解决 unresolved ─┬─> 已转提案
          │                                                                         └─> 已转社情民意
          │
    已办结 resolved ─┬─> 已回访 rated ─┬─> 已交办 referred   重新办理 (only after 不满意; reopened)
                     │                 └─> 跟踪问效 follow_up
                     └─> 跟踪问效 follow_up ──> 已落实 implemented

    已合并 merged: any open state ──> merged, only through ``topic_merge`` (a duplicate folded
    into another topic); not a move of the table.

Terminal: declined, escalated, reported, implemented, elevated, merged.

A move is first-class (``Move``): two moves may lead to the same state (继续办理 and 退回重办 both
go back to 办理中) and stay distinct by name, label and tone; the topic page reads its buttons,
their colours and confirmations from ``MOVES``. ``topic_transition`` is the only writer of a
state; its ``move=`` argument selects a move by name when two lead to the same state.

The old 调研 (researching) step went away: research is part of preparing a consultation, and a
data migration moved its rows to 协商中 (topics 0010).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class TopicStatus(models.TextChoices):
    RAISED = "raised", "待受理"
    ACCEPTED = "accepted", "已受理"
    DECLINED = "declined", "不予受理"
    CONSULTING = "consulting", "协商中"
    AGREED = "agreed", "已达成共识"
    REFERRED = "referred", "已交办"
    IN_PROGRESS = "in_progress", "办理中"
    REPLIED = "replied", "已答复"
    RESOLVED = "resolved", "已办结"
    UNRESOLVED = "unresolved", "未解决"
    ESCALATED = "escalated", "已转提案"
    REPORTED = "reported", "已转社情民意"
    # The 回访 with the resident's rating.
    RATED = "rated", "已回访"
    FOLLOW_UP = "follow_up", "跟踪问效"
    IMPLEMENTED = "implemented", "已落实"
    ELEVATED = "elevated", "已提级"
    # Not a move of the table: a duplicate folded into another topic (see services.topic_merge).
    MERGED = "merged", "已合并"


S = TopicStatus


class Tone(models.TextChoices):
    POSITIVE = "positive", "推进"
    NEGATIVE = "negative", "否定"
    NEUTRAL = "neutral", "其他"


@dataclass(frozen=True)
class Move:
    """One move of the table. ``name`` is unique among the moves that leave ``source``.

    ``form`` names the form on the topic page that performs the move ("" for a plain button,
    which posts the note alone); ``needs_note``: the move must say why (the note becomes the event
    note). A negative move asks for a confirmation before it is posted.
    """

    name: str
    source: str
    target: str
    label: str
    tone: str = Tone.POSITIVE
    needs_note: bool = False
    form: str = ""

    @property
    def confirm(self) -> str:
        """The question a negative move asks before it is posted ("" for the others)."""
        if self.tone != Tone.NEGATIVE:
            return ""
        return f"确定要“{self.label}”吗?此操作会记入议题进程。"


POS, NEG, NEU = Tone.POSITIVE, Tone.NEGATIVE, Tone.NEUTRAL

MOVES: tuple[Move, ...] = (
    # 登记 → 受理 | 不予受理
    Move("accept", S.RAISED, S.ACCEPTED, "受理", POS),
    Move("decline", S.RAISED, S.DECLINED, "不予受理", NEG, needs_note=True),
    # 受理 → 现场解决 | 列入协商 | 交办 | 提级 | 转提案 | 转社情民意
    Move("solve_on_spot", S.ACCEPTED, S.RESOLVED, "现场解决", POS, form="resolve"),
    Move("consult", S.ACCEPTED, S.CONSULTING, "列入协商", POS),
    Move("refer", S.ACCEPTED, S.REFERRED, "交办", POS, form="refer"),
    Move("elevate", S.ACCEPTED, S.ELEVATED, "提级", NEU, needs_note=True),
    Move("escalate", S.ACCEPTED, S.ESCALATED, "转提案", NEU, needs_note=True),
    Move("report", S.ACCEPTED, S.REPORTED, "转社情民意", NEU, needs_note=True),
    # 协商 → 达成共识 → 协商解决 | 交办
    Move("agree", S.CONSULTING, S.AGREED, "达成共识", POS),
    Move("solve_by_agreement", S.AGREED, S.RESOLVED, "协商解决", POS, form="resolve"),
    Move("refer", S.AGREED, S.REFERRED, "交办", POS, form="refer"),
    # 交办 → 签收 → 答复 → 办结 | 继续办理 | 退回重办 | 未解决
    Move("sign", S.REFERRED, S.IN_PROGRESS, "登记签收", POS),
    Move("reply", S.IN_PROGRESS, S.REPLIED, "答复", POS, form="reply"),
    Move("close", S.REPLIED, S.RESOLVED, "办结", POS, form="resolve"),
    Move("continue", S.REPLIED, S.IN_PROGRESS, "继续办理", NEU, needs_note=True),
    Move("redo", S.REPLIED, S.IN_PROGRESS, "退回重办", NEG, needs_note=True),
    Move("unresolved", S.REPLIED, S.UNRESOLVED, "未解决", NEG, needs_note=True),
    Move("escalate", S.UNRESOLVED, S.ESCALATED, "转提案", NEU, needs_note=True),
    Move("report", S.UNRESOLVED, S.REPORTED, "转社情民意", NEU, needs_note=True),
    # 办结 → 回访 | 跟踪问效; 回访 → 重新办理 (不满意) | 跟踪问效; 跟踪问效 → 落实
    Move("visit", S.RESOLVED, S.RATED, "回访", POS, form="rate"),
    Move("follow", S.RESOLVED, S.FOLLOW_UP, "跟踪问效", NEU),
    Move("reopen", S.RATED, S.REFERRED, "重新办理", NEU, needs_note=True),
    Move("follow", S.RATED, S.FOLLOW_UP, "跟踪问效", NEU),
    Move("implement", S.FOLLOW_UP, S.IMPLEMENTED, "确认落实", POS),
)

# Moves by the state they leave, in the table's order.
MOVES_FROM: dict[str, tuple[Move, ...]] = {
    status: tuple(m for m in MOVES if m.source == status) for status in TopicStatus.values
}

TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(m.target for m in moves) for status, moves in MOVES_FROM.items()
}

# The one move of the table that needs a condition beyond the state: 重新办理 only after the
# resident said 不满意 at the 回访 (checked by ``topic_transition``; the page hides it otherwise).
REOPEN = "reopen"
UNSATISFIED = "unsatisfied"  # topics.models.Rating.UNSATISFIED (models import this module)

TERMINAL_STATES: frozenset[str] = frozenset(
    {S.DECLINED, S.ESCALATED, S.REPORTED, S.IMPLEMENTED, S.ELEVATED, S.MERGED}
)
# States in which a topic still needs the office's attention.
OPEN_STATES: frozenset[str] = frozenset(
    {
        S.RAISED,
        S.ACCEPTED,
        S.CONSULTING,
        S.AGREED,
        S.REFERRED,
        S.IN_PROGRESS,
        S.REPLIED,
        S.UNRESOLVED,
    }
)
# States that count as "solved" (办结 and what follows it).
RESOLVED_STATES: frozenset[str] = frozenset({S.RESOLVED, S.RATED, S.FOLLOW_UP, S.IMPLEMENTED})
# States after acceptance (受理 and every later state but the decline and a merge).
ACCEPTED_STATES: frozenset[str] = frozenset(
    set(TopicStatus.values) - {S.RAISED, S.DECLINED, S.MERGED}
)

# Targets whose every move must say why (the reason becomes the event note).
NOTE_REQUIRED: frozenset[str] = frozenset(
    target
    for target in TopicStatus.values
    if (into := [m for m in MOVES if m.target == target]) and all(m.needs_note for m in into)
)


def moves_from(status: str) -> tuple[Move, ...]:
    return MOVES_FROM.get(status, ())


def find_move(source: str, target: str, name: str | None = None) -> Move | None:
    """The move from ``source`` to ``target`` (the one called ``name`` when given); None if the
    table has no such move. Without a name, the first move of the table to ``target`` is taken."""
    for move in moves_from(source):
        if move.target == target and (name is None or move.name == name):
            return move
    return None


def condition_met(move: Move, *, rating: str) -> bool:
    """Whether a move of the table may be made given the topic's other facts (its rating)."""
    return move.name != REOPEN or rating == UNSATISFIED


def available_moves(status: str, *, rating: str = "") -> tuple[Move, ...]:
    """The moves the topic page offers: those leaving ``status`` whose condition holds."""
    return tuple(m for m in moves_from(status) if condition_met(m, rating=rating))


def move_named(source: str, name: str) -> Move | None:
    return next((m for m in moves_from(source) if m.name == name), None)


def allowed_targets(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())


def is_allowed(from_status: str, to_status: str) -> bool:
    return to_status in allowed_targets(from_status)


def label(status: str) -> str:
    try:
        return TopicStatus(status).label
    except ValueError:
        return str(status)
