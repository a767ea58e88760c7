"""协商成果 pages: staff of the area act, leaders read, members and other areas get 403/404; the
outcome shows on the session and topic it came from."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import services
from proposals.models import Outcome, OutcomeItem
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def outcome(world, office_staff):
    return services.outcome_create(
        actor=office_staff,
        area=world.district_a,
        kind="suggestion",
        title="关于加装电梯的协商建议",
        date=timezone.localdate(),
        recipient="government",
        sent_on=timezone.localdate(),
        consultations=[world.session_a],
        topics=[world.topic_a],
    )


def test_detail_and_post_matrix(client, outcome, member_user, office_staff, other_staff, leader):
    url = reverse("proposals:outcome_detail", args=[outcome.pk])
    assert client.get(url).status_code == 302
    assert client_for(member_user).get(url).status_code == 403
    assert client_for(other_staff).get(url).status_code == 404
    assert "登记领导批示" not in client_for(leader).get(url).content.decode()
    assert "登记领导批示" in client_for(office_staff).get(url).content.decode()
    data = {
        "action": "instruction",
        "leader": "刘某某 区长",
        "level": "district",
        "given_on": timezone.localdate().isoformat(),
        "text": "请落实。",
    }
    assert client_for(leader).post(url, data).status_code == 403
    assert client_for(other_staff).post(url, data).status_code == 404
    assert client_for(office_staff).post(url, data).status_code == 302
    assert outcome.instructions.count() == 1


def test_items_and_follow_up_through_the_page(world, outcome, office_staff):
    client = client_for(office_staff)
    url = reverse("proposals:outcome_detail", args=[outcome.pk])
    today = timezone.localdate()
    early = (outcome.date - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url,
        {"action": "item", "text": "年内完成3台", "unit": world.department_a.pk, "due_on": early},
    )
    assert (
        response.status_code == 400 and "完成时限不能早于成果成文日期" in response.content.decode()
    )
    assert not OutcomeItem.objects.exists()
    client.post(
        url,
        {
            "action": "item",
            "text": "年内完成3台",
            "unit": world.department_a.pk,
            "due_on": today.isoformat(),
        },
    )
    item = OutcomeItem.objects.get()
    response = client.post(
        url,
        {
            "action": "followup",
            "item": item.pk,
            f"f{item.pk}-progress": "已完工",
            f"f{item.pk}-done_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.progress, item.done_on) == ("已完工", today)


def test_outcome_shows_on_its_topic_and_session(world, outcome, office_staff, other_staff):
    client = client_for(office_staff)
    for url in (
        reverse("topics:detail", args=[world.topic_a.pk]),
        reverse("topics:consultation_detail", args=[world.session_a.pk]),
    ):
        assert "关于加装电梯的协商建议" in client.get(url).content.decode()


def test_create_refuses_a_session_of_another_area(world, office_staff):
    response = client_for(office_staff).post(
        reverse("proposals:outcome_create"),
        {
            "kind": "suggestion",
            "title": "跨区",
            "date": timezone.localdate().isoformat(),
            "recipient": "government",
            "consultations": [world.session_b.pk],
        },
    )
    assert response.status_code == 200  # the form again, the other district's session not offered
    assert not Outcome.objects.exists()
    response = client_for(office_staff).post(
        reverse("proposals:outcome_create"),
        {
            "kind": "suggestion",
            "title": "单位未选",
            "date": timezone.localdate().isoformat(),
            "recipient": "unit",
            "consultations": [world.session_a.pk],
        },
    )
    assert "报送对象为承办单位时,请选择单位" in response.content.decode()
    assert not Outcome.objects.exists()
