"""Members (委员), where they are assigned, their duty days and their duties."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from consult_portal.phones import PhoneNumberField
from consult_portal.pinyin import SearchPinyinMixin, person_pinyin
from consult_portal.roles import scope_for
from consult_portal.tracking import TrackedQuerySet
from platforms.models import Area, Venue


class SectorKind(models.TextChoices):
    PARTY = "party", "党派"
    ORGANIZATION = "organization", "人民团体"
    SECTOR = "sector", "界别"


class Sector(models.Model):
    """界别: reference list seeded by a data migration; offices may add local ones."""

    name = models.CharField("名称", max_length=32, unique=True)
    kind = models.CharField("类别", max_length=16, choices=SectorKind.choices)
    sort_order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "界别"
        verbose_name_plural = "界别"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", "中共党员"
    RCCK = "rcck", "民革"
    CDL = "cdl", "民盟"
    CNDCA = "cndca", "民建"
    CAPD = "capd", "民进"
    CPWDP = "cpwdp", "农工党"
    CZGP = "czgp", "致公党"
    JSS = "jss", "九三学社"
    TDSGL = "tdsgl", "台盟"
    INDEPENDENT = "independent", "无党派人士"
    MASSES = "masses", "群众"


class CommitteeLevel(models.TextChoices):
    NATIONAL = "national", "全国政协"
    PROVINCE = "province", "省政协"
    CITY = "city", "市政协"
    DISTRICT = "district", "县·区政协"


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user) -> MemberQuerySet:
        """Office staff and leaders see members of committees in their area and members
        assigned to a venue or liaison group in it; a member sees their own record."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            assigned_here = Assignment.objects.filter(member=OuterRef("pk")).filter(
                scope.area_q("venue__area") | scope.area_q("area")
            )
            return self.filter(scope.area_q("area") | Exists(assigned_here))
        if scope.member_id:
            return self.filter(pk=scope.member_id)
        return self.none()

    def active(self) -> MemberQuerySet:
        return self.filter(is_active=True)


class Member(SearchPinyinMixin, models.Model):
    """A CPPCC committee member (委员)."""

    pinyin_of = staticmethod(person_pinyin)  # surnames read as surnames (单 shan, 曾 zeng)

    name = models.CharField("姓名", max_length=32)
    # Full pinyin and initials of the name ("wangjianguo wjg"), for the search box; kept by save().
    search_pinyin = models.CharField("拼音", max_length=300, blank=True, editable=False)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=16, default="汉族")
    birth_year = models.PositiveSmallIntegerField("出生年份", null=True, blank=True)
    political_status = models.CharField(
        "政治面貌",
        max_length=16,
        choices=PoliticalStatus.choices,
        db_index=True,
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name="界别",
        on_delete=models.PROTECT,
        related_name="members",
    )
    committee_level = models.CharField(
        "委员层级",
        max_length=16,
        choices=CommitteeLevel.choices,
        db_index=True,
    )
    area = models.ForeignKey(
        Area,
        verbose_name="所属政协",
        on_delete=models.PROTECT,
        related_name="members",
        help_text="委员所属政协的行政区划(如某区政协委员填该区)。",
    )
    term = models.PositiveSmallIntegerField("届次", null=True, blank=True)
    special_committee = models.CharField("专委会", max_length=64, blank=True)
    work_unit = models.CharField("工作单位", max_length=100, blank=True)
    title = models.CharField("职务", max_length=64, blank=True)
    phone = PhoneNumberField("联系电话", blank=True)
    focus_areas = models.CharField("关注领域", max_length=200, blank=True)
    bio = models.TextField("简介", blank=True)
    unavailable_weekdays = models.CharField(
        "不便值班的星期",
        max_length=7,
        blank=True,
        help_text="排班时跳过这些星期几(0=周一 … 6=周日,如“06”)。",
    )
    is_active = models.BooleanField("在任", default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "委员"
        verbose_name_plural = "委员"
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="member_birth_year_range",
            ),
            models.CheckConstraint(
                condition=Q(term__isnull=True) | Q(term__gte=1, term__lte=50),
                name="member_term_range",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "is_active"], name="member_area_active_idx"),
            # The dashboards count an area's members area by area (dashboards.bits): with the
            # id in the index that is an index-only scan, not a scan of every member.
            models.Index(
                fields=["area"], include=["id", "is_active"], name="member_area_cover_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssignmentRole(models.TextChoices):
    CONVENER = "convener", "召集人"
    LIAISON = "liaison", "联络员"
    MEMBER = "member", "成员"


class AssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> AssignmentQuerySet:
        on = on or timezone.localdate()
        return self.filter(started_on__lte=on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )

    def visible_to(self, user) -> AssignmentQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("venue__area") | scope.area_q("area"))
        if scope.member_id:
            return self.filter(member_id=scope.member_id)
        return self.none()


