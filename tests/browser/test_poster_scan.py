"""Scan the printed poster: Chromium renders the venue poster for print (A4), the QR code is
cut out of the screenshot and decoded (zxing-cpp) as a resident's phone would, and the decoded
address opens the venue's public page without a login — desktop and 390 px wide."""

import io

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_printed_posters_qr_code_opens_the_public_page(live_server, page, office_staff, world):
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/poster/")
    page.emulate_media(media="print")
    shot = page.locator("#poster-qr").screenshot()
    texts = [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))]
    assert texts == [f"{live_server.url}/v/{world.venue_a.code}/"]

    page.context.clear_cookies()  # a resident's phone: no login
    page.goto(texts[0])
    assert page.url == texts[0]
    expect(page.get_by_role("heading", name=world.venue_a.name).first).to_be_visible()
