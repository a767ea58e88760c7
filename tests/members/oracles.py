"""Reference computations the tests hold production code to (nothing else uses them)."""

from __future__ import annotations

from django.db.models import Count

from members import rules
from members.models import Duty


def five_ones(*, member_id: int, year: int) -> list[dict]:
    """A member's 五个一 checklist for ``year`` counted straight from the records (two queries),
    by the rule of ``members.rules``; the member home derives it from the points instead."""
    from topics.models import Attendance, AttendanceStatus

    done = dict(
        Duty.objects.filter(
            member_id=member_id,
            date__year=year,
            status=rules.COUNTED_DUTY_STATUS,
            kind__in=rules.FIVE_ONES,
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    done[rules.ATTENDED_KIND] = done.get(rules.ATTENDED_KIND, 0) + (
        Attendance.objects.filter(
            member_id=member_id,
            status=AttendanceStatus.PRESENT,
            consultation__held_at__year=year,
        ).count()
    )
    return rules.checklist(done)
