"""五个一 — the one definition, used by the member home's checklist (``members.points``), the
dashboard figure (``dashboards.records``) and its day bitmaps (``dashboards.bits``, Python and
SQL alike).

A member has done one of the five in a period when, dated in that period, there is:

- 提案, 调研, 社情民意, 实事: a duty of that kind with status 已完成 (``COUNTED_DUTY_STATUS``);
- 协商: a duty of that kind with status 已完成, or a session attended (出席), dated by the day
  the session was held (Asia/Shanghai) — ``ATTENDED_KIND``.

The member has *completed* the 五个一 when each of the five has been done at least once.
"""

from __future__ import annotations

from collections.abc import Mapping

from .models import DutyKind, DutyStatus

# The five, in the order the checklist shows them.
FIVE_ONES = (
    DutyKind.PROPOSAL,
    DutyKind.RESEARCH,
    DutyKind.CONSULTATION,
    DutyKind.OPINION,
    DutyKind.DEED,
)
# Only a duty in this status counts (a planned, submitted or cancelled one does not).
COUNTED_DUTY_STATUS = DutyStatus.DONE
# A session attended (出席) counts as a duty of this kind, on the day it was held.
ATTENDED_KIND = DutyKind.CONSULTATION
# The kinds only a duty can satisfy.
DUTY_ONLY_KINDS = tuple(kind for kind in FIVE_ONES if kind != ATTENDED_KIND)


def duty_counts(kind: str, status: str) -> bool:
    """Whether a duty of ``kind`` in ``status`` counts toward the 五个一."""
    return kind in FIVE_ONES and status == COUNTED_DUTY_STATUS


def checklist(counts: Mapping[str, int]) -> list[dict]:
    """The checklist rows from ``{duty kind: times done}`` (attended sessions counted under
    ``ATTENDED_KIND``)."""
    return [{"kind": kind, "label": kind.label, "count": counts.get(kind, 0)} for kind in FIVE_ONES]


def complete(counts: Mapping[str, int]) -> bool:
    """Each of the five done at least once."""
    return all(counts.get(kind, 0) > 0 for kind in FIVE_ONES)
