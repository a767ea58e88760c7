"""Builders shared by the session-form tests: a full POST of the page, and real file contents."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from topics.models import TopicCategory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\nstartxref\n9\n%%EOF\n"


def docx_bytes(*, with_word: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        if with_word:
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("notes.txt", "not a word document")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def page_data(world, *, extra_member=None, **overrides) -> dict:
    """A complete, valid POST of the session page for venue_a (values as lists where repeated)."""
    category = TopicCategory.objects.get(name="停车难")
    members = [world.member_a] + ([extra_member] if extra_member else [])
    data = {
        "venue": str(world.venue_a.pk),
        "held_at": "2026-03-05T19:30",
        "form": "residents",
        "title": "桃花岭小区停车问题居民议事会",
        "host": str(world.member_a.pk),
        "residents_count": "23",
        "enterprises_count": "2",
        "experts_count": "1",
        "departments_count": "3",
        "departments": [str(world.department_a.pk)],
        "att_member": [str(m.pk) for m in members],
        f"att_{world.member_a.pk}": "present",
        "link_topic": [str(world.topic_a.pk)],
        f"link_note_{world.topic_a.pk}": "与会居民同意分摊方案",
        "new-TOTAL_FORMS": "3",
        "new-INITIAL_FORMS": "0",
        "new-MIN_NUM_FORMS": "0",
        "new-MAX_NUM_FORMS": "3",
        "new-0-title": "小区夜间照明不足",
        "new-0-category": str(category.pk),
        "new-0-source": "member",
        "new-0-description": "3栋至5栋之间路灯损坏",
        "new-1-title": "",
        "new-1-category": "",
        "new-1-source": "member",
        "new-1-description": "",
        "new-2-title": "",
        "new-2-category": "",
        "new-2-source": "member",
        "new-2-description": "",
        "minutes": "居民代表就停车位划线发表意见。",
        "outcome": "同意在东侧空地增设停车位。",
    }
    if extra_member is not None:
        data[f"att_{extra_member.pk}"] = "leave"
    data.update(overrides)
    return data
