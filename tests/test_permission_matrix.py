"""Every list and detail URL against every role: login page, allowed, 403 as designed, or 404.

Out of scope and missing look the same (404), so nobody can probe another area's records.
"""

import pytest
from django.urls import reverse

from .conftest import client_for
from .factories import UserFactory

OK, FORBIDDEN, NOT_FOUND, LOGIN = 200, 403, 404, "login"

# url name, object (attribute of the world fixture) or None for lists
PAGES = [
    ("home", None),
    ("platforms:venue_list", None),
    ("members:list", None),
    ("topics:list", None),
    ("topics:consultation_list", None),
    ("platforms:venue_detail", "venue_a"),
    ("platforms:venue_detail", "venue_b"),
    ("members:detail", "member_a"),
    ("members:detail", "member_b"),
    ("topics:detail", "topic_a"),
    ("topics:detail", "topic_b"),
    ("topics:consultation_detail", "session_a"),
    ("topics:consultation_detail", "session_b"),
    # Lists (issue 4): the department list.
    ("topics:department_list", None),
]

# Venue and member pages, issue 4 items 2–3 (profiles): forms that change records. Create pages
# have no object; edit pages are object pages.
PAGES += [
    ("platforms:venue_create", None),
    ("platforms:venue_edit", "venue_a"),
    ("platforms:venue_edit", "venue_b"),
    ("platforms:venue_standard", "venue_a"),
    ("platforms:venue_standard", "venue_b"),
    ("members:member_create", None),
    ("members:member_edit", "member_a"),
    ("members:member_edit", "member_b"),
    ("members:assignment_add", "member_a"),
    ("members:assignment_add", "member_b"),
    ("members:leave_add", "member_a"),
    ("members:leave_add", "member_b"),
]
# Only office staff and administrators open these: leaders and members get 403 whatever the
# object, before it is looked up; for staff the area scope decides as on every other page.
WRITE_PAGES = {
    "platforms:venue_create",
    "platforms:venue_edit",
    "platforms:venue_standard",
    "members:member_create",
    "members:member_edit",
    "members:assignment_add",
    "members:leave_add",
}

# Logging a session on one page, issue 4 item 4 (sessions): only admins and office staff open the
# form; the change history is for staff (members get 403).
PAGES += [
    ("topics:consultation_create", None),
    ("topics:consultation_edit", "session_a"),
    ("topics:consultation_edit", "session_b"),
    ("topics:consultation_history", "session_a"),
    ("topics:consultation_history", "session_b"),
]
WRITE_PAGES |= {"topics:consultation_create", "topics:consultation_edit"}
SESSION_STAFF_PAGES = {"topics:consultation_history"}

# Topic page, issue 4 item 5 (topicpage): staff enter a topic; leaders and members get 403.
PAGES += [("topics:create", None)]
WRITE_PAGES |= {"topics:create"}

# Printables, issue 5 item 5 (calprint): whoever sees the venue page may print its poster, QR
# code and member cards. (The calendar page, calendar:feeds, is covered in tests/test_calendar.py:
# leaders hold no feed there.)
PAGES += [
    ("platforms:venue_poster", "venue_a"),
    ("platforms:venue_poster", "venue_b"),
    ("platforms:venue_qr", "venue_a"),
    ("platforms:venue_qr", "venue_b"),
    ("platforms:venue_cards", "venue_a"),
    ("platforms:venue_cards", "venue_b"),
]

LISTS = {"platforms:venue_list", "members:list", "topics:list", "topics:consultation_list"}
LISTS |= {"topics:department_list"}  # Lists (issue 4)

# Duties and points (issue 5, item 3): recording a duty and the point rules are staff pages
# (leaders and members 403); the ranking is a list (members 403).
PAGES += [
    ("members:duty_add", "member_a"),
    ("members:duty_add", "member_b"),
    ("members:point_rules", None),
    ("members:ranking", None),
]
WRITE_PAGES |= {"members:duty_add", "members:point_rules"}
LISTS |= {"members:ranking"}

# Duty edit and delete confirmation (issue 5, item 3): staff of the member's committee only.
# (The rota month grid takes three URL arguments: its matrix is in tests/members/test_rota.py.)
PAGES += [
    ("members:duty_edit", "duty_a"),
    ("members:duty_edit", "duty_b"),
    ("members:duty_delete", "duty_a"),
    ("members:duty_delete", "duty_b"),
]
WRITE_PAGES |= {"members:duty_edit", "members:duty_delete"}

# Self-reported duties (issue 5, item 3): a member's own pages (everybody else 403; another
# member's report 404), and the office's review queue (a staff page, leaders and members 403).
MEMBER_PAGES = {
    "members:my_duties",
    "members:my_duty_add",
    "members:my_duty_edit",
    "members:my_duty_withdraw",
}
PAGES += [
    ("members:my_duties", None),
    ("members:my_duty_add", None),
    ("members:my_duty_edit", "report_a"),
    ("members:my_duty_edit", "report_b"),
    ("members:my_duty_withdraw", "report_a"),
    ("members:my_duty_withdraw", "report_b"),
    ("members:duty_review", None),
]
WRITE_PAGES |= {"members:duty_review"}

