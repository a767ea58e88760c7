"""The pages a newcomer sees first: login in Chinese, each role's home, password change."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from .conftest import client_for


def test_login_page_is_in_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    assert "登录基层协商平台" in html
    assert "用户名" in html and "密码" in html


def test_login_page_is_chinese_whatever_language_the_browser_asks_for(client, db):
    """One language (DECISIONS): a browser set to English gets the same Chinese labels."""
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").text
    assert '<html lang="zh-CN">' in html
    assert "用户名" in html and "密码" in html
    assert "Username" not in html and "Password" not in html
    response = client.post(
        reverse("login"), {"username": "x", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en-US"
    )
    assert "请输入一个正确的" in response.text


def test_bad_password_is_answered_in_chinese_and_keeps_the_username(client, office_staff):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.text
    assert 'value="staff_a"' in response.text


@pytest.mark.parametrize(
    ("role", "marker"),
    [
        ("office_staff", "工作台"),
        ("member_user", "委员,您好"),
        ("admin_user", "工作台"),
    ],
)
def test_each_role_lands_on_its_home(client, world, request, role, marker):
    user = request.getfixturevalue(role)
    response = client.post(
        reverse("login"), {"username": user.username, "password": "demo1234"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert marker in response.text


def test_leader_lands_on_the_dashboard_of_their_area(client, world, district_leader):
    response = client.post(
        reverse("login"), {"username": "leader_a", "password": "demo1234"}, follow=True
    )
    chain = [url for url, _ in response.redirect_chain]
    assert chain == [
        reverse("home"),
        reverse("dashboards:overview", args=[f"a{world.district_a.pk}"]),
    ]
    assert "西陵区 · 协商工作看板" in response.text
    # 受理问题, then the topics put to a session (协商议题, issue 14), then what was closed.
    keys = [tile["key"] for tile in response.context["tiles"]]
    assert keys[:3] == ["raised", "accepted", "agenda_topics"]
    assert "resolved" in keys


def test_leader_home_ranks_child_areas_with_the_dashboard_figures(leader, world):
    response = client_for(leader).get(reverse("home"), follow=True)
    children = {row["name"]: row for row in response.context["rows"]}
    assert set(children) == {"西陵区", "伍家岗区"}
    assert children["西陵区"]["raised"] == 1
    assert children["西陵区"]["sessions"] == 1


def test_member_home_shows_their_venue_and_five_ones(member_user, world):
    response = client_for(member_user).get(reverse("home"))
    assert world.venue_a.name in response.text
    assert world.venue_b.name not in response.text
    five = {item["label"]: item["count"] for item in response.context["five_ones"]}
    assert set(five) == {"提案", "调研", "协商", "社情民意", "实事"}
    assert five["协商"] == 1  # attended session_a


def test_member_home_links_each_venue_address_to_a_plain_map(member_user, world):
    from urllib.parse import quote

    html = client_for(member_user).get(reverse("home")).text
    assert world.venue_a.address
    assert f"https://uri.amap.com/search?keyword={quote(world.venue_a.address)}" in html


def test_forbidden_and_not_found_pages_are_in_chinese(member_user, world):
    client = client_for(member_user)
    assert "没有权限" in client.get(reverse("topics:list")).text
    assert (
        "不在您的工作范围内" in client.get(reverse("topics:detail", args=[world.topic_b.pk])).text
    )


def test_password_change_page(office_staff):
    response = client_for(office_staff).get(reverse("password_change"))
    assert response.status_code == 200
    assert "修改密码" in response.text


def test_static_bootstrap_is_served_locally(client, db):
    """Bootstrap comes from node_modules through our own static files, never a CDN."""
    html = client.get(reverse("login")).text
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "consult_portal.settings.production",
        "DJANGO_ALLOWED_HOSTS": "example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_settings_are_chinese_and_shanghai():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


def test_there_is_a_favicon_for_every_page(office_staff):
    """Every page links the icon, and /favicon.ico (asked for by browsers and the admin) leads
    to it instead of a 404 in every log."""
    from django.test import Client

    from .conftest import client_for

    html = client_for(office_staff).get("/").content.decode()
    assert 'rel="icon" type="image/svg+xml" href="/static/favicon.svg"' in html
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response.url == "/static/favicon.svg"
    icon = Client().get("/static/favicon.svg")
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)


def test_the_header_names_the_person_not_the_login(office_staff, member_user, world):
    """Office staff by their profile's display name, a member by their own name; no extra query
    (the scope has read both)."""
    from platforms.models import Profile

    from .conftest import client_for

    Profile.objects.filter(user=office_staff).update(display_name="李晓红")
    html = client_for(office_staff).get("/").content.decode()
    assert "李晓红" in html.split("dropdown-menu")[0]
    member_name = world.member_a.name if world.member_a.user == member_user else None
    html = client_for(member_user).get("/").content.decode()
    header = html.split("dropdown-menu")[0]
    assert member_name and member_name in header and member_user.username not in header
