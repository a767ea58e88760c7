"""Photos on the public form (issue 16): at most 3, checked by content, resized, EXIF (the
location) stripped, shown publicly only after staff approve them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.conftest import client_for
from topics.models import Topic, TopicCategory, TopicPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg_with_location(size=(3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMakerX"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 41.0, 52.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def photo(name="现场.jpg", content=None):
    return SimpleUploadedFile(name, content or jpeg_with_location(), content_type="image/jpeg")


def raise_with(photos, **extra):
    category = TopicCategory.objects.order_by("sort_order", "name").first()
    data = {"text": "小区门口路灯坏了两个月,晚上出行不便", "category": category.pk, **extra}
    data["photos"] = photos
    return Client().post("/v/xl-001/", data)


def test_a_photo_is_stored_small_without_exif_and_public_only_once_approved(
    world, office_staff, other_staff
):
    original = jpeg_with_location()
    assert b"PhoneMakerX" in original
    response = raise_with([photo(content=original)])
    assert response.status_code == 302
    topic = Topic.objects.get(title__startswith="小区门口路灯坏了")
    stored = TopicPhoto.objects.get(topic=topic)
    data = stored.image.read()
    assert b"PhoneMakerX" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1600 and (stored.width, stored.height) == image.size
        assert not image.getexif()
    assert stored.approved is False

    public_url = reverse("public:photo", args=[topic.tracking_code, stored.pk])
    track = Client().get(reverse("public:track", args=[topic.tracking_code])).content.decode()
    assert public_url not in track
    assert Client().get(public_url).status_code == 404

    staff = client_for(office_staff)
    page = staff.get(reverse("topics:detail", args=[topic.pk])).content.decode()
    assert reverse("topics:photo", args=[topic.pk, stored.pk]) in page
    assert staff.get(reverse("topics:photo", args=[topic.pk, stored.pk])).status_code == 200
    # Another district's staff can neither see nor approve it.
    other = client_for(other_staff)
    assert other.get(reverse("topics:photo", args=[topic.pk, stored.pk])).status_code == 404
    approve = reverse("topics:photo_approve", args=[topic.pk, stored.pk])
    assert other.post(approve, {"approve": "1"}).status_code == 404

    assert staff.post(approve, {"approve": "1"}).status_code == 302
    stored.refresh_from_db()
    assert stored.approved and stored.approved_by == office_staff
    track = Client().get(reverse("public:track", args=[topic.tracking_code])).content.decode()
    assert public_url in track
    assert Client().get(public_url).status_code == 200


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_raised(world):
    response = raise_with([photo("伪装.jpg", b"<html><script>alert(1)</script></html>" * 10)])
    assert response.status_code == 400
    html = response.content.decode()
    assert "“伪装.jpg”不是照片" in html and "小区门口路灯坏了两个月" in html
    assert not Topic.objects.filter(title__startswith="小区门口路灯坏了").exists()


def test_at_most_three_photos(world):
    small = jpeg_with_location((40, 30))
    response = raise_with([photo(f"{i}.jpg", small) for i in range(4)])
    assert response.status_code == 400
    assert "最多上传 3 张照片" in response.content.decode()
    assert not TopicPhoto.objects.exists()
    assert raise_with([photo(f"{i}.jpg", small) for i in range(3)]).status_code == 302
    assert TopicPhoto.objects.count() == 3