# 承办单位 (issue 14): a unit's own list (its accounts only) and a referral's page (the unit's
# accounts, and office staff and administrators entering a step for a unit without a login).
# A unit's account sees its unit's referrals only and no staff page at all.
PAGES += [
    ("topics:unit_home", None),
    ("topics:unit_referral", "referral_a"),
    ("topics:unit_referral", "referral_b"),
]
UNIT_HOME = "topics:unit_home"
UNIT_PAGES = {"topics:unit_referral"}


# The requests only read: the world, its role accounts and the duties below are built once for
# the module (tests/conftest.py, ``world_once``), each test in its own rolled-back savepoint.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]


@pytest.fixture(scope="module")
def world_once(world_once, django_db_blocker):
    """A duty of member_a (district A) and of member_b (district B) for the pages above, and an
    account without a role, added to the shared world."""
    from .factories import DepartmentFactory, DutyFactory, ReferralFactory, make_unit_user

    world = world_once.world
    with django_db_blocker.unblock():
        world.duty_a = DutyFactory(member=world.member_a, title="提案甲")
        world.duty_b = DutyFactory(member=world.member_b, title="提案乙")
        world.report_a = DutyFactory(
            member=world.member_a, title="自报甲", status="submitted", self_reported=True
        )
        world.report_b = DutyFactory(
            member=world.member_b, title="自报乙", status="submitted", self_reported=True
        )
        world_once.users["no_role"] = UserFactory(username="nobody")
        # district A's 住建局 holds topic_a's referral; district B's unit holds topic_b's.
        world.referral_a = ReferralFactory(topic=world.topic_a, department=world.department_a)
        unit_b = DepartmentFactory(name="伍家岗区住建局", area=world.district_b)
        world.referral_b = ReferralFactory(topic=world.topic_b, department=unit_b)
        world_once.users["unit_user"] = make_unit_user(world.department_a, "unit_xl")
    return world_once


REDIRECT = 302


def expected(role: str, name: str, obj: str | None):
    if role == "anonymous":
        return LOGIN
    if name == "home" and role in ("leader", "district_leader"):
        return REDIRECT  # to the dashboard of their area (issue 6)
    if role == "no_role":
        return FORBIDDEN
    if role == "unit_user":
        if name == "home":
            return REDIRECT  # to the unit's list
        if name == UNIT_HOME:
            return OK
        if name in UNIT_PAGES:
            return OK if obj.endswith("_a") else NOT_FOUND
        return FORBIDDEN
    if name == UNIT_HOME:
        return FORBIDDEN
    if name in UNIT_PAGES and role in ("leader", "district_leader", "member_user"):
        return FORBIDDEN
    if name in MEMBER_PAGES:
        if role != "member_user":
            return FORBIDDEN
        return OK if obj is None or obj.endswith("_a") else NOT_FOUND
    if name in WRITE_PAGES and role in ("leader", "district_leader", "member_user"):
        return FORBIDDEN
    if name in SESSION_STAFF_PAGES and role == "member_user":
        return FORBIDDEN
    in_a = obj is None or obj.endswith("_a")
    if role in ("admin_user", "leader"):
        return OK
    if role in ("office_staff", "district_leader"):
        return OK if in_a else NOT_FOUND
    if role == "other_staff":
        return OK if obj is None or obj.endswith("_b") else NOT_FOUND
    if role == "member_user":
        if name in LISTS:
            return FORBIDDEN
        return OK if in_a else NOT_FOUND
    raise AssertionError(role)


ROLES = [
    "anonymous",
    "no_role",
    "admin_user",
    "office_staff",
    "district_leader",
    "leader",
    "other_staff",
    "member_user",
    "unit_user",
]


@pytest.fixture
def no_role(_world_copy):
    return _world_copy.users["no_role"]


@pytest.fixture
def unit_user(_world_copy):
    return _world_copy.users["unit_user"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "obj"), PAGES)
def test_page_access(request, world, role, name, obj):
    client = (
        client_for(request.getfixturevalue(role))
        if role != "anonymous"
        else request.getfixturevalue("resident")
    )
    args = [getattr(world, obj).pk] if obj else []
    url = reverse(name, args=args)

    response = client.get(url)

    want = expected(role, name, obj)
    if want == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want, f"{role} GET {url}"


TRANSITION_EXPECTED = {
    "admin_user": (302, 302),
    "office_staff": (302, NOT_FOUND),
    "other_staff": (NOT_FOUND, 302),
    "leader": (FORBIDDEN, FORBIDDEN),
    "district_leader": (FORBIDDEN, FORBIDDEN),
    "member_user": (FORBIDDEN, FORBIDDEN),
    "unit_user": (FORBIDDEN, FORBIDDEN),
    "no_role": (FORBIDDEN, FORBIDDEN),
}


