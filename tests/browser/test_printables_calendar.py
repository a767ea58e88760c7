"""Browser journeys (issue 5, items 4–5): staff print a venue poster on one A4 page; a member
creates a calendar subscription and the URL serves their calendar — desktop and 390 px wide."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import fits, login, open_user_menu, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_print_the_venue_poster_on_one_a4_page(live_server, page, office_staff, world):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/")
    page.get_by_role("link", name="打印海报").click()
    page.wait_for_url(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/poster/")
    expect(page.locator("#poster-qr svg")).to_be_visible()
    expect(page.locator("#poster-members")).to_contain_text("李明 · 召集人", use_inner_text=True)
    assert fits(page)
    screenshot(page, "venue-poster")

    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_role("button", name="打印(A4)")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def test_member_subscribes_to_their_calendar(live_server, page, member_user, world):
    from tests.factories import DutyShiftFactory

    shift = DutyShiftFactory(member=world.member_a, venue=world.venue_a)
    login(page, live_server, "member_a")
    open_user_menu(page)
    page.get_by_role("link", name="我的日历订阅").click()
    page.get_by_role("button", name="生成订阅地址").click()
    feed = page.get_by_label("订阅地址(iCal)")
    expect(feed).to_have_value(re.compile(rf"^{re.escape(live_server.url)}/cal/[\w-]+\.ics$"))
    assert fits(page)
    screenshot(page, "calendar-feeds")

    response = page.request.get(feed.input_value())
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert f"UID:shift-{shift.pk}@consult-portal" in response.text()


def test_staff_print_member_contact_cards(live_server, page, office_staff, world):
    world.venue_a.contact_phone = "0717-6221234"
    world.venue_a.save(update_fields=["contact_phone"])
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/")
    page.get_by_role("link", name="委员联系卡").click()
    page.wait_for_url(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/cards/")
    card = page.locator(".member-card").first
    expect(card.locator(".card-qr svg")).to_be_visible()
    box = card.locator(".card-qr svg").bounding_box()
    assert 60 <= box["width"] <= 120  # small, and still large enough to scan
    expect(card).to_contain_text("阵地电话:0717-6221234", use_inner_text=True)
    assert "13911112222" not in page.content()  # 李明's own phone is never printed
    assert fits(page)
    screenshot(page, "venue-cards")

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="打印(A4)")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


# Contrast of an element's text against the first opaque background behind it (WCAG 2 formula).
CONTRAST_JS = """el => {
  const rgba = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = null;
  for (let node = el; node && !bg; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) bg = c.slice(0, 3);
  }
  bg = bg || [255, 255, 255];
  const fg = rgba(getComputedStyle(el).color);
  const a = fg.length === 4 ? fg[3] : 1;
  const text = fg.slice(0, 3).map((c, i) => c * a + bg[i] * (1 - a));
  const [hi, lo] = [lum(text), lum(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}"""


def test_grey_and_link_text_reach_aa_contrast(live_server, page, office_staff, world):
    """The audit's 4.27–4.45:1 cases: grey text, links and outline buttons on the page's own
    background (#f8f9fa) and on white cards; each must reach 4.5:1."""
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/members/points/ranking/")
    ratios = {
        "积分规则 link": page.get_by_role("link", name="积分规则"),
        "footer": page.locator("footer"),
    }
    ratios = {name: locator.evaluate(CONTRAST_JS) for name, locator in ratios.items()}
    page.goto(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/")
    on_venue_page = {
        "outline-secondary button": page.get_by_role("link", name="委员联系卡"),
        "outline-primary button": page.get_by_role("link", name="编辑"),
        "text-secondary": page.locator("main .text-secondary").first,
        "link in a card": page.locator("main .card a:not(.btn)").first,
    }
    ratios |= {name: locator.evaluate(CONTRAST_JS) for name, locator in on_venue_page.items()}
    print({name: round(ratio, 2) for name, ratio in ratios.items()})
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
