"""社情民意 public-opinion reports, 协商成果 outcome documents, the leaders' 批示 on both, and the
采纳 items an outcome's recipients carry out (issue 15, parts 2 and 3; 提案 will join this app).

Every write goes through ``proposals.services``; the figures are counted from these rows
(``proposals.figures``), never from hand-kept totals.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from consult_portal.roles import scope_for
from members.models import Duty, Member
from platforms.models import Area
from topics.models import Consultation, Department, Topic


class Level(models.TextChoices):
    """The level of the committee (or party committee / government) that adopts or instructs."""

    DISTRICT = "district", "区/县级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "全国"


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", "待编辑"
    EDITED = "edited", "已编期"
    SENT = "sent", "已报送"
    REJECTED = "rejected", "不予编发"


# The states in which the office has taken the report in (the authors' duty counts).
ACCEPTED_STATUSES = (ReportStatus.EDITED, ReportStatus.SENT)


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportQuerySet:
        """Staff and leaders: the reports of committees in their area; a member: the reports
        they wrote or signed."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("area"))
        if scope.member_id:
            return self.filter(
                pk__in=ReportAuthor.objects.filter(member_id=scope.member_id).values("report_id")
            )
        return self.none()


class PublicOpinionReport(models.Model):
    """社情民意信息: written by one member, several (联名) or the office itself (no author), edited
    by the office of ``area``'s committee into an issue of 《社情民意》 (期号 per year), and
    报送 to the levels above, which may each adopt it (``ReportAdoption``); leaders' 批示 are
    ``Instruction`` rows."""

    area = models.ForeignKey(
        Area, verbose_name="所属政协", on_delete=models.PROTECT, related_name="opinion_reports"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    category = models.CharField("类别", max_length=32, blank=True)
    submitted_on = models.DateField("提交日期")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED
    )
    issue_year = models.PositiveSmallIntegerField("期刊年度", null=True, blank=True)
    issue_number = models.PositiveSmallIntegerField("期号", null=True, blank=True)
    sent_on = models.DateField("报送日期", null=True, blank=True)
    sent_to = models.CharField("报送单位", max_length=100, blank=True)
    reject_reason = models.CharField("不予编发理由", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "社情民意信息"
        verbose_name_plural = "社情民意信息"
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            # One report per 期: the office's bulletin numbers its issues per year.
            models.UniqueConstraint(
                fields=["area", "issue_year", "issue_number"],
                condition=Q(issue_number__isnull=False),
                name="opinion_issue_unique",
            ),
            models.CheckConstraint(
                condition=Q(issue_number__isnull=True, issue_year__isnull=True)
                | Q(issue_number__isnull=False, issue_year__isnull=False),
                name="opinion_issue_year_and_number",
            ),
        ]
        indexes = [models.Index(fields=["area", "submitted_on"], name="opinion_area_date_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def issue_label(self) -> str:
        if self.issue_number is None:
            return ""
        return f"{self.issue_year}年第{self.issue_number}期"


class ReportAuthor(models.Model):
    """A member who wrote or signed the report; ``position`` 1 is the lead (第一作者). ``duty``
    is the member's 社情民意 duty the services keep in step with the report."""

    report = models.ForeignKey(
        PublicOpinionReport,
        verbose_name="社情民意",
        on_delete=models.CASCADE,
        related_name="authors",
    )
    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="opinion_authorships"
    )
    position = models.PositiveSmallIntegerField("署名顺序", default=1)
    duty = models.OneToOneField(
        Duty,
        verbose_name="履职记录",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinion_authorship",
    )

    class Meta:
        verbose_name = "社情民意作者"
        verbose_name_plural = "社情民意作者"
        ordering = ["report", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "member"], name="opinion_author_unique"),
            models.UniqueConstraint(fields=["report", "position"], name="opinion_author_position"),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.member}"

    @property
    def is_lead(self) -> bool:
        return self.position == 1


