"""Who may log and edit sessions, who may download their attachments, and what the pages cost.

Only administrators and office staff write (members and leaders get 403 and nothing is written);
another district's session or attachment answers 404; anonymous users go to the login page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    MemberFactory,
    TopicFactory,
    UserFactory,
)
from topics.models import Attendance, Consultation, ConsultationAttachment, Topic

from .session_helpers import PDF, page_data, upload

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

CREATE = reverse("topics:consultation_create")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def no_role(db):
    return UserFactory(username="nobody")


def snapshot(world):
    session = Consultation.objects.get(pk=world.session_a.pk)
    return (
        Consultation.objects.count(),
        Attendance.objects.count(),
        Topic.objects.count(),
        ConsultationAttachment.objects.count(),
        session.title,
    )


def client_of(request, role):
    if role == "anonymous":
        return request.getfixturevalue("resident")
    return client_for(request.getfixturevalue(role))


CREATE_EXPECTED = {
    "anonymous": "login",
    "no_role": 403,
    "member_user": 403,
    "leader": 403,
    "district_leader": 403,
    "other_staff": 400,  # allowed to log, but venue_a is not one of their venues: form error
}


@pytest.mark.parametrize(("role", "want"), CREATE_EXPECTED.items())
def test_who_may_not_log_a_session(request, world, role, want):
    client = client_of(request, role)
    data = page_data(world)
    data["attachments"] = [upload("签到表.pdf", PDF)]
    before = snapshot(world)

    response = client.post(CREATE, data)

    if want == "login":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want
    assert snapshot(world) == before


EDIT_EXPECTED = {
    "anonymous": "login",
    "no_role": 403,
    "member_user": 403,
    "leader": 403,
    "district_leader": 403,
    "other_staff": 404,
}


@pytest.mark.parametrize(("role", "want"), EDIT_EXPECTED.items())
def test_who_may_not_edit_a_session(request, world, role, want):
    client = client_of(request, role)
    data = page_data(world, title="被篡改的主题")
    before = snapshot(world)

    url = reverse("topics:consultation_edit", args=[world.session_a.pk])
    response = client.post(url, data)

    if want == "login":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want
    assert snapshot(world) == before


def test_admin_may_log_a_session_anywhere(world, admin_user):
    response = client_for(admin_user).post(CREATE, page_data(world))
    assert response.status_code == 302
    assert Consultation.objects.filter(title="桃花岭小区停车问题居民议事会").exists()


# --- attachments -------------------------------------------------------------------------


@pytest.fixture
def attachment(world, office_staff):
    data = page_data(world)
    data["attachments"] = [upload("签到表.pdf", PDF)]
    response = client_for(office_staff).post(CREATE, data)
    assert response.status_code == 302
    return ConsultationAttachment.objects.get()


@pytest.mark.parametrize(
    ("role", "want"),
    [
        ("office_staff", 200),
        ("admin_user", 200),
        ("leader", 200),
        ("district_leader", 200),
        ("member_user", 200),  # member_a is assigned to venue_a: may see its sessions
        ("other_staff", 404),
        ("no_role", 403),
        ("anonymous", "login"),
    ],
)
def test_attachment_is_served_only_to_who_may_see_the_session(
    request, world, attachment, role, want
):
    response = client_of(request, role).get(reverse("topics:attachment", args=[attachment.pk]))

    if want == "login":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        return
    assert response.status_code == want
    if want == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_attachment_of_a_member_elsewhere_is_404(world, attachment):
    outsider = UserFactory(username="member_b", groups=["委员"])
    world.member_b.user = outsider
    world.member_b.save(update_fields=["user"])
    response = client_for(outsider).get(reverse("topics:attachment", args=[attachment.pk]))
    assert response.status_code == 404


def test_missing_attachment_is_404(world, office_staff):
    response = client_for(office_staff).get(reverse("topics:attachment", args=[999999]))
    assert response.status_code == 404


def test_media_is_not_under_the_static_web_root(settings):
    from consult_portal.settings import base

    assert not Path(base.MEDIA_ROOT).is_relative_to(Path(settings.BASE_DIR) / "static")
    assert Path(base.MEDIA_ROOT) != Path(base.STATIC_ROOT)


# --- query counts: the same for 2 assigned members and 20 --------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def grow_venue(world, n: int) -> None:
    for _ in range(n):
        member = MemberFactory(area=world.district_a)
        AssignmentFactory(member=member, venue=world.venue_a)
        AttendanceFactory(consultation=world.session_a, member=member)
        topic = TopicFactory(area=world.community_a, venue=world.venue_a)
        world.session_a.topics.add(topic)


@pytest.mark.parametrize(
    "url",
    [
        lambda w: f"{CREATE}?venue={w.venue_a.pk}",
        lambda w: reverse("topics:consultation_edit", args=[w.session_a.pk]),
        lambda w: reverse("topics:consultation_history", args=[w.session_a.pk]),
    ],
    ids=["create", "edit", "history"],
)
def test_session_pages_issue_the_same_queries_for_2_members_and_20(world, office_staff, url):
    client = client_for(office_staff)
    grow_venue(world, 1)  # 2 members at the venue
    small = count_queries(client, url(world))
    grow_venue(world, 18)  # 20
    large = count_queries(client, url(world))
    assert small == large
    assert small <= 25


# --- the services refuse on their own, whoever calls them ---------------------------------


def test_services_refuse_leaders_and_other_districts(world, leader, other_staff, office_staff):
    from django.core.exceptions import PermissionDenied

    from topics.services.sessions import consultation_log, consultation_update

    fields = {
        "venue": world.venue_a,
        "held_at": world.session_a.held_at,
        "form": "residents",
        "title": "服务层直接调用",
    }
    before = snapshot(world)
    with pytest.raises(PermissionDenied):
        consultation_log(actor=leader, fields=fields)
    with pytest.raises(PermissionDenied):
        consultation_log(actor=other_staff, fields=fields)
    with pytest.raises(PermissionDenied):
        consultation_update(actor=other_staff, consultation=world.session_a, fields=fields)
    # Staff of district A may not move their session to district B's venue either.
    with pytest.raises(PermissionDenied):
        consultation_update(
            actor=office_staff,
            consultation=world.session_a,
            fields={**fields, "venue": world.venue_b},
        )
    assert snapshot(world) == before
    assert Consultation.objects.get(pk=world.session_a.pk).venue == world.venue_a


def test_services_refuse_rows_of_another_district(world, office_staff):
    from django.core.exceptions import PermissionDenied

    from topics.services.sessions import consultation_log

    fields = {
        "venue": world.venue_a,
        "held_at": world.session_a.held_at,
        "form": "residents",
        "title": "服务层直接调用",
    }
    before = snapshot(world)
    for extra in (
        {"attendance": [(world.member_b, "present")]},
        {"topic_links": [(world.topic_b, "")]},
    ):
        with pytest.raises(PermissionDenied):
            consultation_log(actor=office_staff, fields=fields, **extra)
    assert snapshot(world) == before


# --- links to the pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "edit", "history"),
    [
        ("office_staff", True, True),
        ("admin_user", True, True),
        ("leader", False, True),
        ("member_user", False, False),
    ],
)
def test_session_page_links_by_role(request, world, attachment, role, edit, history):
    client = client_for(request.getfixturevalue(role))
    session = attachment.consultation
    page = client.get(reverse("topics:consultation_detail", args=[session.pk])).content.decode()

    assert (reverse("topics:consultation_edit", args=[session.pk]) in page) is edit
    assert (reverse("topics:consultation_history", args=[session.pk]) in page) is history
    assert reverse("topics:attachment", args=[attachment.pk]) in page
    assert "签到表.pdf" in page

    listing = client.get(reverse("topics:consultation_list"))
    if listing.status_code == 200:
        assert (CREATE in listing.content.decode()) is edit
