"""Topics (议题), their timeline and referrals; consultation sessions and attendance."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from consult_portal.phones import PhoneNumberField
from consult_portal.pinyin import SearchPinyinMixin
from consult_portal.roles import scope_for
from consult_portal.tracking import TrackedQuerySet
from members.models import Member
from platforms.models import Area, Venue

from . import rules
from .lifecycle import OPEN_STATES, TopicStatus


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", "政府部门"
    UTILITY = "utility", "公用事业(供水/供电/燃气)"
    PROPERTY = "property", "物业公司"
    ENTERPRISE = "enterprise", "企业"
    OTHER = "other", "其他"


def ancestor_paths(path: str) -> list[str]:
    """The materialized paths of an area and of every area above it (treebeard's fixed steps)."""
    step = Area.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


class DepartmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DepartmentQuerySet:
        """Staff and leaders: the units of their area and below, and of every area above
        theirs (a district's staff refer to the city's 住建局 and see it in the list)."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(
                scope.area_q("area") | Q(area__path__in=ancestor_paths(scope.area_path))
            )
        return self.none()

    def referable_by(self, user) -> DepartmentQuerySet:
        """The units a user may refer a topic to: those they see, in use. The one rule the
        referral form offers and the services check (another district's unit is never in it)."""
        return self.visible_to(user).filter(is_active=True)


class Department(SearchPinyinMixin, models.Model):
    """A unit (承办单位) that takes on referred topics: a government department at any level of
    the area tree, a utility, a property company or an enterprise. The code keeps its first name,
    ``Department``; the UI says 承办单位."""

    name = models.CharField("名称", max_length=64)
    kind = models.CharField(
        "单位类型",
        max_length=16,
        choices=DepartmentKind.choices,
        default=DepartmentKind.GOVERNMENT,
    )
    # Full pinyin and initials of the name ("wangjianguo wjg"), for the search box; kept by save().
    search_pinyin = models.CharField("拼音", max_length=300, blank=True, editable=False)
    area = models.ForeignKey(
        Area,
        verbose_name="所属区划",
        on_delete=models.PROTECT,
        related_name="departments",
    )
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    contact_phone = PhoneNumberField("联系电话", blank=True)
    is_active = models.BooleanField("在用", default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="department_area_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TopicCategory(models.Model):
    name = models.CharField("名称", max_length=32, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "议题类别"
        verbose_name_plural = "议题类别"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class TopicSource(models.TextChoices):
    RESIDENT = "resident", "群众反映"
    MEMBER = "member", "委员提出"
    GOVERNMENT = "government", "党委政府交办"
    RESEARCH = "research", "调研发现"
    ONLINE = "online", "网络征集"


class Priority(models.IntegerChoices):
    LOW = 1, "一般"
    NORMAL = 2, "较急"
    HIGH = 3, "紧急"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class RedirectChannel(models.TextChoices):
    """分流: where a problem the office does not take on was sent instead."""

    PETITION = "petition", "信访"
    HOTLINE = "hotline", "12345热线"
    JUDICIAL = "judicial", "司法途径"
    OTHER = "other", "其他渠道"


class ResolutionKind(models.TextChoices):
    """How a topic came to 已办结 (the figures count each)."""

    ON_SPOT = "on_spot", "现场解决"
    AGREEMENT = "agreement", "协商解决"
    REFERRAL = "referral", "交办办结"


class VisitMethod(models.TextChoices):
    CALL = "call", "电话回访"
    VISIT = "visit", "上门回访"
    SELF = "self", "群众自评"


# Unambiguous characters (no 0/O, 1/I/L) so a code read aloud over the phone survives.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 8


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


class TopicQuerySet(TrackedQuerySet):
    def visible_to(self, user) -> TopicQuerySet:
        """Staff and leaders: topics of their area and below. Members: topics at the venues
        they are assigned to, and the ones they raised. A unit's account: the topics referred
        to its unit."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("area"))
        if scope.member_id:
            return self.filter(
                Q(venue_id__in=scope.venue_ids) | Q(raised_by_member_id=scope.member_id)
            )
        if scope.unit_id:
            mine = Referral.objects.filter(topic=models.OuterRef("pk"), department_id=scope.unit_id)
            return self.filter(models.Exists(mine))
        return self.none()

    def open(self) -> TopicQuerySet:
        return self.filter(status__in=OPEN_STATES)

    def overdue(self, today=None) -> TopicQuerySet:
        """Open topics past their due date (``topics.rules``)."""
        return self.filter(rules.topic_overdue_q(today or timezone.localdate()))

    def with_late_referral(self, today=None) -> TopicQuerySet:
        """Annotate ``ref_due`` (the earliest deadline of the unanswered referrals) so
        ``Topic.is_overdue`` sees referrals without a query. ``today`` is not needed: kept for
        the callers that pass it."""
        return rules.with_due(self)


class Topic(models.Model):
    """A problem raised (急难愁盼) and followed through its lifecycle (see ``lifecycle``)."""

    title = models.CharField("标题", max_length=200)
    description = models.TextField("问题描述", blank=True)
    source = models.CharField("来源", max_length=16, choices=TopicSource.choices, db_index=True)
    category = models.ForeignKey(
        TopicCategory,
        verbose_name="类别",
        on_delete=models.PROTECT,
        related_name="topics",
    )
    area = models.ForeignKey(
        Area,
        verbose_name="所属区划",
        on_delete=models.PROTECT,
        related_name="topics",
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name="阵地",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="topics",
    )
    raised_by_member = models.ForeignKey(
        Member,
        verbose_name="提出委员",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics_raised",
    )
    # A resident's details are private: never shown on a public page.
    resident_name = models.CharField("群众姓名", max_length=32, blank=True)
    resident_phone = PhoneNumberField("群众电话", blank=True)
    resident_consents_contact = models.BooleanField("同意回访联系", default=False)
    raised_on = models.DateField("提出日期", default=timezone.localdate)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=TopicStatus.choices,
        default=TopicStatus.RAISED,
    )
    priority = models.PositiveSmallIntegerField(
        "紧急程度", choices=Priority.choices, default=Priority.LOW
    )
    tracking_code = models.CharField(
        "查询码", max_length=12, unique=True, default=new_tracking_code, editable=False
    )
    deadline = models.DateField("办理期限", null=True, blank=True)
    resolved_on = models.DateField("办结日期", null=True, blank=True)
    resolution_summary = models.TextField("办理结果(公开)", blank=True)
    internal_notes = models.TextField("内部备注(不公开)", blank=True)
    # The latest 回访's rating (TopicVisit keeps every one).
    rating = models.CharField("群众评价", max_length=16, choices=Rating.choices, blank=True)
    rated_on = models.DateField("评价日期", null=True, blank=True)
    # 受理 / 不予受理: the reason given, and for a decline where the problem was sent (分流).
    decision_reason = models.TextField("受理意见", blank=True)
    redirect_channel = models.CharField(
        "分流渠道", max_length=16, choices=RedirectChannel.choices, blank=True
    )
    redirect_note = models.CharField("分流说明", max_length=200, blank=True)
    resolution_kind = models.CharField(
        "办结方式", max_length=16, choices=ResolutionKind.choices, blank=True, db_index=True
    )
    # 提级: the district's topic this one was raised from (this one is in the office above's
    # queue; the original is 已提级).
    elevated_from = models.OneToOneField(
        "self",
        verbose_name="提级自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elevated_to",
    )
    # Set when this topic was a duplicate folded into another one (status "merged"); its URL
    # then redirects to the survivor. Events and links stay where they were written.
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并至",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("raised_on")),
                name="topic_resolved_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=models.F("raised_on")),
                name="topic_deadline_after_raised",
            ),
            models.CheckConstraint(
                condition=Q(rating="") | Q(rated_on__isnull=False),
                name="topic_rating_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TopicStatus.values),
                name="topic_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status=TopicStatus.MERGED),
                name="topic_merged_has_status",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "status"], name="topic_area_status_idx"),
            models.Index(fields=["area", "raised_on"], name="topic_area_raised_idx"),
            models.Index(fields=["status", "deadline"], name="topic_status_deadline_idx"),
            models.Index(fields=["venue", "status"], name="topic_venue_status_idx"),
            models.Index(fields=["resolved_on"], name="topic_resolved_on_idx"),
            # The default order of the topic list (selectors.topic_list: -raised_on, -pk).
            models.Index(fields=["-raised_on", "-id"], name="topic_list_order_idx"),
            # The dashboard figures of an area read every column they count from this index
            # (an index-only scan instead of the wide rows with titles and descriptions).
            models.Index(
                fields=["area"],
                include=["status", "raised_on", "resolved_on", "rating", "deadline", "venue"],
                name="topic_area_figures_idx",
            ),
            # Open topics are a fifth of all: the office home counts and lists them (waiting,
            # overdue, due soon) from this partial index alone (issue 17).
            models.Index(
                fields=["area", "deadline"],
                include=["id", "status", "raised_on"],
                condition=Q(status__in=sorted(OPEN_STATES)),
                name="topic_open_area_idx",
            ),
            # Topics waiting to be accepted, oldest first (the office home): rare among all, so
            # walking the list's order index for them read most of the table for a district.
            models.Index(
                fields=["raised_on", "id"],
                condition=Q(status=TopicStatus.RAISED),
                name="topic_raised_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        """``topics.rules.topic_is_overdue`` today; referrals count when the row was loaded
        ``with_late_referral()`` (no query here)."""
        due = rules.topic_due(self.deadline, [getattr(self, "ref_due", None)])
        return rules.topic_is_overdue(self.status, due, timezone.localdate())


class EventKind(models.TextChoices):
    RAISED = "raised", "提出"
    TRANSITION = "transition", "状态变更"
    REFERRAL = "referral", "交办"
    REPLY = "reply", "单位答复"
    SIGN = "sign", "签收"
    RETURN = "return", "退回"
    EXTENSION = "extension", "申请延期"
    EXTENSION_DECISION = "ext_decision", "延期审核"
    REVIEW = "review", "答复审核"
    RATING = "rating", "回访"
    MERGE = "merge", "合并"
    COMMENT = "comment", "备注"
    EDIT = "edit", "后台修改"
    # 重新办理 after a 不满意 回访: the figures count these events as reopened topics.
    REOPEN = "reopen", "重新办理"
    FOLLOW_UP = "follow_up", "跟踪问效"
    ELEVATE = "elevate", "提级"
    AGENDA = "agenda", "列入协商"
    STAFF_EDIT = "staff_edit", "修改议题"


class TopicEvent(models.Model):
    """One step on a topic's timeline: who did what, when, from which state to which."""

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(
        "类型", max_length=16, choices=EventKind.choices, default=EventKind.TRANSITION
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topic_events",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    from_status = models.CharField("原状态", max_length=16, choices=TopicStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=16, choices=TopicStatus.choices, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "议题进程"
        verbose_name_plural = "议题进程"
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["topic", "at"], name="topicevent_topic_at_idx"),
            models.Index(fields=["to_status", "at"], name="topicevent_to_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.from_status}→{self.to_status}"


class TopicVisit(models.Model):
    """回访: a call or visit to the resident after 办结, with their rating (several possible: a
    reopened topic is visited again). The latest one's rating is copied onto the topic."""

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField("回访日期")
    visitor = models.CharField("回访人", max_length=32, blank=True)
    method = models.CharField("回访方式", max_length=8, choices=VisitMethod.choices)
    rating = models.CharField("群众评价", max_length=16, choices=Rating.choices)
    note = models.TextField("回访记录", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.topic} {self.visited_on} {self.get_rating_display()}"


class TopicFollowUp(models.Model):
    """跟踪问效: a dated check on a closed topic (a B-class promise, a works project's progress)
    until the office marks it 已落实."""

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="follow_ups"
    )
    checked_on = models.DateField("跟踪日期")
    text = models.TextField("跟踪情况")
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "跟踪问效"
        verbose_name_plural = "跟踪问效"
        ordering = ["checked_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="topic_follow_up_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.checked_on} {self.progress}%"


class ReferralRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSIST = "assist", "协办"


class ReplyClass(models.TextChoices):
    """The class of a unit's reply (办复), as offices write it."""

    A = "A", "A类 已解决"
    B = "B", "B类 正在解决·列入计划"
    C = "C", "C类 因条件限制暂不能解决·已解释"


class ReferralQuerySet(TrackedQuerySet):
    def visible_to(self, user) -> ReferralQuerySet:
        """Referrals of the topics a user sees; a unit's account: its own unit's only (never
        the other units' referrals of the same topic)."""
        scope = scope_for(user)
        if scope.unit_id:
            return self.filter(department_id=scope.unit_id)
        return self.filter(topic__in=Topic.objects.visible_to(user))


class Referral(models.Model):
    """交办: a topic handed to a unit (承办单位), with a deadline and, later, the reply."""

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="referrals"
    )
    department = models.ForeignKey(
        Department, verbose_name="承办单位", on_delete=models.PROTECT, related_name="referrals"
    )
    role = models.CharField(
        "承办方式", max_length=8, choices=ReferralRole.choices, default=ReferralRole.LEAD
    )
    referred_on = models.DateField("交办日期", default=timezone.localdate)
    deadline = models.DateField("办理期限")
    # The deadline first set, kept when an extension moves ``deadline`` (申请延期).
    original_deadline = models.DateField("原办理期限", null=True, blank=True)
    signed_on = models.DateField("签收日期", null=True, blank=True)
    returned_on = models.DateField("退回日期", null=True, blank=True)
    return_reason = models.TextField("退回原因", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    reply_class = models.CharField("答复类别", max_length=1, choices=ReplyClass.choices, blank=True)
    # A B-class reply the office let continue (继续办理): when the unit plans to finish.
    planned_on = models.DateField("计划完成日期", null=True, blank=True)

    objects = ReferralQuerySet.as_manager()  # bulk writes announce themselves (summaries)

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["deadline", "pk"]
        constraints = [
            # A unit that returned a referral (退回) may be referred the topic again later.
            models.UniqueConstraint(
                fields=["topic", "department"],
                condition=Q(returned_on__isnull=True),
                name="referral_topic_department_unique",
            ),
            models.UniqueConstraint(
                fields=["topic"],
                condition=Q(role="lead", returned_on__isnull=True),
                name="referral_one_lead_per_topic",
            ),
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True) | Q(replied_on__isnull=True),
                name="referral_returned_or_replied",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("referred_on")),
                name="referral_deadline_after_referred",
            ),
            models.CheckConstraint(
                condition=Q(replied_on__isnull=True) | Q(replied_on__gte=models.F("referred_on")),
                name="referral_replied_after_referred",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "replied_on"], name="referral_dept_replied_idx"),
            # Referrals still waiting for a reply (about one in ten): the due date of a topic
            # and "overdue" read only these (topics.rules).
            models.Index(
                fields=["topic", "deadline"],
                condition=Q(replied_on__isnull=True),
                name="referral_unanswered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} → {self.department}"

    @property
    def stage(self) -> str:
        """Where the referral stands, in the words the unit and the office use."""
        if self.returned_on:
            return "已退回"
        if self.replied_on:
            return "已答复"
        if self.signed_on:
            return "办理中"
        return "待签收"


class UnitAccount(models.Model):
    """Ties a login of the group 承办单位 to its unit; a unit may have several."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="unit_account",
    )
    department = models.ForeignKey(
        Department, verbose_name="承办单位", on_delete=models.CASCADE, related_name="accounts"
    )
    display_name = models.CharField("姓名", max_length=32, blank=True)

    class Meta:
        verbose_name = "承办单位账号"
        verbose_name_plural = "承办单位账号"

    def __str__(self) -> str:
        return f"{self.department} · {self.display_name or self.user}"


class ExtensionDecision(models.TextChoices):
    PENDING = "pending", "待审核"
    GRANTED = "granted", "已同意"
    REFUSED = "refused", "未同意"


class ReferralExtension(models.Model):
    """申请延期: a unit asks for a later deadline with a reason; the office grants or refuses.
    Both dates are kept (``old_deadline``, ``new_deadline``)."""

    referral = models.ForeignKey(
        Referral, verbose_name="交办", on_delete=models.CASCADE, related_name="extensions"
    )
    reason = models.TextField("延期理由")
    old_deadline = models.DateField("原办理期限")
    new_deadline = models.DateField("申请延至")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decision = models.CharField(
        "审核结果",
        max_length=8,
        choices=ExtensionDecision.choices,
        default=ExtensionDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(decision="pending"),
                name="extension_one_pending_per_referral",
            ),
            models.CheckConstraint(
                condition=Q(new_deadline__gt=models.F("old_deadline")),
                name="extension_later_than_before",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral} 延期至 {self.new_deadline}"


class ReferralAttachment(models.Model):
    """A file a unit sends with its reply (photos of the works, a signed letter)."""

    referral = models.ForeignKey(
        Referral, verbose_name="交办", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to="replies/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = "答复附件"
        verbose_name_plural = "答复附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ConsultationForm(models.TextChoices):
    PUBLIC_HEARING = "hearing", "民情恳谈会"
    COORDINATION = "coordination", "事务协调会"
    DEMOCRATIC = "democratic", "民主协商会"
    RESIDENTS = "residents", "居民议事会"
    MONTHLY_TALK = "monthly", "月月谈"
    NEIGHBOUR_NIGHT = "neighbour", "邻里夜话"
    HALF_SEVEN = "half_seven", "七点半议事厅"
    VILLAGE_NIGHT = "village_night", "村落夜话"
    COURTYARD = "courtyard", "庭院协商"
    STATION = "station", "片区驿站协商"
    BUSINESS = "business", "商事协商"
    ONLINE = "online", "线上协商"


class ConsultationQuerySet(TrackedQuerySet):
    def visible_to(self, user) -> ConsultationQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("venue__area"))
        if scope.member_id:
            return self.filter(
                Q(venue_id__in=scope.venue_ids) | Q(attendances__member_id=scope.member_id)
            ).distinct()
        return self.none()


class Consultation(models.Model):
    """协商活动: a session held at a venue."""

    venue = models.ForeignKey(
        Venue, verbose_name="阵地", on_delete=models.PROTECT, related_name="consultations"
    )
    held_at = models.DateTimeField("举办时间")
    form = models.CharField(
        "协商形式", max_length=16, choices=ConsultationForm.choices, db_index=True
    )
    title = models.CharField("主题", max_length=200)
    host = models.ForeignKey(
        Member,
        verbose_name="主持委员",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultations_hosted",
    )
    residents_count = models.PositiveIntegerField("群众代表人数", default=0)
    enterprises_count = models.PositiveIntegerField("企业代表人数", default=0)
    experts_count = models.PositiveIntegerField("专家人数", default=0)
    departments_count = models.PositiveIntegerField("部门人数", default=0)
    departments = models.ManyToManyField(
        Department, verbose_name="参加单位", blank=True, related_name="consultations"
    )
    topics = models.ManyToManyField(
        Topic,
        verbose_name="协商议题",
        through="ConsultationTopic",
        blank=True,
        related_name="consultations",
    )
    minutes = models.TextField("会议纪要", blank=True)
    outcome = models.TextField("协商成果(共识)", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ConsultationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        verbose_name = "协商活动"
        verbose_name_plural = "协商活动"
        ordering = ["-held_at", "-pk"]
        indexes = [
            models.Index(fields=["venue", "held_at"], name="consultation_venue_held_idx"),
            models.Index(fields=["held_at"], name="consultation_held_idx"),
            # "Was this session held in the period?" by id, from the index alone (the 五个一
            # test looks up every session a member attended).
            models.Index(fields=["id", "held_at"], name="consultation_id_held_idx"),
            # Sessions still without minutes (about one in eight): the office home's count and
            # list (issue 17).
            models.Index(
                fields=["held_at"], condition=Q(minutes=""), name="consultation_no_minutes_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ConsultationTopic(models.Model):
    consultation = models.ForeignKey(
        Consultation, verbose_name="协商活动", on_delete=models.CASCADE, related_name="topic_links"
    )
    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="consultation_links"
    )
    note = models.TextField("讨论情况", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "协商议题"
        verbose_name_plural = "协商议题"
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "topic"], name="consultation_topic_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.topic}"


class ConsultationAttachment(models.Model):
    """A photo or document of a session; stored outside the web root, served by a checked view."""

    consultation = models.ForeignKey(
        Consultation, verbose_name="协商活动", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to="consultations/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "活动附件"
        verbose_name_plural = "活动附件"
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    LEAVE = "leave", "请假"


class Attendance(models.Model):
    consultation = models.ForeignKey(
        Consultation, verbose_name="协商活动", on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(
        "出席情况", max_length=8, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )

    history = HistoricalRecords()

    objects = TrackedQuerySet.as_manager()  # bulk writes announce themselves (summaries)

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        constraints = [
            models.UniqueConstraint(fields=["consultation", "member"], name="attendance_unique"),
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="attendance_member_status_idx"),
            # The sessions a member attended, from the index alone (dashboard 五个一).
            models.Index(
                fields=["member", "status"],
                include=["consultation"],
                name="attendance_member_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.member} · {self.get_status_display()}"


class PairVerdict(models.TextChoices):
    SUGGESTED = "suggested", "可能重复"
    NOT_SAME = "not_same", "不是同一问题"


class TopicPair(models.Model):
    """Two topics the similarity check put side by side (issue 16, similar topics).

    ``suggested``: a resident's report that arrived looking like an open topic (the queue flags
    it until staff merge it or say it is not the same). ``not_same``: staff said "不是同一问题",
    so the pair is never offered again. ``low`` is the smaller id, so a pair has one row."""

    low = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(
        "结论", max_length=16, choices=PairVerdict.choices, default=PairVerdict.SUGGESTED
    )
    score = models.FloatField("相似度", default=0.0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="判断人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("判断时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "相似议题"
        verbose_name_plural = "相似议题"
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="topic_pair_unique"),
            models.CheckConstraint(condition=Q(low__lt=models.F("high")), name="topic_pair_order"),
        ]
        indexes = [models.Index(fields=["high", "verdict"], name="topic_pair_high_idx")]

    def __str__(self) -> str:
        return f"#{self.low_id} · #{self.high_id} · {self.get_verdict_display()}"


class TopicPhoto(models.Model):
    """A photo a resident sent with their issue (issue 16). Stored re-encoded (resized, without
    EXIF, so no location), under ``MEDIA_ROOT`` and served only through scoped views; shown on
    the public tracking page only once staff approve it."""

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField("照片", upload_to="topic_photos/%Y/%m/")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    approved = models.BooleanField("允许公开", default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "议题照片"
        verbose_name_plural = "议题照片"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.topic_id} 照片 {self.pk}"
