"""What topics' records earn members in points (``members.points``): each session attended
(``Attendance`` 出席, by the session's date) counts as one ATTENDANCE record. Registered from
``TopicsConfig.ready``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from members.models import PointKind

from .models import Attendance, AttendanceStatus


def attendance_point_records(member_ids: list[int], year: int) -> Iterable[tuple[int, str, int]]:
    """(member id, ATTENDANCE, sessions attended in ``year``) per member; one query."""
    attended = (
        Attendance.objects.filter(
            member__in=member_ids,
            status=AttendanceStatus.PRESENT,
            consultation__held_at__year=year,
        )
        .values_list("member_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(member_id, PointKind.ATTENDANCE, n) for member_id, n in attended]
