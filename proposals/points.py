"""What reports earn in the member's points (``members.points``), read from the level records.

The rule for a report, one member or several (联名):

- 报送社情民意 (``PointKind.OPINION``) and the 五个一's 社情民意: every author once the office has
  taken the report in (编期 or 报送) — each signer did the work. ``proposals.services`` keeps one
  ``Duty`` (社情民意, 已完成, the report's date, no outcome) per author in step with the report, so
  the 五个一, the duty lists and the dashboards' day bitmaps need no change.
- 采用加分 (``OPINION_DISTRICT`` … ``OPINION_NATIONAL``): once per level that adopted the report,
  in the year of the adoption, for the **lead author only** (署名第一): a joint report does not
  multiply the bonus by its number of signers, and a report adopted by the city and then the
  province earns both levels' bonuses (each is its own record). The report's duties carry no
  outcome, so nothing is counted twice.
- A report the office submits itself (no author) earns nobody points.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from members.models import PointKind

from .models import Level, ReportAdoption

LEVEL_POINTS = {
    Level.DISTRICT: PointKind.OPINION_DISTRICT,
    Level.CITY: PointKind.OPINION_CITY,
    Level.PROVINCE: PointKind.OPINION_PROVINCE,
    Level.NATIONAL: PointKind.OPINION_NATIONAL,
}
LEAD_POSITION = 1


def adoption_point_records(member_ids: list[int], year: int) -> Iterable[tuple[int, str, int]]:
    """``(member id, point kind, count)``: the adoptions of the year of the reports each member
    leads (one query)."""
    rows = (
        ReportAdoption.objects.filter(
            adopted_on__year=year,
            report__authors__position=LEAD_POSITION,
            report__authors__member_id__in=member_ids,
        )
        .values_list("report__authors__member_id", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for member_id, level, n in rows:
        yield member_id, LEVEL_POINTS[level], n
