"""Shared fixtures: a small world of two districts under one city, and a user per role.

宜昌市 (city)
├── 西陵区 (district A) ── 学院街道 ── 桃花岭社区 ── venue_a (+ topic_a, session_a, member_a)
└── 伍家岗区 (district B) ── 大公桥街道 ── 万达社区 ── venue_b (+ topic_b, session_b, member_b)
"""

import copy
import importlib
from dataclasses import dataclass

import pytest
from django.db import transaction
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
    "topics.migrations.0013_unit_accounts",
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
    if _open_shared:
        pytest.fail(
            f"{request.node.nodeid} is transactional: it cannot run inside the rolled-back "
            f"transaction of {_open_shared[-1][0]} ({_open_shared[-1][1]})"
        )
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


def build_world() -> World:
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


def _member_user(world: World):
    user = UserFactory(username="member_a", groups=[roles.GROUP_MEMBER])
    world.member_a.user = user
    world.member_a.save(update_fields=["user"])
    return user


# One account per role fixture below; a shared world (see ``world_once``) builds them all.
ROLE_USERS = {
    "office_staff": lambda world: make_staff(world.district_a, "staff_a"),
    "other_staff": lambda world: make_staff(world.district_b, "staff_b"),
    "leader": lambda world: make_staff(world.city, "leader_city", group=roles.GROUP_LEADER),
    "district_leader": lambda world: make_staff(
        world.district_a, "leader_a", group=roles.GROUP_LEADER
    ),
    "member_user": _member_user,
    "admin_user": lambda world: UserFactory(username="root", is_superuser=True, is_staff=True),
}


# --- Data built once, for tests that only read it (or whose writes are rolled back) ----------
#
# Most tests build the world above afresh, 60–70 ms each. A module (or class) that marks itself
# ``django_db`` and ``usefixtures("world_once")`` (or ``"world_once_per_class"``) gets the world
# and every role account built once, inside a transaction that is rolled back when the module
# (class) ends. Each test still runs in its own savepoint, rolled back after it (pytest-django's
# ``db``), and receives a deep copy of the Python objects, so what one test changes — rows or
# instances — no other test sees: the contract of Django's ``TestCase.setUpTestData``.
# ``built_once`` does the same for any other builder (the dashboards' figure world).
#
# While such a transaction is open every test of the module (class) must use it: a test that
# did not ask for the data would see it, and a transactional one (``transaction=True``, live
# server) cannot run inside it. ``_shared_data_guard`` fails such a test with a message.

_open_shared: list[tuple[str, str]] = []  # (fixture name, node id) of the open shared data


def built_once(request, django_db_blocker, build):
    """Body of a module- or class-scoped fixture: yields ``build()``, built once inside a
    transaction that is rolled back when the module (class) is done. Pair it with a
    function-scoped fixture that hands each test ``copy.deepcopy`` of the value.

    The module (class) must be marked ``django_db``: pytest-django runs database tests before
    transactional ones, which flush the reference rows, and tests without the database after
    them — a test of the module left in that last group would build the data on a flushed
    database, and a second time."""
    if request.node.get_closest_marker("django_db") is None:
        pytest.fail(f"{request.node.nodeid} shares {request.fixturename}: mark it django_db")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # Code under test may open ``atomic(durable=True)``: allowed under TestCase's own
        # transactions, so allowed under this one too.
        atomic._from_testcase = True
        atomic.__enter__()
        _open_shared.append((request.fixturename, request.node.nodeid))
        try:
            value = build()
        except BaseException:
            _roll_back(atomic)
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            _roll_back(atomic)


def _roll_back(atomic) -> None:
    transaction.set_rollback(True)
    atomic.__exit__(None, None, None)
    _open_shared.pop()


@pytest.fixture(autouse=True)
def _shared_data_guard(request):
    if _open_shared and _open_shared[-1][0] not in request.fixturenames:
        name, where = _open_shared[-1]
        pytest.fail(
            f"{request.node.nodeid} runs while {name} of {where} is open but does not use it: "
            "keep the tests that share data in their own class"
        )


SHARED_WORLD_FIXTURES = ("world_once", "world_once_per_class")


@dataclass
class SharedWorld:
    world: World
    users: dict


def _shared_world() -> SharedWorld:
    world = build_world()
    return SharedWorld(world=world, users={name: make(world) for name, make in ROLE_USERS.items()})


@pytest.fixture(scope="module")
def world_once(request, django_db_setup, django_db_blocker):
    yield from built_once(request, django_db_blocker, _shared_world)


@pytest.fixture(scope="class")
def world_once_per_class(request, django_db_setup, django_db_blocker):
    yield from built_once(request, django_db_blocker, _shared_world)


@pytest.fixture
def _world_copy(request, db) -> SharedWorld:
    """This test's own copy of the shared world's objects (``None`` if the test has none)."""
    for name in SHARED_WORLD_FIXTURES:
        if name in request.fixturenames:
            return copy.deepcopy(request.getfixturevalue(name))
    return None


@pytest.fixture
def world(_world_copy, db) -> World:
    if _world_copy is not None:
        return _world_copy.world
    return build_world()


def _role(_world_copy, world, name: str):
    if _world_copy is not None:
        return _world_copy.users[name]
    return ROLE_USERS[name](world)


@pytest.fixture
def office_staff(_world_copy, world):
    """Office staff of district A."""
    return _role(_world_copy, world, "office_staff")


@pytest.fixture
def other_staff(_world_copy, world):
    """Office staff of district B: must never see district A's rows."""
    return _role(_world_copy, world, "other_staff")


@pytest.fixture
def leader(_world_copy, world):
    """Leadership of the whole city."""
    return _role(_world_copy, world, "leader")


@pytest.fixture
def district_leader(_world_copy, world):
    return _role(_world_copy, world, "district_leader")


@pytest.fixture
def member_user(_world_copy, world):
    """The account of member_a, assigned to venue_a."""
    return _role(_world_copy, world, "member_user")


@pytest.fixture
def admin_user(_world_copy, db):
    if _world_copy is not None:
        return _world_copy.users["admin_user"]
    return ROLE_USERS["admin_user"](None)


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
