"""Day bitmaps kept beside the records so the dashboard counts venues and members fast.

One row per entity and year, only for years with a day set. ``dashboards.bits`` keeps them in step
with the records (signals on every save/delete, ``rebuild_bits()`` after bulk loads) and counts
from them; ``dashboards.records`` stays the definition they are checked against. Bitmap layout:
``dashboards.bitmap`` (day ``d`` of the year is bit ``d % 61`` of chunk ``d // 61``).
"""

from django.db import models

from members.models import Member
from platforms.models import Venue

BITMAP_CHUNKS = 6


class VenueYear(models.Model):
    """A venue's year: the days it held a session (active), the days it had an outcome (a
    session with a recorded outcome, or a topic of the venue resolved), and when its four
    recorded "六有" items were all met (NULL while one is missing)."""

    venue = models.ForeignKey(
        Venue, verbose_name="阵地", on_delete=models.CASCADE, related_name="dashboard_years"
    )
    year = models.PositiveSmallIntegerField("年度")
    recorded_on = models.DateField("四项登记齐备日期", null=True, blank=True)
    active0 = models.BigIntegerField("活动日 0", default=0)
    active1 = models.BigIntegerField("活动日 1", default=0)
    active2 = models.BigIntegerField("活动日 2", default=0)
    active3 = models.BigIntegerField("活动日 3", default=0)
    active4 = models.BigIntegerField("活动日 4", default=0)
    active5 = models.BigIntegerField("活动日 5", default=0)
    outcome0 = models.BigIntegerField("成果日 0", default=0)
    outcome1 = models.BigIntegerField("成果日 1", default=0)
    outcome2 = models.BigIntegerField("成果日 2", default=0)
    outcome3 = models.BigIntegerField("成果日 3", default=0)
    outcome4 = models.BigIntegerField("成果日 4", default=0)
    outcome5 = models.BigIntegerField("成果日 5", default=0)

    class Meta:
        verbose_name = "阵地年度日历位图"
        verbose_name_plural = "阵地年度日历位图"
        constraints = [
            models.UniqueConstraint(fields=["venue", "year"], name="venue_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.venue_id} · {self.year}"


class MemberYear(models.Model):
    """A member's year: the days with a completed duty of each 五个一 kind, and the days they
    consulted (present at a session held that day, or a completed 协商 duty)."""

    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.CASCADE, related_name="dashboard_years"
    )
    year = models.PositiveSmallIntegerField("年度")
    proposal0 = models.BigIntegerField("提案日 0", default=0)
    proposal1 = models.BigIntegerField("提案日 1", default=0)
    proposal2 = models.BigIntegerField("提案日 2", default=0)
    proposal3 = models.BigIntegerField("提案日 3", default=0)
    proposal4 = models.BigIntegerField("提案日 4", default=0)
    proposal5 = models.BigIntegerField("提案日 5", default=0)
    research0 = models.BigIntegerField("调研日 0", default=0)
    research1 = models.BigIntegerField("调研日 1", default=0)
    research2 = models.BigIntegerField("调研日 2", default=0)
    research3 = models.BigIntegerField("调研日 3", default=0)
    research4 = models.BigIntegerField("调研日 4", default=0)
    research5 = models.BigIntegerField("调研日 5", default=0)
    opinion0 = models.BigIntegerField("社情民意日 0", default=0)
    opinion1 = models.BigIntegerField("社情民意日 1", default=0)
    opinion2 = models.BigIntegerField("社情民意日 2", default=0)
    opinion3 = models.BigIntegerField("社情民意日 3", default=0)
    opinion4 = models.BigIntegerField("社情民意日 4", default=0)
    opinion5 = models.BigIntegerField("社情民意日 5", default=0)
    deed0 = models.BigIntegerField("实事日 0", default=0)
    deed1 = models.BigIntegerField("实事日 1", default=0)
    deed2 = models.BigIntegerField("实事日 2", default=0)
    deed3 = models.BigIntegerField("实事日 3", default=0)
    deed4 = models.BigIntegerField("实事日 4", default=0)
    deed5 = models.BigIntegerField("实事日 5", default=0)
    consult0 = models.BigIntegerField("协商日 0", default=0)
    consult1 = models.BigIntegerField("协商日 1", default=0)
    consult2 = models.BigIntegerField("协商日 2", default=0)
    consult3 = models.BigIntegerField("协商日 3", default=0)
    consult4 = models.BigIntegerField("协商日 4", default=0)
    consult5 = models.BigIntegerField("协商日 5", default=0)

    class Meta:
        verbose_name = "委员年度日历位图"
        verbose_name_plural = "委员年度日历位图"
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="member_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.year}"