class ReportAdoption(models.Model):
    """采用: one level's adoption of a report (a report adopted by the city and the province has
    two rows)."""

    report = models.ForeignKey(
        PublicOpinionReport,
        verbose_name="社情民意",
        on_delete=models.CASCADE,
        related_name="adoptions",
    )
    level = models.CharField("采用层级", max_length=16, choices=Level.choices)
    adopted_on = models.DateField("采用日期")
    adopted_by = models.CharField("采用单位", max_length=100, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "采用记录"
        verbose_name_plural = "采用记录"
        ordering = ["report", "adopted_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "level"], name="opinion_adoption_level"),
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_level_display()}采用"


class OutcomeKind(models.TextChoices):
    SUGGESTION = "suggestion", "协商建议"
    BRIEF = "brief", "要报"
    MOTION = "motion", "建议案"
    RESEARCH = "research", "调研报告"


class Recipient(models.TextChoices):
    PARTY = "party", "党委"
    GOVERNMENT = "government", "政府"
    UNIT = "unit", "承办单位"


class OutcomeQuerySet(models.QuerySet):
    def visible_to(self, user) -> OutcomeQuerySet:
        """Staff and leaders: the outcomes of committees in their area; members none (their
        record lists those of the sessions they attended through ``proposals.record``)."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("area"))
        return self.none()


class Outcome(models.Model):
    """协商成果: a document drawn from sessions and topics, sent to the party committee, the
    government or a unit, with leaders' 批示 and the 采纳 items followed until done."""

    area = models.ForeignKey(
        Area, verbose_name="所属政协", on_delete=models.PROTECT, related_name="outcomes"
    )
    kind = models.CharField("类型", max_length=16, choices=OutcomeKind.choices)
    title = models.CharField("标题", max_length=200)
    date = models.DateField("成文日期")
    summary = models.TextField("内容摘要", blank=True)
    file = models.FileField("文件", upload_to="outcomes/%Y/%m/", blank=True)
    consultations = models.ManyToManyField(
        Consultation, verbose_name="来源协商活动", blank=True, related_name="outcomes"
    )
    topics = models.ManyToManyField(
        Topic, verbose_name="来源议题", blank=True, related_name="outcomes"
    )
    recipient = models.CharField("报送对象", max_length=16, choices=Recipient.choices)
    recipient_unit = models.ForeignKey(
        Department,
        verbose_name="报送单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outcomes_received",
    )
    sent_on = models.DateField("报送日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = OutcomeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "协商成果"
        verbose_name_plural = "协商成果"
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(recipient="unit") | Q(recipient_unit__isnull=False),
                name="outcome_unit_named",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def recipient_label(self) -> str:
        if self.recipient == Recipient.UNIT and self.recipient_unit_id:
            return str(self.recipient_unit)
        return self.get_recipient_display()


class OutcomeItem(models.Model):
    """采纳事项: one point of an outcome taken up, the unit responsible, its deadline and the
    follow-up (落实情况) until it is done."""

    outcome = models.ForeignKey(
        Outcome, verbose_name="协商成果", on_delete=models.CASCADE, related_name="items"
    )
    text = models.CharField("采纳事项", max_length=300)
    unit = models.ForeignKey(
        Department, verbose_name="责任单位", on_delete=models.PROTECT, related_name="outcome_items"
    )
    due_on = models.DateField("完成时限")
    progress = models.TextField("落实情况", blank=True)
    done_on = models.DateField("落实日期", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "采纳事项"
        verbose_name_plural = "采纳事项"
        ordering = ["outcome", "due_on", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class Instruction(models.Model):
    """批示: a leader's written instruction on a report or on an outcome (exactly one)."""

    report = models.ForeignKey(
        PublicOpinionReport,
        verbose_name="社情民意",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instructions",
    )
    outcome = models.ForeignKey(
        Outcome,
        verbose_name="协商成果",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instructions",
    )
    leader = models.CharField("批示领导", max_length=64, help_text="姓名及职务,如“张某某 副市长”。")
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    given_on = models.DateField("批示日期")
    text = models.TextField("批示内容")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["given_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report__isnull=False, outcome__isnull=True)
                | Q(report__isnull=True, outcome__isnull=False),
                name="instruction_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} {self.given_on:%Y-%m-%d}"
