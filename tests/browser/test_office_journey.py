"""The office's whole journey (issue 4), on a desktop and on a 390 px phone: log a session with
attendance and a new topic, accept it, refer it to a department, record the reply, resolve it,
record the residents' rating, and find it on the list of resolved topics."""

import re

import pytest
from playwright.sync_api import expect

from topics.lifecycle import TopicStatus
from topics.models import Consultation, EventKind, Topic

from .conftest import fits, screenshot, unfold

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_log_a_session_and_follow_its_new_topic_to_the_resolved_list(
    live_server, page, office_staff, world
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    # 1. Log the session from the venue's page.
    page.goto(f"{live_server.url}/platforms/venues/{world.venue_a.pk}/")
    page.get_by_role("link", name="登记协商活动").click()
    page.wait_for_url(re.compile(r"/topics/consultations/new/"))
    page.locator(f'#attendance-rows [data-member="{world.member_a.pk}"]').wait_for()
    page.get_by_label("举办时间").fill("2026-03-05T19:30")
    page.locator("#id_form").select_option(label="居民议事会")
    page.locator("#id_title").fill("桃花岭小区夜间照明议事会")
    page.locator("#id_host").select_option(label="李明")
    page.locator(f"#att_{world.member_a.pk}_present").check()
    page.get_by_label("群众代表人数").fill("15")
    page.locator("#id_new-0-title").fill("桃花岭小区夜间照明不足")
    page.locator("#id_new-0-category").select_option(label="道路修复")
    page.locator("#id_minutes").fill("居民反映小区东门至3栋无路灯。")
    assert fits(page)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/topics/consultations/\d+/$"))
    page.get_by_text("已登记协商活动").wait_for()

    # 2. Open the new topic from the session's page and take it through the lifecycle.
    page.get_by_role("link", name="桃花岭小区夜间照明不足").click()
    page.wait_for_url(re.compile(r"/topics/\d+/$"))
    page.locator("#accept").get_by_role("button", name="受理", exact=True).click()
    page.get_by_text("已受理。").wait_for()

    page.get_by_label("主办单位").select_option(label="西陵区住建局(西陵区)")
    page.locator("#refer").get_by_role("button", name="交办").click()
    page.get_by_text("已交办承办单位").wait_for()

    page.get_by_text("记录西陵区住建局的答复").click()
    page.get_by_label("A类 已解决").first.check()
    page.get_by_label("答复内容").first.fill("已安排在东门至3栋加装4盏路灯")
    page.get_by_role("button", name="保存答复").first.click()
    page.get_by_text("已记录单位答复").wait_for()

    page.get_by_label("办理结果(公开,群众可见)").fill("东门至3栋已加装路灯4盏")
    page.get_by_label("内部备注(不公开)").fill("费用由住建局维修资金列支")
    page.locator("#resolve").get_by_role("button", name="办结").click()
    page.get_by_text("议题已办结").wait_for()

    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="保存回访").click()
    page.get_by_text("已记录群众评价").wait_for()
    assert fits(page)
    screenshot(page, "journey-topic-rated")

    # 3. Find it on the list of resolved topics (办结 and 评价), through the filter form.
    page.goto(f"{live_server.url}/topics/")
    unfold(page, page.get_by_role("button", name=re.compile("更多筛选条件")), "#list-filters-more")
    page.get_by_label("已办结", exact=True).check()
    page.get_by_label("已回访", exact=True).check()
    page.get_by_role("button", name="筛选", exact=True).click()
    page.wait_for_url(re.compile(r"status=resolved.*status=rated"))
    expect(page.get_by_role("link", name="桃花岭小区夜间照明不足")).to_be_visible()
    expect(page.get_by_role("link", name=world.topic_a.title)).to_have_count(0)
    assert fits(page)
    screenshot(page, "journey-resolved-list")

    # What the browser did is what the database holds: one session, one topic, every step.
    session = Consultation.objects.get(title="桃花岭小区夜间照明议事会")
    topic = Topic.objects.get(title="桃花岭小区夜间照明不足")
    assert set(session.topics.all()) == {topic}
    assert session.attendances.get(member=world.member_a).status == "present"
    assert (topic.status, topic.rating) == (TopicStatus.RATED, "satisfied")
    assert topic.resolution_summary == "东门至3栋已加装路灯4盏"
    kinds = list(topic.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        EventKind.RAISED,
        EventKind.TRANSITION,
        EventKind.REFERRAL,
        EventKind.SIGN,  # 签收 (已交办 → 办理中), recorded with the reply staff enter for the unit
        EventKind.REPLY,  # 答复: 办理中 → 已答复
        EventKind.TRANSITION,
        EventKind.RATING,
    ]
