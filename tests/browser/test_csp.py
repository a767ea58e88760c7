"""The Content-Security-Policy is enforced and no page the portal serves breaks it.

Chromium reports every blocked script, style or image on the console; each page below is opened
(desktop width is enough: the policy does not depend on the width) and must report none, and the
pages that need script still work (the charts draw, the session form adds a topic row).
"""

import pytest
from django.urls import reverse

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def watch(page) -> list[str]:
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return violations


@pytest.mark.parametrize("page", [(1280, 800)], indirect=True, ids=["desktop"])
def test_pages_run_under_the_policy(live_server, page, world, office_staff, district_leader):
    violations = watch(page)
    node = f"a{world.district_a.pk}"
    response = page.goto(f"{live_server.url}/v/{world.venue_a.code}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    page.goto(f"{live_server.url}/t/{world.topic_a.tracking_code}/")

    login(page, live_server, "staff_a")
    for name, args in (
        ("home", []),
        ("topics:list", []),
        ("topics:detail", [world.topic_a.pk]),
        ("topics:consultation_create", []),
        ("members:list", []),
        ("members:detail", [world.member_a.pk]),
        ("platforms:venue_detail", [world.venue_a.pk]),
        ("platforms:venue_poster", [world.venue_a.pk]),
        ("calendar:feeds", []),
    ):
        page.goto(live_server.url + reverse(name, args=args))
        page.wait_for_load_state("networkidle")

    login(page, live_server, "leader_a")
    page.goto(live_server.url + reverse("dashboards:charts", args=[node]))
    # ECharts drew its SVG: the script ran under the policy.
    page.locator(".chart-canvas svg").first.wait_for()
    assert violations == []


def test_no_template_carries_an_inline_handler():
    """The policy blocks onclick/onsubmit attributes: confirmations and buttons use data
    attributes wired by static/js/portal.js instead."""
    import re
    from pathlib import Path

    from django.conf import settings

    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        for match in re.finditer(r"\son[a-z]+=\"", path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize("page", [(390, 844)], indirect=True, ids=["phone"])
def test_confirmations_and_the_copy_button_work_under_the_policy(live_server, page, member_user):
    violations = watch(page)
    login(page, live_server, "member_a")
    page.goto(live_server.url + reverse("calendar:feeds"))
    page.get_by_role("button", name="生成订阅地址").click()
    page.get_by_role("button", name="复制地址").click()
    page.get_by_role("button", name="已复制").wait_for()
    # A declined confirmation keeps the address; an accepted one revokes it.
    address = page.locator("#feed-url").input_value()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="撤销订阅").click()
    assert page.locator("#feed-url").input_value() == address
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="撤销订阅").click()
    page.get_by_role("button", name="生成订阅地址").wait_for()
    assert violations == []
