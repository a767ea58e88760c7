"""Browser journey: a resident scans a venue's QR code, raises an issue, gets a tracking code and
opens its status page — on a phone and on a desktop, without logging in."""

import re

import pytest
from playwright.sync_api import expect

from topics.lifecycle import TopicStatus
from topics.models import Topic, TopicSource

from .conftest import fits, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_resident_raises_an_issue_and_follows_it(live_server, page, world):
    page.goto(f"{live_server.url}/v/{world.venue_a.code}/")
    expect(page.get_by_role("heading", name="桃花岭协商驿站")).to_be_visible()
    assert fits(page)
    # The honeypot is off screen, out of the tab order and hidden from screen readers.
    assert page.locator("#id_website").evaluate("e => e.getBoundingClientRect().right <= 0")
    expect(page.locator("#id_website")).to_have_attribute("tabindex", "-1")
    screenshot(page, "public-venue")

    page.get_by_label("您要反映的问题").fill("小区门口路灯坏了两个月,晚上出行不方便")
    page.get_by_label("问题类别").select_option(index=1)
    page.get_by_label("联系电话(选填)").fill("12345")
    page.get_by_role("button", name="提交").click()
    # A bad phone number: a Chinese error, nothing typed is lost.
    expect(page.get_by_text("请输入有效的手机号").first).to_be_visible()
    expect(page.get_by_label("您要反映的问题")).to_have_value(re.compile("^小区门口路灯坏了两个月"))

    page.get_by_label("联系电话(选填)").fill("13800138000")
    page.get_by_label("同意工作人员电话回访").check()
    page.get_by_role("button", name="提交").click()
    # The submission redirects to a page of its own (Post/Redirect/Get) ...
    page.wait_for_url(f"{live_server.url}/v/{world.venue_a.code}/done/?c=*")
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    topic = Topic.objects.get(tracking_code=code)
    assert (topic.source, topic.status) == (TopicSource.RESIDENT, TopicStatus.RAISED)
    assert fits(page)
    # ... so reloading it shows the same code and raises nothing again.
    before = Topic.objects.count()
    page.reload()
    expect(page.get_by_test_id("tracking-code")).to_have_text(code)
    assert Topic.objects.count() == before

    page.get_by_role("link", name="查看办理进度").click()
    page.wait_for_url(f"{live_server.url}/t/{code}/")
    expect(page.get_by_role("heading", name="办理进度")).to_be_visible()
    # Submitted, not yet accepted: the step under way is 受理, and nothing says it happened.
    expect(page.locator('[aria-current="step"]')).to_have_text(
        re.compile(r"^\d+\s*受理\s*$"), use_inner_text=True
    )
    expect(page.get_by_text("已受理")).to_have_count(0)
    assert "13800138000" not in page.content()
    assert fits(page)
    screenshot(page, "public-track")
