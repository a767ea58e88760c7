"""Headless Debian chromium driven by Playwright, against pytest-django's live server."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are ordinary synchronous calls, so Django's async guard is relaxed here only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser-deps` (Debian's chromium)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(params=[(1280, 800), (390, 844)], ids=["desktop", "phone"])
def page(request, browser):
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.viewport_name = request.node.callspec.id if hasattr(request.node, "callspec") else "page"
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def unfold(page, button, target: str) -> None:
    """Click a Bootstrap collapse ``button`` (a locator) if it is shown — on a phone — and wait
    until ``target`` (a selector) has finished unfolding.

    Clicking into a collapse while it still animates lets the click land on an element that is
    moving: a dropdown then stays shut, or a submit button misses (both seen in CI)."""
    if button.is_visible():
        button.click()
        expect(page.locator(target)).to_have_class(re.compile(r"\bshow\b"))


def open_nav(page) -> None:
    """Unfold the collapsed navbar on a phone."""
    unfold(page, page.get_by_role("button", name="展开导航"), "#nav")


def open_user_menu(page) -> None:
    """Open the account dropdown (password, calendar feeds, logout) on any width."""
    open_nav(page)
    menu = page.locator("a.dropdown-toggle")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")


def login(page, live_server, username: str, password: str = "demo1234") -> None:
    """Sign in through the login form as ``username`` (any earlier session is dropped) and wait
    until the portal has answered with the user's home page (a leader's is their dashboard)."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def fits(page) -> bool:
    """No horizontal scrolling of the page itself (wide tables scroll inside their box).

    Callers wait for what the new page shows first; waiting for its load here as well keeps a
    measurement from landing on a document that is still being replaced."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
