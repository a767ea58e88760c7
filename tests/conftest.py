"""Shared fixtures: a small world of two districts under one city, and a user per role.

宜昌市 (city)
├── 西陵区 (district A) ── 学院街道 ── 桃花岭社区 ── venue_a (+ topic_a, session_a, member_a)
└── 伍家岗区 (district B) ── 大公桥街道 ── 万达社区 ── venue_b (+ topic_b, session_b, member_b)
"""

import importlib
from dataclasses import dataclass

import pytest
from django.test import Client

from consult_portal import roles
from members.models import Member
from platforms.models import Area, AreaLevel, Venue
from topics.models import Consultation, Department, Topic

from .factories import (
    AssignmentFactory,
    AttendanceFactory,
    ConsultationFactory,
    DepartmentFactory,
    MemberFactory,
    TopicFactory,
    UserFactory,
    VenueFactory,
    make_area,
    make_staff,
)

# Data migrations that seed reference rows (groups, sectors, categories).
REFERENCE_MIGRATIONS = (
    "platforms.migrations.0002_roles",
    "members.migrations.0003_sectors",
    "topics.migrations.0002_categories",
)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (browser, concurrency) flush every table when they end; put the rows
    the data migrations created back before each such test. The migrations' own functions do
    it, so there is one list of sectors, categories and groups."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if not (marker and marker.kwargs.get("transaction")):
            return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    for module in REFERENCE_MIGRATIONS:
        importlib.import_module(module).forwards(apps, None)


@dataclass
class World:
    city: Area
    district_a: Area
    subdistrict_a: Area
    community_a: Area
    district_b: Area
    community_b: Area
    venue_a: Venue
    venue_b: Venue
    member_a: Member
    member_b: Member
    topic_a: Topic
    topic_b: Topic
    session_a: Consultation
    session_b: Consultation
    department_a: Department


@pytest.fixture
def world(db) -> World:
    city = make_area("宜昌市", AreaLevel.CITY, code="420500")
    district_a = make_area("西陵区", AreaLevel.DISTRICT, city, code="420502")
    subdistrict_a = make_area("学院街道", AreaLevel.SUBDISTRICT, district_a)
    community_a = make_area("桃花岭社区", AreaLevel.COMMUNITY, subdistrict_a)
    district_b = make_area("伍家岗区", AreaLevel.DISTRICT, city, code="420503")
    subdistrict_b = make_area("大公桥街道", AreaLevel.SUBDISTRICT, district_b)
    community_b = make_area("万达社区", AreaLevel.COMMUNITY, subdistrict_b)

    venue_a = VenueFactory(name="桃花岭协商驿站", code="xl-001", area=community_a)
    venue_b = VenueFactory(name="万达议事厅", code="wjg-001", area=community_b)
    member_a = MemberFactory(name="李明", area=district_a, phone="13911112222")
    member_b = MemberFactory(name="王芳", area=district_b, phone="13933334444")
    AssignmentFactory(member=member_a, venue=venue_a, role="convener")
    AssignmentFactory(member=member_b, venue=venue_b)
    topic_a = TopicFactory(title="桃花岭小区加装电梯", area=community_a, venue=venue_a)
    topic_b = TopicFactory(title="万达路段停车难", area=community_b, venue=venue_b)
    session_a = ConsultationFactory(venue=venue_a, host=member_a)
    session_b = ConsultationFactory(venue=venue_b, host=member_b)
    AttendanceFactory(consultation=session_a, member=member_a)
    AttendanceFactory(consultation=session_b, member=member_b)
    department_a = DepartmentFactory(name="西陵区住建局", area=district_a)
    return World(
        city=city,
        district_a=district_a,
        subdistrict_a=subdistrict_a,
        community_a=community_a,
        district_b=district_b,
        community_b=community_b,
        venue_a=venue_a,
        venue_b=venue_b,
        member_a=member_a,
        member_b=member_b,
        topic_a=topic_a,
        topic_b=topic_b,
        session_a=session_a,
        session_b=session_b,
        department_a=department_a,
    )


@pytest.fixture
def office_staff(world):
    """Office staff of district A."""
    return make_staff(world.district_a, "staff_a")


@pytest.fixture
def other_staff(world):
    """Office staff of district B: must never see district A's rows."""
    return make_staff(world.district_b, "staff_b")


@pytest.fixture
def leader(world):
    """Leadership of the whole city."""
    return make_staff(world.city, "leader_city", group=roles.GROUP_LEADER)


@pytest.fixture
def district_leader(world):
    return make_staff(world.district_a, "leader_a", group=roles.GROUP_LEADER)


@pytest.fixture
def member_user(world):
    """The account of member_a, assigned to venue_a."""
    user = UserFactory(username="member_a", groups=[roles.GROUP_MEMBER])
    world.member_a.user = user
    world.member_a.save(update_fields=["user"])
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def resident(world):
    """Residents have no account: they use the public pages with a tracking code."""
    return Client()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the rate limits and throttles count in it, and a
    count left by one test (a miss from 127.0.0.1, a raise) must not refuse another's request."""
    from django.core.cache import cache

    cache.clear()
