"""The session form's rough edges (issue 16): no false message about errors or lost
attachments, 新议题标题 not marked required, any number of new-topic rows, departments as a
checkbox list, the venue's members first among the hosts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import MemberFactory
from topics.models import Consultation, Topic, TopicCategory

from .session_helpers import PNG, page_data, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

CREATE = reverse("topics:consultation_create")
FILES_AGAIN_TEXT = "请修正后重新选择附件"


def rows(data: dict, titles: list[str]) -> dict:
    """``data`` with exactly these new-topic rows."""
    category = TopicCategory.objects.get(name="停车难")
    data = {k: v for k, v in data.items() if not k.startswith("new-")}
    data.update({"new-TOTAL_FORMS": str(len(titles)), "new-INITIAL_FORMS": "0"})
    for i, title in enumerate(titles):
        data.update(
            {
                f"new-{i}-title": title,
                f"new-{i}-category": str(category.pk) if title else "",
                f"new-{i}-source": "member",
                f"new-{i}-description": "",
            }
        )
    return data


def test_a_venue_reload_without_files_mentions_no_error_or_attachment(world, office_staff):
    data = page_data(world, _reload="venue", held_at="")
    page = client_for(office_staff).post(CREATE, data).content.decode()
    assert FILES_AGAIN_TEXT not in page
    assert 'id="form-errors"' not in page


def test_a_failed_save_with_a_file_chosen_says_to_choose_it_again(world, office_staff):
    data = page_data(world, held_at="")
    data["attachments"] = [upload("现场照片.png", PNG, "image/png")]
    response = client_for(office_staff).post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="form-errors"' in page and FILES_AGAIN_TEXT in page


def test_a_failed_save_without_files_does_not_mention_attachments(world, office_staff):
    response = client_for(office_staff).post(CREATE, page_data(world, held_at=""))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="form-errors"' in page and FILES_AGAIN_TEXT not in page


def test_new_topic_title_is_not_marked_required(world, office_staff):
    page = client_for(office_staff).get(f"{CREATE}?venue={world.venue_a.pk}").content.decode()
    label = re.search(r'<label\s+for="id_new-0-title"[^>]*>(.*?)</label>', page, re.S).group(1)
    assert "新议题标题" in label and "*" not in label
    field = re.search(r'<input[^>]*id="id_new-0-title"[^>]*>', page).group(0)
    assert "required" not in field


def test_any_number_of_new_topic_rows_are_saved_and_blank_rows_ignored(world, office_staff):
    titles = [f"新议题第{i}个" for i in range(1, 7)] + ["", ""]
    response = client_for(office_staff).post(CREATE, rows(page_data(world), titles))
    assert response.status_code == 302, response.content.decode()[:3000]
    session = Consultation.objects.get(title="桃花岭小区停车问题居民议事会")
    created = set(session.topics.values_list("title", flat=True)) - {world.topic_a.title}
    assert created == set(titles[:6])


def test_a_row_with_a_description_but_no_title_is_explained_and_kept(world, office_staff):
    data = rows(page_data(world), ["", ""])
    data["new-1-description"] = "只写了描述"
    response = client_for(office_staff).post(CREATE, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "请填写新议题标题" in page and "只写了描述" in page
    assert not Consultation.objects.filter(title="桃花岭小区停车问题居民议事会").exists()


def test_add_a_row_without_javascript_keeps_what_was_typed(world, office_staff):
    data = rows(page_data(world), ["第一个", "第二个"])
    data["_reload"] = "new_topic"
    page = client_for(office_staff).post(CREATE, data).content.decode()
    assert 'name="new-TOTAL_FORMS" value="3"' in page
    assert 'id="id_new-2-title"' in page
    assert 'value="第一个"' in page and 'value="第二个"' in page
    assert Topic.objects.filter(title="第一个").count() == 0


def test_departments_are_a_checkbox_list_with_a_filter(world, office_staff):
    page = client_for(office_staff).get(f"{CREATE}?venue={world.venue_a.pk}").content.decode()
    assert re.search(
        rf'<input type="checkbox"[^>]*name="departments" value="{world.department_a.pk}"', page
    )
    assert 'id="dept-filter"' in page and "Ctrl" not in page


def test_hosts_list_the_venues_members_first(world, office_staff):
    # 艾 sorts before 李 by name, but is not at the venue: 李明 (venue_a) comes first.
    MemberFactory(name="艾伟", area=world.district_a)
    page = client_for(office_staff).get(f"{CREATE}?venue={world.venue_a.pk}").content.decode()
    select = re.search(r'<select name="host".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    assert [label for label, _ in groups] == ["本阵地委员", "其他委员"]
    assert "李明" in groups[0][1] and "艾伟" not in groups[0][1]
    assert "艾伟" in groups[1][1]
