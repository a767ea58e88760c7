"""Browser check: the header search box at 1280 and 390 px (in the collapsed navbar on a phone)."""

import re

import pytest

from tests.factories import MemberFactory, TopicFactory

from .conftest import fits, open_nav, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def search_from_header(page, text: str) -> None:
    box = page.get_by_role("navigation", name="主导航").get_by_role("searchbox", name="搜索")
    if not box.is_visible():
        open_nav(page)  # a phone: the box is in the collapsed navbar
    box.fill(text)
    box.press("Enter")


def test_search_from_the_header(live_server, page, office_staff, world):
    MemberFactory(name="王建国", area=world.district_a, work_unit="西陵区第一中学", title="校长")
    TopicFactory(
        title="学院路与夷陵大道交叉口路灯长期不亮,夜间行人过街存在安全隐患",
        area=world.community_a,
        venue=world.venue_a,
    )
    log_in(page, live_server)

    open_nav(page)
    screenshot(page, "search-header")  # on a phone: the box inside the unfolded navbar
    search_from_header(page, "wjg")
    page.wait_for_url(re.compile(r"/search/\?q=wjg"))
    assert page.get_by_role("link", name="王建国").is_visible()
    assert page.get_by_role("heading", name="委员").is_visible()

    search_from_header(page, "路灯")
    page.wait_for_url(re.compile(r"/search/\?q="))
    topic = page.get_by_role("link", name=re.compile("路灯长期不亮"))
    assert topic.is_visible()
    # Readable: nothing wider than the screen, the long title wraps inside it.
    assert fits(page)
    assert topic.bounding_box()["width"] <= page.viewport_size["width"]
    screenshot(page, "search-results")

    search_from_header(page, world.topic_a.tracking_code.lower())
    page.wait_for_url(f"{live_server.url}/topics/{world.topic_a.pk}/")
    assert page.get_by_role("heading", name=world.topic_a.title).is_visible()
