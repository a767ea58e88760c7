"""Summary tables behind the dashboards: counts per node of the area tree and per day.

The figures are defined on the records (``dashboards.records``); at province scale summing the
records on every page view costs seconds, so the additive counts are kept here, per node
(``"a<area id>"`` for an area and every area below it, ``"v<venue id>"`` for a venue) and per
day, at two grains: ``D`` (one day) and ``M`` (a whole month, ``day`` = its first day). A period
is read as its whole months plus the days at either end, a few dozen rows per node whatever the
data size.

They are kept exactly in step with the records by ``dashboards.summaries``: each topic and
session has a snapshot of what it contributes (``TopicFact``, ``SessionFact``), and every save or
delete of a topic, referral, session or attendance row replaces its snapshot and applies the
difference to the counts in the same transaction. ``manage.py dashboard_summaries --check``
compares everything with a fresh computation from the records; ``--rebuild`` recomputes it.
"""

from django.db import models


class Grain(models.TextChoices):
    DAY = "D", "日"
    MONTH = "M", "月"


# The counters of NodeCount, each tied to the date a record is counted on.
RAISED_ON_COUNTERS = ("raised", "accepted", "declined", "accepted_resolved")
RESOLVED_ON_COUNTERS = ("resolved", "rated", "satisfied")
OVERDUE_COUNTERS = ("overdue",)  # open topics, on the first day they are overdue
SESSION_COUNTERS = ("sessions", "attendance_expected", "attendance_present")
COUNTERS = RAISED_ON_COUNTERS + RESOLVED_ON_COUNTERS + OVERDUE_COUNTERS + SESSION_COUNTERS


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
    overdue = models.IntegerField(default=0)
    sessions = models.IntegerField(default=0)
    attendance_expected = models.IntegerField(default=0)
    attendance_present = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "看板汇总"
        constraints = [
            models.UniqueConstraint(fields=["node", "grain", "day"], name="nodecount_key"),
        ]

    def __str__(self):
        return f"{self.node} {self.grain} {self.day}"


class NodeResolveDays(models.Model):
    """How many topics resolved on ``day`` (or in its month) took ``days`` days: the
    histogram behind the median."""

    node = models.CharField("节点", max_length=16)
    grain = models.CharField("粒度", max_length=1, choices=Grain.choices)
    day = models.DateField("日期")
    days = models.IntegerField("办结用时(天)")
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "看板办结用时汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["node", "grain", "day", "days"], name="noderesolvedays_key"
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

    def __str__(self):
        return f"session {self.consultation_id}"
