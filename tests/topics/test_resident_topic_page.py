"""A topic a resident raised on the public page has no actor on its first event: every role
that may see it opens its page (it used to fail with a server error), and the timeline names
the resident as 群众, never their name or phone."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from topics.models import Topic, TopicCategory


@pytest.fixture
def resident_topic(world):
    cache.clear()
    category = TopicCategory.objects.order_by("sort_order", "name").first()
    Client().post(
        f"/v/{world.venue_a.code}/",
        {
            "text": "小区门口路灯坏了两个月",
            "category": category.pk,
            "name": "赵大爷",
            "phone": "13800138000",
            "consent": "on",
        },
    )
    cache.clear()
    return Topic.objects.get(title="小区门口路灯坏了两个月", venue=world.venue_a)


@pytest.mark.parametrize("role", ["office_staff", "leader", "district_leader", "member_user"])
def test_every_role_opens_a_resident_topic(request, resident_topic, role):
    client = client_for(request.getfixturevalue(role))
    response = client.get(reverse("topics:detail", args=[resident_topic.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "小区门口路灯坏了两个月" in html
    timeline = html[html.index("办理进程") :]
    assert "群众" in timeline and "赵大爷" not in timeline


def test_staff_move_a_resident_topic_and_see_who_did_it(resident_topic, office_staff):
    office_staff.profile.display_name = "张娟丹"
    office_staff.profile.save(update_fields=["display_name"])
    client = client_for(office_staff)
    page = client.get(reverse("topics:detail", args=[resident_topic.pk])).content.decode()
    assert ">受理</button>" in page
    resident_topic.refresh_from_db()
    from topics.services import topic_transition

    topic_transition(actor=office_staff, topic=resident_topic, to="accepted")
    html = client.get(reverse("topics:detail", args=[resident_topic.pk])).content.decode()
    timeline = html[html.index("办理进程") :]
    assert "张娟丹" in timeline and "群众" in timeline
