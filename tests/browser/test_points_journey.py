"""Browser journey (issue 5, item 3): staff record a duty from a member's file, see it in the
ranking, and the member sees points and the 五个一 on their home — desktop and 390 px wide."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Duty

from .conftest import fits, login, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_record_a_duty_then_see_points(live_server, page, office_staff, member_user, world):
    today = timezone.localdate()
    login(page, live_server, "staff_a")
    page.goto(f"{live_server.url}/members/{world.member_a.pk}/")
    page.get_by_role("link", name="登记履职").click()
    page.get_by_label("类型").select_option("proposal")
    page.get_by_label("日期").fill(today.isoformat())
    page.get_by_label("标题").fill("关于增设社区食堂的提案")
    page.get_by_label("结果").select_option("adopted_city")  # wrong for a proposal
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("提案只能选择").first).to_be_visible()
    expect(page.get_by_label("标题")).to_have_value("关于增设社区食堂的提案")
    assert fits(page)
    page.get_by_label("结果").select_option("filed")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/members/{world.member_a.pk}/")
    assert Duty.objects.filter(member=world.member_a, outcome="filed").count() == 1

    page.goto(f"{live_server.url}/members/points/ranking/")
    row = page.locator("tbody tr", has_text="李明")
    expect(row).to_be_visible()
    assert fits(page)
    screenshot(page, "points-ranking")
    page.get_by_role("link", name="积分规则").click()
    expect(page.get_by_text("您可以查看")).to_be_visible()  # a district office reads only
    screenshot(page, "points-rules")

    page.context.clear_cookies()
    login(page, live_server, "member_a")
    expect(page.get_by_role("heading", name="今年履职积分")).to_be_visible()
    expect(page.get_by_text("提案立案加分")).to_be_visible()
    assert fits(page)
    screenshot(page, "member-home-points")


def test_city_office_edits_bands_then_ranking_uses_them(live_server, page, world):
    """The top-level office sets this year's bands with the keyboard-usable row inputs: a band
    missing its lowest is refused next to the row with everything kept, then saved; the ranking
    shows the new label and legend."""
    from members.models import PointBand

    from ..factories import make_staff

    make_staff(world.city, "office_city")
    login(page, live_server, "office_city")
    page.goto(f"{live_server.url}/members/points/rules/")
    expect(page.get_by_role("heading", name="考核等次")).to_be_visible()
    expect(page.get_by_label("第1行等次名称")).to_have_value("优秀")
    for row in range(1, 5):  # clear the four default bands
        page.get_by_label(f"第{row}行等次名称").fill("")
        page.get_by_label(f"第{row}行最低分").fill("")
    page.get_by_label("第1行等次名称").fill("达标")
    page.get_by_label("第1行最低分").fill("0")
    page.get_by_label("第5行等次名称").fill("先进")  # no lowest yet
    page.get_by_label("出席协商活动每次分值").fill("3")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("请填写该等次的最低分。")).to_be_visible()
    expect(page.get_by_label("第5行等次名称")).to_have_value("先进")
    expect(page.get_by_label("出席协商活动每次分值")).to_have_value("3")
    assert not PointBand.objects.exists()
    assert fits(page)
    screenshot(page, "points-bands-error")
    page.get_by_label("第5行最低分").fill("300")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("积分规则已保存")).to_be_visible()
    year = timezone.localdate().year
    assert sorted(PointBand.objects.filter(year=year).values_list("lowest", "label")) == [
        (0, "达标"),
        (300, "先进"),
    ]

    page.goto(f"{live_server.url}/members/points/ranking/")
    expect(page.get_by_text("先进 ≥ 300 分,达标 < 300 分")).to_be_visible()
    expect(page.locator("tbody tr", has_text="李明").get_by_text("达标")).to_be_visible()
    assert fits(page)
