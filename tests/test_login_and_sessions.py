"""Login throttling (django-axes), idle sign-out and no-store on signed-in responses."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult_portal.middleware import REFRESH_SECONDS

from .conftest import client_for

LOCKED = "登录失败次数过多"


def login(client, username, password, ip="203.0.113.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_wrong_passwords_lock_the_user_even_with_the_right_one_next(office_staff):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "staff_a", "wrong")
        assert response.status_code == 200 and "请输入一个正确的" in response.content.decode()
    response = login(client, "staff_a", "wrong")
    assert response.status_code == 429
    # The right password no longer logs in, from this address or any other.
    for ip in ("203.0.113.5", "198.51.100.7"):
        response = login(Client(), "staff_a", "demo1234", ip=ip)
        assert response.status_code == 429
        html = response.content.decode()
        assert "登录已暂时锁定" in html and "分钟后再试" in html and "管理员" in html
    # Nobody was signed in by those attempts.
    assert not [s for s in Session.objects.all() if "_auth_user_id" in s.get_decoded()]


def test_one_address_trying_many_names_is_locked_too(office_staff, district_leader):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"nobody{i}", "wrong", ip="192.0.2.9")
    response = login(client, "leader_a", "demo1234", ip="192.0.2.9")
    assert response.status_code == 429
    # Another address is not held up by it.
    response = login(Client(), "leader_a", "demo1234", ip="192.0.2.10")
    assert response.status_code == 302


def test_a_success_before_the_limit_clears_the_count(office_staff):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "staff_a", "wrong")
    assert login(client, "staff_a", "demo1234").status_code == 302
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "staff_a", "wrong")
    assert login(client, "staff_a", "demo1234").status_code == 302


def test_an_administrator_unlocks_by_clearing_the_attempts(office_staff):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "staff_a", "wrong")
    assert login(Client(), "staff_a", "demo1234").status_code == 429
    AccessAttempt.objects.all().delete()  # what 删除 in the admin's 访问尝试 list does
    assert login(Client(), "staff_a", "demo1234").status_code == 302


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("home", ""),
        ("topics:list", ""),
        ("topics:list", "?export=xlsx"),
        ("members:list", "?export=csv"),
    ],
)
def test_signed_in_responses_are_never_stored(office_staff, name, query):
    response = client_for(office_staff).get(reverse(name) + query)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_public_pages_keep_their_caching(world):
    response = Client().get(reverse("public:venue", args=[world.venue_a.code]))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_session_ends_after_the_idle_time_and_is_not_written_on_every_page(office_staff):
    client = Client()
    assert login(client, "staff_a", "demo1234").status_code == 302
    session = Session.objects.get()
    remaining = session.expire_date - session.expire_date.now(session.expire_date.tzinfo)
    assert 0 < remaining.total_seconds() <= settings.SESSION_COOKIE_AGE == 30 * 60

    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []  # within a minute of the last refresh: no session write

    # A minute later the end moves forward with the request.
    stored = client.session
    stored["_seen"] = int(time.time()) - REFRESH_SECONDS
    stored.save()
    before = Session.objects.get().expire_date
    time.sleep(1)
    client.get(reverse("home"))
    assert Session.objects.get().expire_date > before


def test_an_expired_session_is_signed_out(office_staff):
    client = Client()
    login(client, "staff_a", "demo1234")
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- 我的登录设备 ------------------------------------------------------------------------------


def signed_in(ip, agent):
    client = Client(HTTP_USER_AGENT=agent)
    assert login(client, "staff_a", "demo1234", ip=ip).status_code == 302
    return client


def test_a_user_sees_where_they_are_signed_in_and_signs_out_another_device(office_staff):
    desk = signed_in("203.0.113.5", "Chrome 办公室电脑")
    phone = signed_in("198.51.100.7", "Safari 手机")
    page = desk.get(reverse("sessions"))
    html = page.content.decode()
    assert "Chrome 办公室电脑" in html and "Safari 手机" in html and "198.51.100.7" in html
    assert html.count("当前设备") == 1
    (other,) = [row for row in page.context["rows"] if row.ip == "198.51.100.7"]

    response = desk.post(reverse("sessions"), {"session": other.pk})
    assert response.status_code == 302
    # The phone is signed out; the desk is not.
    assert phone.get(reverse("home")).url.startswith(reverse("login"))
    assert desk.get(reverse("home")).status_code == 200


def test_sign_out_of_every_other_device(office_staff):
    desk = signed_in("203.0.113.5", "A")
    others = [signed_in("198.51.100.7", "B"), signed_in("198.51.100.8", "C")]
    desk.post(reverse("sessions"), {"all_others": "1"})
    for client in others:
        assert client.get(reverse("home")).status_code == 302
    assert desk.get(reverse("home")).status_code == 200


def test_nobody_signs_out_another_users_session(office_staff, district_leader):
    staff = signed_in("203.0.113.5", "A")
    leader = Client()
    leader.post(reverse("login"), {"username": "leader_a", "password": "demo1234"})
    from consult_portal.models import SignedInSession

    theirs = SignedInSession.objects.get(user=office_staff)
    assert leader.post(reverse("sessions"), {"session": theirs.pk}).status_code == 404
    assert leader.post(reverse("sessions"), {"session": "9" * 30}).status_code == 404
    assert staff.get(reverse("home")).status_code == 200


def test_signing_out_removes_the_device(office_staff):
    from consult_portal.models import SignedInSession

    client = signed_in("203.0.113.5", "A")
    assert SignedInSession.objects.count() == 1
    client.post(reverse("logout"))
    assert SignedInSession.objects.count() == 0
