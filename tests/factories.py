"""factory_boy factories for every model the tests touch."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consult_portal import roles
from members.models import Assignment, Duty, DutyKind, DutyShift, Member, Sector
from platforms.models import Area, AreaLevel, PlatformBrand, Profile, Venue, VenueKind
from topics.models import (
    Attendance,
    Consultation,
    ConsultationForm,
    Department,
    Referral,
    Topic,
    TopicCategory,
    TopicSource,
)


def make_area(name: str, level: int, parent: Area | None = None, code: str | None = None) -> Area:
    """Areas are tree nodes: treebeard must place them, so no factory."""
    fields = {"name": name, "level": level, "code": code}
    if parent is None:
        return Area.objects.add_root(create_kwargs=fields)
    parent.refresh_from_db()
    return Area.objects.add_child(parent, create_kwargs=fields)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "demo1234")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))
        if create:
            self.save()


def make_staff(area: Area, username: str, group: str = roles.GROUP_OFFICE):
    """An office-staff (or, with ``group``, leadership) account working for ``area``."""
    user = UserFactory(username=username, groups=[group])
    Profile.objects.create(user=user, area=area, display_name=username)
    return user


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlatformBrand
        django_get_or_create = ["name"]

    name = "有事好商量"


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"测试协商驿站{n}")
    code = factory.Sequence(lambda n: f"t{n:05d}")
    kind = VenueKind.CONSULTATION_STATION
    brand = factory.SubFactory(BrandFactory)
    address = "幸福路1号"


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"委员{n}")
    gender = "F"
    political_status = "masses"
    sector = factory.LazyFunction(lambda: Sector.objects.get(name="经济界"))
    committee_level = "district"
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    member = factory.SubFactory(MemberFactory)
    role = "member"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=100))


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift

    date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    slot = "day"


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    kind = DutyKind.PROPOSAL
    date = factory.LazyFunction(timezone.localdate)
    title = factory.Sequence(lambda n: f"关于改善社区养老服务的提案{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"住建局{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    title = factory.Sequence(lambda n: f"小区加装电梯问题{n}")
    description = "居民反映加装电梯资金分摊难以达成一致。"
    source = TopicSource.RESIDENT
    category = factory.LazyFunction(lambda: TopicCategory.objects.get(name="加装电梯"))
    resident_name = "张女士"
    resident_phone = "13700001111"
    internal_notes = "内部:楼栋长意见分歧较大"


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    held_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    form = ConsultationForm.RESIDENTS
    title = factory.Sequence(lambda n: f"居民议事会第{n}期")
    minutes = "与会人员就加装电梯问题充分发表意见。"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    status = "present"


__all__ = [
    "AreaLevel",
    "AssignmentFactory",
    "AttendanceFactory",
    "BrandFactory",
    "ConsultationFactory",
    "DepartmentFactory",
    "DutyFactory",
    "DutyShiftFactory",
    "MemberFactory",
    "ReferralFactory",
    "TopicFactory",
    "UserFactory",
    "VenueFactory",
    "make_area",
    "make_staff",
]


def make_unit_user(department, username: str):
    """An account of the group 承办单位 tied to ``department`` (a unit may have several)."""
    from topics.models import UnitAccount

    user = UserFactory(username=username, groups=[roles.GROUP_UNIT])
    UnitAccount.objects.create(user=user, department=department, display_name=username)
    return user