class Assignment(models.Model):
    """A member sent down (下沉/报到) to a venue, or to a subdistrict liaison group (街道联络委)."""

    member = models.ForeignKey(
        Member,
        verbose_name="委员",
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name="阵地",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )
    area = models.ForeignKey(
        Area,
        verbose_name="街道联络委",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
        help_text="编入街道联络委时填写街道,与阵地二选一。",
    )
    role = models.CharField(
        "角色", max_length=16, choices=AssignmentRole.choices, default=AssignmentRole.MEMBER
    )
    started_on = models.DateField("开始日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "委员下沉"
        verbose_name_plural = "委员下沉"
        ordering = ["-started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(venue__isnull=False) & Q(area__isnull=True))
                | (Q(venue__isnull=True) & Q(area__isnull=False)),
                name="assignment_venue_xor_area",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["member", "venue", "started_on"],
                name="assignment_member_venue_start_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "ended_on"], name="assignment_venue_end_idx"),
            models.Index(fields=["member", "ended_on"], name="assignment_member_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.venue or self.area}({self.get_role_display()})"


class ShiftSlot(models.TextChoices):
    MORNING = "am", "上午"
    AFTERNOON = "pm", "下午"
    EVENING = "eve", "晚上"
    FULL_DAY = "day", "全天"


class ShiftStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SCHEDULED = "scheduled", "已排班"
    CONFIRMED = "confirmed", "已确认"
    DONE = "done", "已值班"
    MISSED = "missed", "缺勤"
    SWAPPED = "swapped", "已调班"
    SWAP_REQUESTED = "swap_requested", "申请调班"


class DutyShiftQuerySet(models.QuerySet):
    def visible_to(self, user) -> DutyShiftQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("venue__area"))
        if scope.member_id:
            return self.published().filter(member_id=scope.member_id)
        return self.none()

    def published(self) -> DutyShiftQuerySet:
        """Shifts members may see: everything but a month's unpublished draft."""
        return self.exclude(status=ShiftStatus.DRAFT)


class DutyShift(models.Model):
    """驻站值日: one member on duty at a venue for one slot of one day."""

    member = models.ForeignKey(
        Member,
        verbose_name="委员",
        on_delete=models.CASCADE,
        related_name="duty_shifts",
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name="阵地",
        on_delete=models.CASCADE,
        related_name="duty_shifts",
    )
    date = models.DateField("日期")
    slot = models.CharField(
        "时段", max_length=8, choices=ShiftSlot.choices, default=ShiftSlot.FULL_DAY
    )
    status = models.CharField(
        "状态", max_length=16, choices=ShiftStatus.choices, default=ShiftStatus.SCHEDULED
    )
    note = models.CharField("备注", max_length=200, blank=True)
    # Why the member asked for a swap (无法到岗), shown to the office beside the request.
    absence_reason = models.CharField("无法到岗原因", max_length=200, blank=True)
    swapped_from = models.ForeignKey(
        Member,
        verbose_name="原值日委员",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="swapped_shifts",
        help_text="调班后原排的委员;该班次不再计入其值日。",
    )

    objects = DutyShiftQuerySet.as_manager()
    # Who changed a shift and when: staff edits, swaps taken or approved, attendance marks.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "驻站值日"
        verbose_name_plural = "驻站值日"
        ordering = ["date", "slot", "pk"]
        constraints = [
            # A member is on duty at most once per slot; the rota also keeps them to one a day.
            models.UniqueConstraint(
                fields=["member", "date", "slot"], name="dutyshift_member_slot_unique"
            ),
        ]
        indexes = [models.Index(fields=["venue", "date"], name="dutyshift_venue_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_slot_display()} {self.member} @ {self.venue}"


class RotaMonthQuerySet(models.QuerySet):
    def visible_to(self, user) -> RotaMonthQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("venue__area"))
        return self.none()


class RotaMonth(models.Model):
    """A venue's published month: who published it and when. A month without this row is a
    draft; its shifts carry ``ShiftStatus.DRAFT`` and members do not see them."""

    venue = models.ForeignKey(
        Venue, verbose_name="阵地", on_delete=models.CASCADE, related_name="rota_months"
    )
    month = models.DateField("月份", help_text="该月第一天。")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = RotaMonthQuerySet.as_manager()

    class Meta:
        verbose_name = "已发布排班月"
        verbose_name_plural = "已发布排班月"
        ordering = ["-month", "venue"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "month"], name="rotamonth_venue_month_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.month:%Y-%m}"


class MemberLeaveQuerySet(models.QuerySet):
    def visible_to(self, user) -> MemberLeaveQuerySet:
        return self.filter(member__in=Member.objects.visible_to(user))


class MemberLeave(models.Model):
    """A period a member is away (请假): the rota generator skips them on those days and staff
    cannot place them on a shift then. Recorded by office staff; a member has no self-edit page."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="leaves", verbose_name="委员"
    )
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # The area of the office that recorded it (empty: an administrator, or recorded before the
    # column existed and by nobody known). Only that office, or an office above it, changes it:
    # a city member sent to two districts has leaves each district can see, but not remove.
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记单位区划",
    )

    objects = MemberLeaveQuerySet.as_manager()

    class Meta:
        verbose_name = "请假"
        verbose_name_plural = "请假"
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="member_leave_ends_after_start",
                violation_error_message="结束日期不能早于开始日期。",
            ),
        ]
        indexes = [models.Index(fields=["member", "starts_on"], name="member_leave_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} {self.starts_on:%Y-%m-%d} 至 {self.ends_on:%Y-%m-%d}"

    def covers(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class DutyKind(models.TextChoices):
    PROPOSAL = "proposal", "提案"
    OPINION = "opinion", "社情民意"
    RESEARCH = "research", "调研"
    CONSULTATION = "consultation", "协商"
    DUTY_DAY = "duty_day", "驻站值日"
    DEED = "deed", "实事"
    OTHER = "other", "其他"


class DutyStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"
    # A duty the member reported themselves: it counts (points, 五个一) only once the office
    # has confirmed it, which turns it into DONE; a returned one waits for the member to fix it.
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"


# What office staff set by hand; SUBMITTED and RETURNED belong to the review of a member's report.
STAFF_DUTY_STATUSES = (DutyStatus.PLANNED, DutyStatus.DONE, DutyStatus.CANCELLED)


class DutyOutcome(models.TextChoices):
    """Outcome of a proposal (立案/办复) or adoption level of a public-opinion report."""

    FILED = "filed", "立案"
    NOT_FILED = "not_filed", "不立案"
    ANSWERED = "answered", "已办复"
    NOT_ADOPTED = "not_adopted", "未采用"
    ADOPTED_DISTRICT = "adopted_district", "区级采用"
    ADOPTED_CITY = "adopted_city", "市级采用"
    ADOPTED_PROVINCE = "adopted_province", "省级采用"
    ADOPTED_NATIONAL = "adopted_national", "全国采用"


class DutyQuerySet(TrackedQuerySet):
    def visible_to(self, user) -> DutyQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(member__in=Member.objects.visible_to(user))
        if scope.member_id:
            return self.filter(member_id=scope.member_id)
        return self.none()

    def reviewable_by(self, user) -> DutyQuerySet:
        """Duties of members whose file the user may edit: their own committee's members (the
        same rule as ``can_record_duty``), in one filter: ``duty_policy``'s "review"."""
        from .permissions import duty_policy  # the policy is built on this model

        scope = scope_for(user)
        if not duty_policy.user_can(user, "review"):
            return self.none()
        return self.filter(scope.area_q("member__area"))


class Duty(models.Model):
    """履职: one thing a member did (a proposal, a research visit, a practical deed ...)."""

    member = models.ForeignKey(
        Member,
        verbose_name="委员",
        on_delete=models.CASCADE,
        related_name="duties",
    )
    kind = models.CharField("类型", max_length=16, choices=DutyKind.choices, db_index=True)
    date = models.DateField("日期")
    title = models.CharField("标题", max_length=200)
    venue = models.ForeignKey(
        Venue,
        verbose_name="阵地",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duties",
    )
    topic = models.ForeignKey(
        "topics.Topic",
        verbose_name="议题",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duties",
    )
    status = models.CharField(
        "状态", max_length=16, choices=DutyStatus.choices, default=DutyStatus.DONE
    )
    outcome = models.CharField("结果", max_length=24, choices=DutyOutcome.choices, blank=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # Self-reporting (委员自报) and its review by the office.
    self_reported = models.BooleanField("委员自报", default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=500, blank=True)

    objects = DutyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "履职记录"
        verbose_name_plural = "履职记录"
        ordering = ["-date", "pk"]
        indexes = [
            models.Index(fields=["member", "kind", "date"], name="duty_member_kind_date_idx"),
            # The dashboard's 五个一 test: completed duties of a member by kind and date, read
            # from the index alone.
            models.Index(
                fields=["member", "kind", "date"],
                condition=Q(status="done"),
                name="duty_done_member_kind_idx",
            ),
            # The office's review queue: the few reports waiting, never a scan of all duties.
            models.Index(
                fields=["date", "id"], condition=Q(status="submitted"), name="duty_submitted_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_kind_display()} · {self.title}"


# --- Duties and points (issue 5, item 3) ---


class PointKind(models.TextChoices):
    """What earns points. See members/points.py for how records map to these kinds."""

    ATTENDANCE = "attendance", "出席协商活动"
    DUTY_DAY = "duty_day", "驻站值日"
    PROPOSAL = "proposal", "提交提案"
    PROPOSAL_FILED = "proposal_filed", "提案立案加分"
    OPINION = "opinion", "报送社情民意"
    OPINION_DISTRICT = "opinion_district", "社情民意区级采用加分"
    OPINION_CITY = "opinion_city", "社情民意市级采用加分"
    OPINION_PROVINCE = "opinion_province", "社情民意省级采用加分"
    OPINION_NATIONAL = "opinion_national", "社情民意全国采用加分"
    RESEARCH = "research", "参加调研"
    DEED = "deed", "办实事"
    OTHER = "other", "其他履职"


class PointRule(models.Model):
    """积分规则: points per record of one kind in one year, and the most that kind may earn.

    One set of rules per year for the whole portal; a year without rows uses DEFAULT_POINT_RULES
    (members/points.py), and the rules page saves them for that year on first edit.
    """

    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("积分项", max_length=24, choices=PointKind.choices)
    points = models.PositiveSmallIntegerField("每次分值")
    cap = models.PositiveSmallIntegerField(
        "年度上限", null=True, blank=True, help_text="该项每年最多计的分数,留空为不设上限。"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind"], name="pointrule_year_kind_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="pointrule_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()} {self.points}分"


class PointBand(models.Model):
    """考核等次: a band of the year's assessment, from ``lowest`` points (inclusive) up to the
    next band's lowest. A member's band is the highest one whose ``lowest`` they reach.

    One set per year for the whole portal, edited with the point rules; a year without rows uses
    ``settings.MEMBER_POINT_BANDS``, and the rules page saves the set for that year on first edit.
    The rules page insists on a band from 0 so every member gets one.
    """

    year = models.PositiveSmallIntegerField("年度")
    label = models.CharField("等次", max_length=20)
    lowest = models.PositiveSmallIntegerField("最低分", help_text="达到该分数(含)即为此等次。")

    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核等次"
        verbose_name_plural = "考核等次"
        ordering = ["-year", "-lowest"]
        constraints = [
            models.UniqueConstraint(fields=["year", "label"], name="pointband_year_label_unique"),
            models.UniqueConstraint(fields=["year", "lowest"], name="pointband_year_lowest_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="pointband_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.label} ≥ {self.lowest}分"


# --- Calendar subscriptions (issue 5, item 4) ---


class CalendarFeedKind(models.TextChoices):
    MEMBER = "member", "委员本人"
    AREA = "area", "所辖区域"


def _feed_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCal feed URL (/cal/<token>.ics). What it lists is worked out from the owner's
    scope when the calendar app fetches it, so a reassignment or a lost role shows at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    kind = models.CharField("范围", max_length=8, choices=CalendarFeedKind.choices)
    token = models.CharField("令牌", max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "日历订阅"
        verbose_name_plural = "日历订阅"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendarfeed_one_live_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()}"
