"""The venue poster's QR code, read back from the image as a resident's phone would (zxing-cpp),
opens the venue's public page without a login (issue 5, "Done when")."""

import io

import zxingcpp
from django.urls import reverse
from PIL import Image

from .conftest import client_for


def scan(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_scanned_png_opens_the_public_venue_page(world, office_staff, resident):
    response = client_for(office_staff).get(reverse("platforms:venue_qr", args=[world.venue_a.pk]))
    assert response["Content-Type"] == "image/png"
    assert scan(response.content) == ["http://testserver/v/xl-001/"]
    page = resident.get(scan(response.content)[0])
    assert page.status_code == 200
    assert world.venue_a.name in page.content.decode()


def test_each_venue_scans_to_its_own_page(world, admin_user):
    client = client_for(admin_user)
    urls = {
        venue.code: scan(client.get(reverse("platforms:venue_qr", args=[venue.pk])).content)
        for venue in (world.venue_a, world.venue_b)
    }
    assert urls == {
        "xl-001": ["http://testserver/v/xl-001/"],
        "wjg-001": ["http://testserver/v/wjg-001/"],
    }
