"""Logging a session on one page: everything written in one POST, all or nothing, and every bad
input answered in Chinese with nothing stored and nothing typed lost."""

from __future__ import annotations

import datetime
import html
import zoneinfo
from pathlib import Path
from unittest import mock

import pytest
from django.db import IntegrityError
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import AssignmentFactory, MemberFactory, TopicFactory, VenueFactory
from topics.models import (
    Attendance,
    Consultation,
    ConsultationAttachment,
    ConsultationTopic,
    EventKind,
    Topic,
    TopicEvent,
)
from topics.session_selectors import consultation_history

from .session_helpers import PDF, PNG, docx_bytes, page_data, upload

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CREATE = reverse("topics:consultation_create")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def counts() -> tuple[int, ...]:
    return (
        Consultation.objects.count(),
        Attendance.objects.count(),
        ConsultationTopic.objects.count(),
        Topic.objects.count(),
        TopicEvent.objects.count(),
        ConsultationAttachment.objects.count(),
        Consultation.history.count(),
    )


@pytest.fixture
def extra_member(world):
    """A district-A member not assigned to venue_a: added to the attendance by hand."""
    return MemberFactory(name="赵强", area=world.district_a)


# --- the happy path ----------------------------------------------------------------------


def test_one_post_writes_the_session_and_everything_logged_with_it(
    world, office_staff, extra_member, media
):
    data = page_data(world, extra_member=extra_member)
    data["attachments"] = [
        upload("现场照片.png", PNG, "image/png"),
        upload("签到表.pdf", PDF, "application/pdf"),
        upload("会议纪要.docx", docx_bytes()),
    ]

    response = client_for(office_staff).post(CREATE, data)

    session = Consultation.objects.exclude(pk__in=[world.session_a.pk, world.session_b.pk]).get()
    assert response.status_code == 302
    assert response.url == reverse("topics:consultation_detail", args=[session.pk])
    assert session.title == "桃花岭小区停车问题居民议事会"
    assert session.venue == world.venue_a and session.host == world.member_a
    assert session.held_at == datetime.datetime(2026, 3, 5, 19, 30, tzinfo=SHANGHAI)
    assert (session.residents_count, session.enterprises_count) == (23, 2)
    assert (session.experts_count, session.departments_count) == (1, 3)
    assert session.created_by == office_staff
    assert list(session.departments.all()) == [world.department_a]
    assert dict(session.attendances.values_list("member__name", "status")) == {
        "李明": "present",
        "赵强": "leave",
    }

    new_topic = Topic.objects.get(title="小区夜间照明不足")
    assert new_topic.area == world.community_a and new_topic.venue == world.venue_a
    assert new_topic.source == "member" and new_topic.raised_by_member == world.member_a
    assert new_topic.status == "raised"
    event = new_topic.events.get()
    assert event.kind == EventKind.RAISED and event.actor == office_staff
    assert "桃花岭小区停车问题居民议事会" in event.note
    links = dict(session.topic_links.values_list("topic_id", "note"))
    assert links == {world.topic_a.pk: "与会居民同意分摊方案", new_topic.pk: ""}
    assert Topic.objects.filter(title="").count() == 0  # the two blank rows were ignored

    attachments = list(session.attachments.order_by("pk"))
    assert [a.original_name for a in attachments] == ["现场照片.png", "签到表.pdf", "会议纪要.docx"]
    assert [a.content_type for a in attachments] == [
        "image/png",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    assert all(a.uploaded_by == office_staff for a in attachments)
    assert len(stored_files(media)) == 3
    for attachment in attachments:
        path = Path(attachment.file.path)
        assert path.is_relative_to(media) and path.suffix in (".png", ".pdf", ".docx")
    # Every row written is in the history, with the user who wrote it.
    assert session.history.first().history_user == office_staff
    assert Attendance.history.filter(consultation_id=session.pk, history_user=office_staff).count()


def test_create_page_lists_the_venues_members_as_present(world, office_staff):
    response = client_for(office_staff).get(f"{CREATE}?venue={world.venue_a.pk}")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="att_member" value="{world.member_a.pk}"' in page
    assert f'id="att_{world.member_a.pk}_present" value="present" checked' in page
    assert world.topic_a.title in page  # an open topic of the venue to pick
    assert world.topic_b.title not in page  # another district's topic is never offered
    assert "js/consultation_form.js" in page


def test_create_page_of_another_districts_venue_is_404(world, office_staff):
    client = client_for(office_staff)
    assert client.get(f"{CREATE}?venue={world.venue_b.pk}").status_code == 404
    assert client.get(f"{CREATE}?venue=abc").status_code == 404


def test_add_member_without_javascript_keeps_everything_typed(world, office_staff, extra_member):
    data = page_data(world, title="还没写完的主题", residents_count="17")
    data["add_member"] = str(extra_member.pk)
    data["_reload"] = "member"
    before = counts()

    response = client_for(office_staff).post(CREATE, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert counts() == before
    assert f'name="att_member" value="{extra_member.pk}"' in page
    assert 'value="还没写完的主题"' in page and 'value="17"' in page
    assert "小区夜间照明不足" in page
    # No file was chosen, so nothing was lost: no message about attachments (issue 16).
    assert "请修正后重新选择附件" not in page


def test_changing_the_venue_reloads_the_lists_and_keeps_typed_values(world, office_staff):
    other_venue = VenueFactory(name="学院街道议事厅", area=world.subdistrict_a)
    newcomer = MemberFactory(name="孙丽", area=world.district_a)
    AssignmentFactory(member=newcomer, venue=other_venue)
    # The user has not reached the date and form yet: no errors are shown for them.
    data = page_data(world, venue=str(other_venue.pk), _reload="venue", held_at="", form="")
    data[f"att_{world.member_a.pk}"] = "absent"

    response = client_for(office_staff).post(CREATE, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" not in page and "is-invalid" not in page
    assert "孙丽" in page and f'name="att_member" value="{newcomer.pk}"' in page
    assert f'id="att_{world.member_a.pk}_absent" value="absent" checked' in page
    assert 'value="桃花岭小区停车问题居民议事会"' in page


# --- all or nothing ----------------------------------------------------------------------


def test_a_failure_midway_rolls_everything_back(world, office_staff, media):
    data = page_data(world)
    data["attachments"] = [upload("现场照片.png", PNG, "image/png")]
    before = counts()

    with (
        mock.patch("topics.services.sessions.topic_create", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        client_for(office_staff).post(CREATE, data)

    assert counts() == before
    assert stored_files(media) == []


def test_a_failing_attachment_removes_the_files_already_written(world, office_staff, media):
    data = page_data(world)
    data["attachments"] = [
        upload("一.png", PNG, "image/png"),
        upload("二.pdf", PDF, "application/pdf"),
    ]
    before = counts()
    real_save = ConsultationAttachment.save
    calls = []

    def save_then_fail(self, *args, **kwargs):
        calls.append(self.original_name)
        if len(calls) == 2:
            raise IntegrityError("disk full")
        return real_save(self, *args, **kwargs)

    with (
        mock.patch.object(ConsultationAttachment, "save", save_then_fail),
        pytest.raises(IntegrityError),
    ):
        client_for(office_staff).post(CREATE, data)

    assert calls == ["一.png", "二.pdf"]
    assert counts() == before
    assert stored_files(media) == []


# --- bad input ---------------------------------------------------------------------------

BAD_INPUTS = [
    ("impossible date", {"held_at": "2026-02-30T19:30"}, "输入一个有效的日期/时间"),
    ("date as text", {"held_at": "下周三"}, "输入一个有效的日期/时间"),
    ("count not a number", {"residents_count": "二十"}, "输入整数"),
    ("negative count", {"experts_count": "-1"}, "确保该值大于或等于0"),
    ("huge count", {"experts_count": "99999999999"}, "确保该值小于或等于"),
    ("over-long title", {"title": "长" * 201}, "不超过 200 字符"),
    ("blank title", {"title": "   "}, "这个字段是必填项"),
    ("blank form", {"form": ""}, "这个字段是必填项"),
    ("unknown form", {"form": "party"}, "选择一个有效的选项"),
    ("blank venue", {"venue": ""}, "这个字段是必填项"),
    ("venue not a number", {"venue": "abc"}, "选择一个有效的选项"),
    ("unknown attendance status", {"att_{member_a}": "late"}, "出席情况无效"),
    (
        "attendance id not a number",
        {"att_member": ["{member_a}", "{extra}", "x"]},
        "无法识别的委员",
    ),
    ("topic id not a number", {"link_topic": ["{topic_a}", "x"]}, "所选议题无法识别"),
    ("over-long topic note", {"link_note_{topic_a}": "议" * 501}, "不能超过 500 个字"),
    ("new topic without category", {"new-0-category": ""}, "这个字段是必填项"),
    ("new topic over-long title", {"new-0-title": "题" * 201}, "不超过 200 字符"),
    ("new topic unknown source", {"new-0-source": "rumour"}, "选择一个有效的选项"),
    ("unknown department", {"departments": ["999999"]}, "选择一个有效的选项"),
]


@pytest.mark.parametrize(
    ("overrides", "message"), [c[1:] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_refused_in_chinese_and_stores_nothing(
    world, office_staff, extra_member, media, overrides, message
):
    ids = {"member_a": world.member_a.pk, "topic_a": world.topic_a.pk, "extra": extra_member.pk}
    overrides = {
        key.format(**ids): [v.format(**ids) for v in value] if isinstance(value, list) else value
        for key, value in overrides.items()
    }
    data = page_data(world, extra_member=extra_member)
    data.update(overrides)
    data["attachments"] = [upload("现场照片.png", PNG, "image/png")]
    before = counts()

    response = client_for(office_staff).post(CREATE, data)

    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 400
    assert message in page
    assert "保存未成功" in page and "请修正后重新选择附件" in page
    assert counts() == before
    assert stored_files(media) == []
    # Everything typed is still there (except what was being corrected).
    if "title" not in overrides:
        assert 'value="桃花岭小区停车问题居民议事会"' in page
    if "residents_count" not in overrides:
        assert 'value="23"' in page
    assert f'id="att_{extra_member.pk}_leave" value="leave" checked' in page
    if "new-0-title" not in overrides:
        assert 'value="小区夜间照明不足"' in page
    assert "3栋至5栋之间路灯损坏" in page
    assert f'id="link_{world.topic_a.pk}" checked' in page
    if f"link_note_{world.topic_a.pk}" not in overrides:
        assert 'value="与会居民同意分摊方案"' in page
    assert "居民代表就停车位划线发表意见。" in page


FILE_CASES = [
    ("fake pdf", lambda: upload("签到表.pdf", b"just some text, not a PDF"), "内容不是 PDF 文件"),
    ("png named pdf", lambda: upload("照片.pdf", PNG), "文件内容是 PNG"),
    ("zip named docx", lambda: upload("纪要.docx", docx_bytes(with_word=False)), "不是 DOCX"),
    ("executable", lambda: upload("tool.exe", b"MZ\x90\x00" + b"\x00" * 64), "不是允许的文件类型"),
    ("empty file", lambda: upload("空.pdf", b""), "“空.pdf”是空文件"),
    ("pdf named html", lambda: upload("页面.html", PDF), "扩展名是 .html,但文件内容是 PDF"),
    ("no extension", lambda: upload("签到表", PDF), "扩展名缺失,但文件内容是 PDF"),
    (
        "pdf header then html",
        lambda: upload("签到表.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>"),
        "不是完整的 PDF 文件",
    ),
]


@pytest.mark.parametrize(
    ("make", "message"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_a_file_is_judged_by_its_content(world, office_staff, media, make, message):
    data = page_data(world)
    data["attachments"] = [upload("现场照片.png", PNG, "image/png"), make()]
    before = counts()

    response = client_for(office_staff).post(CREATE, data)

    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 400
    assert message in page
    assert "请修正后重新选择附件" in page
    assert counts() == before and stored_files(media) == []
    assert 'value="桃花岭小区停车问题居民议事会"' in page


def test_a_50_mb_upload_is_refused_by_the_real_limit(world, office_staff, media, settings):
    assert settings.ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024
    data = page_data(world)
    data["attachments"] = [upload("扫描件.pdf", PDF + b"0" * (50 * 1024 * 1024))]
    before = counts()

    response = client_for(office_staff).post(CREATE, data)

    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 400
    assert "“扫描件.pdf”大小为 50.0 MB,超过每个附件 10.0 MB 的上限" in page
    assert counts() == before and stored_files(media) == []


def test_venue_of_another_district_in_the_post_is_refused(world, office_staff):
    before = counts()
    response = client_for(office_staff).post(CREATE, page_data(world, venue=str(world.venue_b.pk)))

    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 400
    assert "选择一个有效的选项" in page
    assert counts() == before


def test_members_and_topics_of_another_district_are_refused(world, office_staff):
    data = page_data(world)
    data["att_member"] = [str(world.member_a.pk), str(world.member_b.pk)]
    data["link_topic"] = [str(world.topic_a.pk), str(world.topic_b.pk)]
    before = counts()

    response = client_for(office_staff).post(CREATE, data)

    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 400
    assert "不在您管辖范围内的委员" in page and "不在您管辖范围内的议题" in page
    assert world.member_b.name not in page and world.topic_b.title not in page
    assert counts() == before


# --- edit and history --------------------------------------------------------------------


def edit_data(world, session, **overrides) -> dict:
    data = page_data(world, **overrides)
    data.update(
        {
            "venue": str(session.venue_id),
            "new-0-title": "",
            "new-0-category": "",
            "new-0-description": "",
        }
    )
    return data


def test_edit_page_is_prefilled(world, office_staff):
    world.session_a.topics.add(world.topic_a, through_defaults={"note": "已讨论"})
    response = client_for(office_staff).get(
        reverse("topics:consultation_edit", args=[world.session_a.pk])
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{world.session_a.title}"' in page
    assert f'id="att_{world.member_a.pk}_present" value="present" checked' in page
    assert f'id="link_{world.topic_a.pk}" checked' in page and 'value="已讨论"' in page
    local = world.session_a.held_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    assert f'name="held_at" value="{local}"' in page


def test_edit_saves_changes_and_the_history_shows_who_changed_what(
    world, office_staff, extra_member, media
):
    session = world.session_a
    old_title = session.title
    client = client_for(office_staff)
    # Log the session's attachment through the page first, then edit it.
    data = edit_data(world, session, title="改过的主题", residents_count="40")
    data[f"att_{world.member_a.pk}"] = "leave"
    data["add_member"] = str(extra_member.pk)
    data["attachments"] = [upload("合影.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 32)]

    response = client.post(reverse("topics:consultation_edit", args=[session.pk]), data)

    assert response.status_code == 302, html.unescape(response.content.decode())[:2000]
    session.refresh_from_db()
    assert session.title == "改过的主题" and session.residents_count == 40
    assert dict(session.attendances.values_list("member_id", "status")) == {
        world.member_a.pk: "leave",
        extra_member.pk: "present",
    }
    assert list(session.topic_links.values_list("topic_id", flat=True)) == [world.topic_a.pk]
    attachment = session.attachments.get()
    assert attachment.content_type == "image/webp"

    history = client.get(reverse("topics:consultation_history", args=[session.pk]))
    page = html.unescape(history.content.decode())
    assert history.status_code == 200
    assert "staff_a" in page
    assert "主题" in page and old_title in page and "改过的主题" in page
    assert "群众代表人数" in page and "40" in page
    assert "委员 李明" in page and "出席 → 请假" in page.replace("</del> → ", " → ").replace(
        '<del class="text-secondary">', ""
    )
    assert "委员 赵强" in page
    assert "附件“合影.webp”" in page
    assert f"议题“{world.topic_a.title}”" in page
    # One save is one entry for the session's own fields, departments included.
    edits = [
        e
        for e in consultation_history(consultation=session)
        if e.part == "活动信息" and e.action == "修改"
    ]
    assert len(edits) == 1
    labels = [c.label for c in edits[0].changes]
    assert "主题" in labels and "参加单位" in labels and edits[0].user == "staff_a"

    # Then remove the attachment and unlink the topic: both show as deletions.
    data = edit_data(world, session, title="改过的主题", residents_count="40")
    data["att_member"] = [str(world.member_a.pk), str(extra_member.pk)]
    data[f"att_{world.member_a.pk}"] = "leave"
    data[f"att_{extra_member.pk}"] = "present"
    data["link_topic"] = []
    data["remove_attachment"] = [str(attachment.pk)]
    response = client.post(reverse("topics:consultation_edit", args=[session.pk]), data)
    assert response.status_code == 302
    assert not session.topic_links.exists() and not session.attachments.exists()
    page = html.unescape(
        client.get(reverse("topics:consultation_history", args=[session.pk])).content.decode()
    )
    assert "删除 附件“合影.webp”" in page
    assert f"删除 议题“{world.topic_a.title}”" in page


def test_edit_with_an_error_keeps_typed_values_and_changes_nothing(world, office_staff):
    session = world.session_a
    data = edit_data(world, session, title="", residents_count="31")
    data[f"att_{world.member_a.pk}"] = "absent"

    response = client_for(office_staff).post(
        reverse("topics:consultation_edit", args=[session.pk]), data
    )

    page = html.unescape(response.content.decode()).replace("\xa0", " ")
    assert response.status_code == 400
    assert "这个字段是必填项" in page and 'value="31"' in page
    assert f">{session.title}</a></li>" in page  # the breadcrumb still names the stored session
    assert f'id="att_{world.member_a.pk}_absent" value="absent" checked' in page
    fresh = Consultation.objects.get(pk=session.pk)
    assert fresh.title == session.title
    assert fresh.attendances.get().status == "present"


def test_topics_closed_since_stay_linked_on_edit(world, office_staff):
    closed = TopicFactory(title="已办结的路灯问题", area=world.community_a, status="resolved")
    world.session_a.topics.add(closed)
    response = client_for(office_staff).get(
        reverse("topics:consultation_edit", args=[world.session_a.pk])
    )
    page = response.content.decode()
    assert f'id="link_{closed.pk}" checked' in page


def test_saving_right_after_changing_venue_shows_the_new_members_first(world, office_staff):
    """Without JavaScript a changed venue is not reloaded by itself: the save is held back and
    the new venue's members are listed for checking, nothing stored."""
    other_venue = VenueFactory(name="学院街道议事厅", area=world.subdistrict_a)
    newcomer = MemberFactory(name="孙丽", area=world.district_a)
    AssignmentFactory(member=newcomer, venue=other_venue)
    data = page_data(world, venue=str(other_venue.pk), listed_venue=str(world.venue_a.pk))
    before = counts()

    response = client_for(office_staff).post(CREATE, data, follow=False)

    page = response.content.decode()
    assert response.status_code == 200
    assert counts() == before
    assert "阵地已更改" in page and f'name="att_member" value="{newcomer.pk}"' in page
    assert f'name="listed_venue" value="{other_venue.pk}"' in page

    data["listed_venue"] = str(other_venue.pk)
    data["att_member"] = [str(world.member_a.pk), str(newcomer.pk)]
    data[f"att_{newcomer.pk}"] = "absent"
    response = client_for(office_staff).post(CREATE, data)
    assert response.status_code == 302
    session = Consultation.objects.get(title="桃花岭小区停车问题居民议事会")
    assert session.venue == other_venue
    assert dict(session.attendances.values_list("member__name", "status")) == {
        "李明": "present",
        "孙丽": "absent",
    }
    # New topics raised here belong to the session's venue and its area.
    assert Topic.objects.get(title="小区夜间照明不足").area == world.subdistrict_a


@pytest.mark.parametrize("key", ["123456789012345678901", "-99999999999999999999", "9" * 40])
def test_a_key_past_the_database_range_is_an_invalid_choice_not_a_server_error(
    world, office_staff, key
):
    before = counts()
    data = page_data(world)
    data["departments"] = [str(world.department_a.pk), key]

    response = client_for(office_staff).post(CREATE, data)

    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert counts() == before


def test_every_multi_select_guards_the_key_range(world, office_staff):
    from django import forms

    from topics.models import Department

    field = forms.ModelMultipleChoiceField(queryset=Department.objects.all())
    with pytest.raises(forms.ValidationError) as error:
        field.clean([str(world.department_a.pk), "123456789012345678901"])
    assert error.value.code == "invalid_choice"
    assert list(field.clean([str(world.department_a.pk)])) == [world.department_a]
