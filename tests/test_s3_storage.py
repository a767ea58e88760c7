"""Files through Django's storage API, in an S3-compatible store when DJANGO_S3_BUCKET is set.

The store here is moto's server mode (``moto[server]`` from PyPI, pinned in the dev extra): a
real HTTP S3 endpoint in a thread, spoken to by boto3 exactly as MinIO or a cloud store would be.
Nothing about the S3 path is mocked inside the portal's process: django-storages sends real
requests to it."""

from __future__ import annotations

import socket
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.conftest import client_for
from tests.import_sheets import member_sheet, xlsx
from topics.models import ConsultationAttachment

from .topics.session_helpers import PDF, page_data, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

BUCKET = "consult-portal-test"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """The default storage is the S3 store (as production configures it from the environment);
    MEDIA_ROOT points at an empty directory, to show nothing lands on the local disk."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "region_name": "us-east-1",
                "addressing_style": "path",
                "location": "media",
                "default_acl": "private",
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_the_default_storage_follows_the_setting(bucket):
    name = default_storage.save("probe/hello.txt", upload("hello.txt", b"hello"))
    assert keys(bucket) == [f"media/{name}"]


def test_a_session_attachment_is_stored_in_the_bucket_and_served_checked(
    bucket, world, office_staff, other_staff, settings
):
    data = page_data(world)
    data["attachments"] = [upload("签到表.pdf", PDF)]
    assert (
        client_for(office_staff).post(reverse("topics:consultation_create"), data).status_code
        == 302
    )
    attachment = ConsultationAttachment.objects.get()
    stored = keys(bucket)
    assert stored == [f"media/{attachment.file.name}"]
    assert stored[0].startswith("media/consultations/") and stored[0].endswith(".pdf")
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing on the instance's own disk

    url = reverse("topics:attachment", args=[attachment.pk])
    response = client_for(office_staff).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    # Another district's staff: 404, the bucket is never asked.
    assert client_for(other_staff).get(url).status_code == 404


def test_a_file_gone_from_the_bucket_answers_404(bucket, world, office_staff):
    data = page_data(world)
    data["attachments"] = [upload("签到表.pdf", PDF)]
    client_for(office_staff).post(reverse("topics:consultation_create"), data)
    attachment = ConsultationAttachment.objects.get()
    bucket.delete_object(Bucket=BUCKET, Key=f"media/{attachment.file.name}")
    response = client_for(office_staff).get(reverse("topics:attachment", args=[attachment.pk]))
    assert response.status_code == 404


def test_an_import_waits_in_the_bucket_between_preview_and_confirmation(
    bucket, world, office_staff
):
    client = client_for(office_staff)
    response = client.post(
        reverse("imports:upload", kwargs={"kind": "members"}),
        {"area": world.district_a.pk, "file": upload("名册.xlsx", xlsx(member_sheet()))},
    )
    assert response.status_code == 302
    waiting = keys(bucket)
    assert len(waiting) == 1 and waiting[0].startswith("media/imports/")
    preview = client.get(response.url)
    assert preview.status_code == 200 and "张伟" in preview.content.decode()
    token = response.url.rstrip("/").rsplit("/", 1)[-1]
    confirm = client.post(reverse("imports:confirm", kwargs={"token": token}))
    assert confirm.status_code == 302 and confirm.url == reverse("imports:done")
    # Confirmed: the waiting sheet is gone; what stays is the preview job's result, in the
    # bucket as well (the queue keeps job files in the default storage).
    left = keys(bucket)
    assert not [key for key in left if key.startswith("media/imports/")]
    assert left and all(key.startswith("media/jobs/") for key in left)
