"""Summary tables behind the dashboards: counts per node of the area tree and per day.

The figures are defined on the records (``dashboards.records``); at province scale summing the
records on every page view costs seconds, so the additive counts are kept here, per node
(``"a<area id>"`` for an area and every area below it, ``"v<venue id>"`` for a venue) and per
day, at three grains: ``D`` (one day), ``M`` (a whole month) and ``Y`` (a whole year; ``day`` is
the first day of the month or year). A period is read as a few such blocks added and subtracted
(``summaries.span_terms``: this year so far is the year minus what lies after today), a handful
of rows per node whatever the data size.

They are kept exactly in step with the records by ``dashboards.summaries``: each topic and
session has a snapshot of what it contributes (``TopicFact``, ``SessionFact``), and every write
of a topic, referral, session or attendance row (``dashboards.signals``) replaces its snapshot
and applies the difference to the counts in the same transaction. ``manage.py
dashboard_summaries --check`` compares everything with a fresh computation from the records;
``--rebuild`` recomputes it.
"""

from django.db import models

from members.models import Member
from platforms.models import Venue


class Grain(models.TextChoices):
    DAY = "D", "日"
    MONTH = "M", "月"
    YEAR = "Y", "年"


# The counters of NodeCount, each tied to the date a record is counted on.
RAISED_ON_COUNTERS = ("raised", "accepted", "declined", "accepted_resolved")
RESOLVED_ON_COUNTERS = ("resolved", "rated", "satisfied", "handled", "handling_days")
OVERDUE_COUNTERS = ("overdue",)  # open topics, on the first day they are overdue
# Referred topics, on the lead referral's deadline: due then, and closed by it.
DUE_ON_COUNTERS = ("due", "due_on_time")
SESSION_COUNTERS = ("sessions", "attendance_expected", "attendance_present", "residents")
COUNTERS = (
    RAISED_ON_COUNTERS
    + RESOLVED_ON_COUNTERS
    + OVERDUE_COUNTERS
    + DUE_ON_COUNTERS
    + SESSION_COUNTERS
)


class NodeCount(models.Model):
    node = models.CharField("节点", max_length=16)
    grain = models.CharField("粒度", max_length=1, choices=Grain.choices)
    day = models.DateField("日期")
    raised = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    declined = models.IntegerField(default=0)
    accepted_resolved = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)  # resolved after a referral (办理)
    handling_days = models.IntegerField(default=0)  # their working days 交办 → 办结, summed
    overdue = models.IntegerField(default=0)
    due = models.IntegerField(default=0)
    due_on_time = models.IntegerField(default=0)
    sessions = models.IntegerField(default=0)
    attendance_expected = models.IntegerField(default=0)
    attendance_present = models.IntegerField(default=0)
    residents = models.IntegerField(default=0)  # 群众代表人数 recorded on the sessions

    class Meta:
        verbose_name = verbose_name_plural = "看板汇总"
        constraints = [
            models.UniqueConstraint(fields=["node", "grain", "day"], name="nodecount_key"),
        ]

    def __str__(self):
        return f"{self.node} {self.grain} {self.day}"


class DaysKind(models.TextChoices):
    RAISED = "r", "提出到办结(自然日)"
    WORKING = "w", "交办到办结(工作日)"


class NodeResolveDays(models.Model):
    """How many topics resolved on ``day`` (or in its month) took ``days`` days: the
    histograms behind the medians — ``kind`` r: calendar days from 提出 to 办结 (every resolved
    topic); w: working days from the first 交办 to 办结 (the resolved topics that were referred)."""

    node = models.CharField("节点", max_length=16)
    grain = models.CharField("粒度", max_length=1, choices=Grain.choices)
    day = models.DateField("日期")
    kind = models.CharField("口径", max_length=1, choices=DaysKind.choices, default=DaysKind.RAISED)
    days = models.IntegerField("办结用时(天)")
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "看板办结用时汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["node", "grain", "day", "kind", "days"], name="noderesolvedays_key"
            ),
        ]
        indexes = [
            # PostgreSQL reads (node, grain, day) ranges index-only with days and n included
            # (a district's histogram 8 → 2 ms); databases without covering indexes skip it.
            models.Index(
                fields=["node", "grain", "day"],
                include=["kind", "days", "n"],
                name="noderesolvedays_read_idx",
            ),
        ]

    def __str__(self):
        return f"{self.node} {self.grain} {self.day} {self.days}d"


class TopicFact(models.Model):
    """What one topic adds to the counts now (its nodes and the dates it is counted on)."""

    topic = models.OneToOneField(
        "topics.Topic", on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False
    )
    nodes = models.CharField(max_length=200)  # "a1 a5 a23 v7"
    raised_on = models.DateField(null=True)  # NULL: merged, counted nowhere
    accepted = models.BooleanField(default=False)
    declined = models.BooleanField(default=False)
    resolved = models.BooleanField(default=False)  # now in a resolved state
    resolved_on = models.DateField(null=True)  # NULL unless in a resolved state
    rated = models.BooleanField(default=False)
    satisfied = models.BooleanField(default=False)
    overdue_from = models.DateField(null=True)  # open topics: the first day it is overdue
    work_days = models.IntegerField(null=True)  # resolved after a referral: working days taken
    due_on = models.DateField(null=True)  # referred: the lead referral's deadline
    on_time = models.BooleanField(default=False)  # now resolved, on or before due_on

    def __str__(self):
        return f"topic {self.topic_id}"


class SessionFact(models.Model):
    """What one session adds to the counts now."""

    consultation = models.OneToOneField(
        "topics.Consultation", on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False
    )
    nodes = models.CharField(max_length=200)
    day = models.DateField()
    attendance_expected = models.IntegerField(default=0)
    attendance_present = models.IntegerField(default=0)
    residents = models.IntegerField(default=0)

    def __str__(self):
        return f"session {self.consultation_id}"


# -- day bitmaps (dashboards.bits) ------------------------------------------------------------
# Day bitmaps kept beside the records so the dashboard counts venues and members fast.
#
# One row per entity and year, only for years with a day set. ``dashboards.bits`` keeps them in step
# with the records (signals on every save/delete, ``rebuild_bits()`` after bulk loads) and counts
# from them; ``dashboards.records`` stays the definition they are checked against. Bitmap layout:
# ``dashboards.bitmap`` (day ``d`` of the year is bit ``d % 61`` of chunk ``d // 61``).

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


class SummaryDefinition(models.Model):
    """The version of the summaries' definitions the stored rows were computed with (one row).

    ``dashboards.summaries.DEFINITION_VERSION`` is the code's; ``migrate`` rebuilds the tables
    when the two differ (``DashboardsConfig``'s post_migrate handler), and the nightly check
    reports it."""

    name = models.CharField(max_length=40, unique=True)
    version = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "看板汇总定义版本"

    def __str__(self):
        return f"{self.name} v{self.version}"
