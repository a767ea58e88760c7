"""Browser journey: office staff log a session with attendance and one new topic, on a desktop
and on a 390 px phone."""

import pytest
from playwright.sync_api import expect

from tests.factories import MemberFactory
from topics.models import Consultation, Topic

from .conftest import fits, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_logs_a_session_with_attendance_and_a_new_topic(
    live_server, page, office_staff, world
):
    extra = MemberFactory(name="赵强", area=world.district_a)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/topics/consultations/")
    page.get_by_role("link", name="登记协商活动").click()
    page.wait_for_url("**/topics/consultations/new/")
    expect(page.get_by_role("heading", name="登记协商活动")).to_be_visible()

    # Choosing the venue reloads the page with its members listed (JavaScript posts it back).
    page.locator("#id_venue").select_option(label="桃花岭协商驿站")
    page.locator(f'#attendance-rows [data-member="{world.member_a.pk}"]').wait_for()
    expect(page.locator(f"#att_{world.member_a.pk}_present")).to_be_checked()

    page.get_by_label("举办时间").fill("2026-03-05T19:30")
    page.locator("#id_form").select_option(label="居民议事会")
    page.locator("#id_title").fill("桃花岭小区停车问题居民议事会")
    page.locator("#id_host").select_option(label="李明")
    page.get_by_label("请假").first.check()

    # "添加" adds a row in place, without a round trip.
    page.get_by_label("添加其他委员").select_option(label="赵强")
    page.get_by_role("button", name="添加", exact=True).click()
    page.locator(f"#att_{extra.pk}_absent").check()

    page.get_by_label("群众代表人数").fill("23")
    page.locator(f"#link_{world.topic_a.pk}").check()
    page.locator(f"#link_note_{world.topic_a.pk}").fill("同意分摊方案")
    page.locator("#id_new-0-title").fill("小区夜间照明不足")
    page.locator("#id_new-0-category").select_option(label="道路修复")
    page.locator("#id_minutes").fill("居民代表就停车位划线发表意见。")
    assert fits(page)
    screenshot(page, "consultation-form")

    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/topics/consultations/*/")
    expect(page.get_by_role("heading", name="桃花岭小区停车问题居民议事会")).to_be_visible()
    expect(page.get_by_text("已登记协商活动")).to_be_visible()
    expect(page.get_by_role("link", name="小区夜间照明不足")).to_be_visible()
    expect(page.get_by_role("link", name="编辑")).to_be_visible()
    assert fits(page)

    session = Consultation.objects.get(title="桃花岭小区停车问题居民议事会")
    assert dict(session.attendances.values_list("member__name", "status")) == {
        "李明": "leave",
        "赵强": "absent",
    }
    assert session.residents_count == 23
    topic = Topic.objects.get(title="小区夜间照明不足")
    assert topic.events.count() == 1 and topic.venue == world.venue_a
    assert set(session.topics.all()) == {world.topic_a, topic}


def test_session_form_without_reloads_venue_rows_and_departments(
    live_server, page, office_staff, world
):
    """Issue 16: choosing the venue fills the lists in place (no page load), new-topic rows are
    added in place, 参加部门 is a checkbox list filtered as typed, the venue's members are
    listed first among the hosts, and no error or attachment message appears."""
    from tests.factories import DepartmentFactory

    DepartmentFactory(name="西陵区城管局", area=world.district_a)
    MemberFactory(name="艾伟", area=world.district_a)
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/topics/consultations/new/")
    expect(page.get_by_role("heading", name="登记协商活动")).to_be_visible()
    page.evaluate("window.__samePage = 'yes'")

    page.locator("#id_venue").select_option(label="桃花岭协商驿站")
    page.locator(f'#attendance-rows [data-member="{world.member_a.pk}"]').wait_for()
    assert page.evaluate("window.__samePage") == "yes"  # no page load
    expect(page.locator("#reload-venue")).to_be_hidden()
    expect(page.locator("#form-errors")).to_have_count(0)
    expect(page.get_by_text("请修正后重新选择附件")).to_have_count(0)
    # The venue's member heads the host list.
    first_host = page.locator("#id_host optgroup").first
    expect(first_host).to_have_attribute("label", "本阵地委员")
    expect(first_host.locator("option")).to_have_text(["李明"])

    page.get_by_label("举办时间").fill("2026-03-05T19:30")
    page.locator("#id_form").select_option(label="居民议事会")
    page.locator("#id_title").fill("多议题协商会")

    page.get_by_label("筛选参加部门").fill("城管")
    expect(page.get_by_label("西陵区城管局")).to_be_visible()
    expect(page.get_by_label("西陵区住建局")).to_be_hidden()
    page.get_by_label("西陵区城管局").check()

    for _ in range(2):
        page.get_by_role("button", name="再加一行新议题").click()
    assert page.evaluate("window.__samePage") == "yes"
    for i in range(4):
        page.locator(f"#id_new-{i}-title").fill(f"新议题行{i + 1}")
        page.locator(f"#id_new-{i}-category").select_option(label="道路修复")
    assert fits(page)
    screenshot(page, "consultation-form-rows")

    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/topics/consultations/*/")
    expect(page.get_by_role("heading", name="多议题协商会")).to_be_visible()
    session = Consultation.objects.get(title="多议题协商会")
    assert set(session.topics.values_list("title", flat=True)) == {
        f"新议题行{i}" for i in range(1, 5)
    }
    assert list(session.departments.values_list("name", flat=True)) == ["西陵区城管局"]


def test_session_minutes_print_on_a4_without_the_page_around_them(
    live_server, page, office_staff, world
):
    """Issue 16: the session page prints as its minutes — no navigation, buttons or
    attachments; a title and lines to sign that the screen does not show."""
    session = world.session_a
    Consultation.objects.filter(pk=session.pk).update(minutes="居民同意增设停车位。")
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/topics/consultations/{session.pk}/")
    expect(page.get_by_role("button", name="打印纪要")).to_be_visible()
    expect(page.locator(".minutes-print-head")).to_be_hidden()
    page.emulate_media(media="print")
    expect(page.locator(".minutes-print-head")).to_be_visible()
    expect(page.locator(".minutes-sign")).to_be_visible()
    expect(page.get_by_text("居民同意增设停车位。")).to_be_visible()
    expect(page.get_by_role("button", name="打印纪要")).to_be_hidden()
    expect(page.get_by_role("heading", name="附件")).to_be_hidden()
    expect(page.locator("nav").first).to_be_hidden()
    screenshot(page, "session-minutes-print")
