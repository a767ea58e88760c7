"""A 承办单位's journey (issue 14), on a desktop and on a 390 px phone: the unit's account logs in,
finds its referral on 我的交办, opens it, signs it (签收), replies with class B and a text; the
office staff member then sees 已答复 and the B class on the topic page. Another unit's referral by
URL answers 404."""

import re

import pytest
from playwright.sync_api import expect

from topics.lifecycle import TopicStatus
from topics.models import EventKind, Referral, ReplyClass, Topic
from topics.services.topic_actions import topic_refer

from ..factories import DepartmentFactory, make_unit_user
from .conftest import fits, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

REPLY = "加装电梯已列入今年老旧小区改造计划,资金分摊方案下月公示。"


@pytest.fixture
def referred(world, office_staff, other_staff):
    """topic_a referred to district A's 住建局 (主办) with a login, and topic_b referred by
    district B's staff to district B's unit, which has a login of its own."""
    Topic.objects.filter(pk__in=[world.topic_a.pk, world.topic_b.pk]).update(
        status=TopicStatus.ACCEPTED
    )
    topic_a = Topic.objects.get(pk=world.topic_a.pk)
    topic_refer(actor=office_staff, topic=topic_a, lead=world.department_a, workdays_count=10)
    make_unit_user(world.department_a, "unit_xl")

    other_unit = DepartmentFactory(name="伍家岗区住建局", area=world.district_b)
    topic_b = Topic.objects.get(pk=world.topic_b.pk)
    topic_refer(actor=other_staff, topic=topic_b, lead=other_unit, workdays_count=10)
    make_unit_user(other_unit, "unit_wjg")
    return {
        "own": Referral.objects.get(topic=topic_a),
        "other": Referral.objects.get(topic=topic_b),
    }


def test_unit_signs_and_replies_b_and_the_office_sees_it(live_server, page, world, referred):
    own, other = referred["own"], referred["other"]

    # 1. The unit logs in and lands on 我的交办, with its referral and not the other's.
    login(page, live_server, "unit_xl")
    expect(page.get_by_role("heading", name="我的交办")).to_be_visible()
    rows = page.locator("#unit-referrals tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("待签收")
    expect(page.get_by_role("link", name=other.topic.title)).to_have_count(0)
    assert fits(page)
    screenshot(page, "unit-home")

    # 2. It opens the referral and signs it.
    page.get_by_role("link", name=world.topic_a.title).click()
    page.wait_for_url(re.compile(rf"/topics/unit/referrals/{own.pk}/$"))
    expect(page.locator("#referral-stage")).to_have_text("待签收")
    assert fits(page)
    page.locator("#sign").get_by_role("button", name="签收").click()
    expect(page.get_by_text("已签收,请按期办理并答复。")).to_be_visible()
    expect(page.locator("#referral-stage")).to_have_text("办理中")
    expect(page.locator("#sign")).to_have_count(0)
    assert fits(page)

    # 3. It replies with class B and a text.
    reply = page.locator("#reply")
    reply.get_by_label("B类 正在解决·列入计划").check()
    reply.get_by_label("答复内容").fill(REPLY)
    reply.get_by_role("button", name="提交答复").click()
    expect(page.get_by_text("答复已提交,等待政协办公室审核。")).to_be_visible()
    shown = page.locator("#reply-shown")
    expect(shown).to_contain_text("B类 正在解决·列入计划")
    expect(shown).to_contain_text(REPLY)
    expect(page.locator("#reply")).to_have_count(0)
    assert fits(page)
    screenshot(page, "unit-replied")

    # Back on 我的交办 the referral is answered.
    page.get_by_label("breadcrumb").get_by_role("link", name="我的交办").click()
    expect(page.get_by_role("heading", name="我的交办")).to_be_visible()
    expect(page.locator("#unit-referrals tbody tr").first).to_contain_text("已答复")
    assert fits(page)

    # 4. Another unit's referral by URL answers 404.
    response = page.goto(f"{live_server.url}/topics/unit/referrals/{other.pk}/")
    assert response.status == 404
    assert other.topic.title not in page.content()

    # 5. The office staff member sees 已答复 and the B class on the topic page.
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/topics/{world.topic_a.pk}/")
    expect(page.get_by_role("heading", name=world.topic_a.title)).to_be_visible()
    expect(page.locator(".status-badge")).to_have_text("已答复")
    lead = page.locator("#referrals .referral").filter(has_text=world.department_a.name)
    expect(lead.locator(".badge", has_text="已答复")).to_be_visible()
    expect(lead.locator(".badge", has_text="B类 正在解决·列入计划")).to_be_visible()
    expect(lead).to_contain_text(REPLY)
    assert fits(page)
    screenshot(page, "unit-reply-on-topic")

    # What the browser did is what the database holds.
    own.refresh_from_db()
    topic = Topic.objects.get(pk=world.topic_a.pk)
    assert topic.status == TopicStatus.REPLIED
    assert (own.reply_class, own.reply) == (ReplyClass.B, REPLY)
    assert own.signed_on is not None and own.replied_on is not None
    kinds = list(topic.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.SIGN, EventKind.REPLY]
    other.refresh_from_db()
    assert other.signed_on is None and other.replied_on is None