@pytest.mark.parametrize("role", [*TRANSITION_EXPECTED, "anonymous"])
def test_topic_transition_post(request, world, role):
    client = (
        client_for(request.getfixturevalue(role))
        if role != "anonymous"
        else request.getfixturevalue("resident")
    )
    for topic, want in zip(
        (world.topic_a, world.topic_b),
        TRANSITION_EXPECTED.get(role, ("login", "login")),
        strict=True,
    ):
        response = client.post(
            # 受理 has its own form since issue 14 (an optional reason): the move's own URL.
            reverse("topics:accept", args=[topic.pk]),
            {"reason": "", "from": "raised"},
        )
        topic.refresh_from_db()
        if want == "login":
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            assert response.status_code == want, f"{role} → {topic}"
        assert topic.status == ("accepted" if want == 302 else "raised")


def test_transition_get_is_not_allowed(world, office_staff):
    response = client_for(office_staff).get(reverse("topics:transition", args=[world.topic_a.pk]))
    assert response.status_code == 405


# --- Imports (issue 4, item 7): staff-only pages. Unlike the lists above, leaders get 403 too:
# importing writes, and only administrators and office staff write.
IMPORT_PAGES = [
    ("imports:index", {}),
    ("imports:upload", {"kind": "members"}),
    ("imports:upload", {"kind": "venues"}),
    ("imports:upload", {"kind": "topics"}),
    ("imports:template", {"kind": "members"}),
    ("imports:done", {}),
]
IMPORT_OK = {"admin_user", "office_staff", "other_staff"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwargs"), IMPORT_PAGES)
def test_import_page_access(request, world, role, name, kwargs):
    client = (
        client_for(request.getfixturevalue(role))
        if role != "anonymous"
        else request.getfixturevalue("resident")
    )
    response = client.get(reverse(name, kwargs=kwargs))
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == (OK if role in IMPORT_OK else FORBIDDEN), role


# --- Leadership dashboard (issue 6): the overview of an area or venue node, and 口径说明.
# Admins, office staff and leaders open it for their own area and below (404 above or beside);
# members get 403.
DASHBOARD_NODES = [None, "city", "district_a", "district_b", "venue_a", "venue_b"]


def dashboard_expected(role: str, obj: str | None):
    if role == "anonymous":
        return LOGIN
    if role in ("no_role", "member_user", "unit_user"):
        return FORBIDDEN
    if role in ("admin_user", "leader") or obj is None:
        return OK
    if role in ("office_staff", "district_leader"):
        return OK if obj.endswith("_a") else NOT_FOUND
    if role == "other_staff":
        return OK if obj.endswith("_b") else NOT_FOUND
    raise AssertionError(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", DASHBOARD_NODES)
def test_dashboard_overview_access(request, world, role, obj):
    client = (
        client_for(request.getfixturevalue(role))
        if role != "anonymous"
        else request.getfixturevalue("resident")
    )
    if obj is None:
        url = reverse("dashboards:definitions")
    else:
        kind = "v" if obj.startswith("venue") else "a"
        url = reverse("dashboards:overview", args=[f"{kind}{getattr(world, obj).pk}"])

    response = client.get(url)

    want = dashboard_expected(role, obj)
    if want == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want, f"{role} GET {url}"


# Dashboard charts (issue 6, charts): the charts page and a chart's .xlsx, same rule as the
# overview (members 403, a node above or beside the user's area 404).
CHART_PAGES = [
    ("dashboards:charts", [], "district_a"),
    ("dashboards:charts", [], "district_b"),
    ("dashboards:charts", [], "venue_a"),
    ("dashboards:chart_xlsx", ["funnel"], "district_a"),
    ("dashboards:chart_xlsx", ["funnel"], "venue_b"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "extra", "obj"), CHART_PAGES)
def test_dashboard_chart_access(request, world, role, name, extra, obj):
    client = (
        client_for(request.getfixturevalue(role))
        if role != "anonymous"
        else request.getfixturevalue("resident")
    )
    kind = "v" if obj.startswith("venue") else "a"
    response = client.get(reverse(name, args=[f"{kind}{getattr(world, obj).pk}", *extra]))
    want = dashboard_expected(role, obj)
    if want == LOGIN:
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want, f"{role} GET {name} {obj}"


# Resolved cases and the work report (issue 6): the same access as the overview, for the page,
# its exports and the report's .xlsx.
REPORT_PAGES = ["dashboards:cases", "dashboards:report", "dashboards:report_xlsx"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("obj", DASHBOARD_NODES[1:])
@pytest.mark.parametrize("name", REPORT_PAGES)
def test_dashboard_cases_and_report_access(request, world, role, obj, name):
    client = (
        client_for(request.getfixturevalue(role))
        if role != "anonymous"
        else request.getfixturevalue("resident")
    )
    kind = "v" if obj.startswith("venue") else "a"
    url = reverse(name, args=[f"{kind}{getattr(world, obj).pk}"])

    response = client.get(url)

    want = dashboard_expected(role, obj)
    if want == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want, f"{role} GET {url}"
