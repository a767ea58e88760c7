"""Areas (the administrative tree), platform brands, venues and who works where.

The area tree is a materialized path (django-treebeard ``MP_Node``): every node stores the path
of its ancestors, so "this area and everything below it" is one indexed ``path LIKE 'prefix%'``
query, joinable from any model that points at an area. Reads vastly outnumber moves in an
administrative tree, which is exactly the trade-off a materialized path makes; a recursive CTE
would make every scoped list pay for the walk, and adjacency lists alone need one per level.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from consult_portal.phones import PhoneNumberField
from consult_portal.pinyin import SearchPinyinMixin
from consult_portal.roles import scope_for
from consult_portal.tracking import TrackedQuerySet


class AreaLevel(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    DISTRICT = 3, "区·县"
    SUBDISTRICT = 4, "街道·乡镇"
    COMMUNITY = 5, "社区·村"


class AreaQuerySet(MP_NodeQuerySet):
    def visible_to(self, user) -> AreaQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q(""))
        if scope.venue_ids:
            return self.filter(venues__in=scope.venue_ids).distinct()
        return self.none()


class AreaManager(MP_NodeManager.from_queryset(AreaQuerySet)):
    def get_queryset(self):
        return AreaQuerySet(self.model, using=self._db).order_by("path")

    def move(self, node, target, pos=None):
        """treebeard's move (the admin's move form uses it), then
        ``platforms.signals.area_moved``: treebeard rewrites the paths of the area and
        everything below it with raw SQL, so whatever keeps data by area (the dashboard
        summaries) is told here."""
        from .signals import area_moved

        result = super().move(node, target, pos)
        area_moved.send(sender=self.model, area_id=node.pk)
        return result


class Area(MP_Node):
    """An administrative area: province, city, district, subdistrict or community."""

    name = models.CharField("名称", max_length=64)
    code = models.CharField(
        "行政区划代码",
        max_length=12,
        blank=True,
        null=True,
        unique=True,
        help_text="国家统计用区划代码,可留空;填写时不可重复。",
    )
    level = models.PositiveSmallIntegerField("层级", choices=AreaLevel.choices, db_index=True)

    objects = AreaManager()

    node_order_by = None  # children keep the order they were added in

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=AreaLevel.PROVINCE) & Q(level__lte=AreaLevel.COMMUNITY),
                name="area_level_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def subtree_filter(self, prefix: str = "area") -> Q:
        """A ``Q`` matching rows whose ``<prefix>`` is this area or below it."""
        return Q(**{f"{prefix}__path__startswith": self.path})


class PlatformBrand(models.Model):
    """The brand a platform runs under (有事好商量, 有事来协商 ...)."""

    name = models.CharField("品牌名称", max_length=64, unique=True)
    area = models.ForeignKey(
        Area,
        verbose_name="所属地区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="brands",
    )
    slogan = models.CharField("口号", max_length=128, blank=True)
    description = models.TextField("简介", blank=True)

    class Meta:
        verbose_name = "平台品牌"
        verbose_name_plural = "平台品牌"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VenueKind(models.TextChoices):
    MEMBER_STUDIO = "studio", "委员工作室"
    CONSULTATION_HALL = "hall", "协商议事厅"
    CONSULTATION_STATION = "station", "协商驿站"
    LIAISON_STATION = "liaison", "委员工作站(联络站)"
    MEMBERS_HOME = "home", "政协委员之家"
    MEMBERS_PARLOUR = "parlour", "委员会客厅"
    BUSINESS_ROOM = "business", "商事协商议事室"
    VILLAGE_ROOM = "village", "协商议事室"


class VenueQuerySet(TrackedQuerySet):
    def visible_to(self, user) -> VenueQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.area_path:
            return self.filter(scope.area_q("area"))
        if scope.venue_ids:
            return self.filter(pk__in=scope.venue_ids)
        return self.none()

    def active(self) -> VenueQuerySet:
        return self.filter(is_active=True)


class Venue(SearchPinyinMixin, models.Model):
    """A consultation venue (协商平台/阵地)."""

    name = models.CharField("名称", max_length=100)
    # Full pinyin and initials of the name ("wangjianguo wjg"), for the search box; kept by save().
    search_pinyin = models.CharField("拼音", max_length=300, blank=True, editable=False)
    code = models.SlugField(
        "公开编号",
        max_length=16,
        unique=True,
        help_text="用于二维码短链接 /v/编号/,只含字母、数字和连字符。",
    )
    kind = models.CharField("类型", max_length=16, choices=VenueKind.choices, db_index=True)
    brand = models.ForeignKey(
        PlatformBrand,
        verbose_name="品牌",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="venues",
    )
    area = models.ForeignKey(
        Area,
        verbose_name="服务区域",
        on_delete=models.PROTECT,
        related_name="venues",
        help_text="阵地服务的最低一级区划(社区·村或街道)。",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    contact_phone = PhoneNumberField("联系电话", blank=True)
    established_on = models.DateField("建成日期", null=True, blank=True)
    is_active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = VenueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "协商阵地"
        verbose_name_plural = "协商阵地"
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="venue_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="venue_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="venue_coordinates_both_or_neither",
            ),
        ]
        indexes = [models.Index(fields=["area", "is_active"], name="venue_area_active_idx")]

    def __str__(self) -> str:
        return self.name


class StandardItem(models.TextChoices):
    """The four "六有" items a record cannot show; 有活动 and 有成果 are computed."""

    SITE = "site", "有阵地"
    SIGNAGE = "signage", "有标识"
    RULES = "rules", "有制度"
    PROCEDURE = "procedure", "有流程"


class SixStandard(NamedTuple):
    key: str
    label: str
    text: str
    computed: bool


# The "六有" standard in its order, with the one-line wording the portal shows staff and prints
# on the venue poster. The first four are ``StandardItem`` (recorded by staff); 有活动 and 有成果
# are computed from the records of the last 12 months (``platforms.selectors``).
_RECORDED_STANDARD_TEXTS = {
    StandardItem.SITE: "有固定的协商议事场所,向群众开放。",
    StandardItem.SIGNAGE: "有统一规范的平台标识和门牌。",
    StandardItem.RULES: "协商议事规则和工作制度上墙公开。",
    StandardItem.PROCEDURE: "议题征集、协商、交办、办理、反馈的流程公开。",
}
SIX_STANDARDS: tuple[SixStandard, ...] = (
    *(
        SixStandard(item.value, item.label, _RECORDED_STANDARD_TEXTS[item], False)
        for item in StandardItem
    ),
    SixStandard("activity", "有活动", "经常开展协商活动,近12个月至少举办一场。", True),
    SixStandard("result", "有成果", "协商意见转化落实,近12个月有议题办结或形成协商成果。", True),
)
SIX_STANDARDS_BY_KEY = {s.key: s for s in SIX_STANDARDS}


class VenueStandardRecord(models.Model):
    """A recorded "六有" fact about a venue: which item, since when, with optional evidence."""

    venue = models.ForeignKey(
        Venue,
        verbose_name="阵地",
        on_delete=models.CASCADE,
        related_name="standard_records",
    )
    item = models.CharField("六有项目", max_length=16, choices=StandardItem.choices)
    met_on = models.DateField("达标日期")
    note = models.CharField("说明", max_length=200, blank=True)
    photo = models.FileField("照片", upload_to="venue-standards/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TrackedQuerySet.as_manager()  # bulk writes announce themselves (summaries)

    class Meta:
        verbose_name = "六有达标记录"
        verbose_name_plural = "六有达标记录"
        constraints = [
            models.UniqueConstraint(fields=["venue", "item"], name="venue_standard_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.venue} · {self.get_item_display()}"


class Profile(models.Model):
    """Ties a staff or leadership account to the area it works for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="profile",
    )
    area = models.ForeignKey(
        Area,
        verbose_name="工作区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="profiles",
    )
    display_name = models.CharField("姓名", max_length=32, blank=True)
    title = models.CharField("职务", max_length=64, blank=True)

    class Meta:
        verbose_name = "用户档案"
        verbose_name_plural = "用户档案"

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()
