"""Browser journeys (issue 5, items 4–5): staff print a venue poster on one A4 page; a member
creates a calendar subscription and the URL serves their calendar — desktop and 390 px wide."""

import re

import pytest

from .conftest import open_user_menu, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_staff_print_the_venue_poster_on_one_a4_page(live_server, page, office_staff, world):
    _login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/")
    page.get_by_role("link", name="打印海报").click()
    page.wait_for_url(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/poster/")
    assert page.locator("#poster-qr svg").is_visible()
    assert "李明 · 召集人" in page.locator("#poster-members").inner_text()
    assert _fits(page)
    screenshot(page, "venue-poster")

    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert not page.get_by_role("button", name="打印(A4)").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def test_member_subscribes_to_their_calendar(live_server, page, member_user, world):
    from tests.factories import DutyShiftFactory

    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a)
    _login(page, live_server, "member_a")
    open_user_menu(page)
    page.get_by_role("link", name="我的日历订阅").click()
    page.get_by_role("button", name="生成订阅地址").click()
    url = page.get_by_label("订阅地址(iCal)").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/cal/[\w-]+\.ics", url)
    assert _fits(page)
    screenshot(page, "calendar-feeds")

    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert f"UID:shift-{shift.pk}@consult-portal" in response.text()
