"""Browser journey on the topic page: accept, refer to two departments, record the reply, resolve,
record the residents' rating — on a desktop and on a 390 px phone."""

import pytest
from playwright.sync_api import expect

from tests.factories import DepartmentFactory
from topics.lifecycle import TopicStatus
from topics.models import Topic

from .conftest import fits, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_follow_a_topic_to_its_rating(live_server, page, office_staff, world):
    DepartmentFactory(name="西陵区城管局", area=world.district_a)
    topic = world.topic_a
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff_a")
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/topics/{topic.pk}/")
    page.locator("#accept").get_by_role("button", name="受理", exact=True).click()
    page.get_by_text("已受理。").wait_for()

    page.get_by_label("主办单位").select_option(label="西陵区住建局(西陵区)")
    page.get_by_label("西陵区城管局").check()
    page.locator("#refer").get_by_role("button", name="交办").click()
    page.get_by_text("已交办承办单位").wait_for()
    expect(page.get_by_text("待答复").first).to_be_visible()
    assert fits(page)
    screenshot(page, "topic-referred")

    page.get_by_text("记录西陵区住建局的答复").click()
    page.get_by_label("A类 已解决").first.check()
    page.get_by_label("答复内容").first.fill("已列入今年老旧小区改造计划")
    page.get_by_role("button", name="保存答复").first.click()
    page.get_by_text("已记录单位答复").wait_for()

    # A mistake first: a resolution date in the future is refused and the text is kept.
    page.get_by_label("办理结果(公开,群众可见)").fill("电梯已完成加装并投入使用")
    page.get_by_label("内部备注(不公开)").fill("资金由街道垫付")
    page.get_by_label("办结日期").fill("2099-01-01")
    page.locator("#resolve").get_by_role("button", name="办结").click()
    page.get_by_text("日期不能晚于今天").wait_for()
    expect(page.get_by_label("办理结果(公开,群众可见)")).to_have_value("电梯已完成加装并投入使用")
    page.get_by_label("办结日期").fill(topic.raised_on.isoformat())
    page.locator("#resolve").get_by_role("button", name="办结").click()
    page.get_by_text("议题已办结").wait_for()

    page.get_by_label("基本满意").check()
    page.get_by_role("button", name="保存回访").click()
    page.get_by_text("已记录群众评价").wait_for()
    assert fits(page)
    path = screenshot(page, "topic-rated")
    assert path.stat().st_size > 10_000

    topic = Topic.objects.get(pk=topic.pk)
    assert (topic.status, topic.rating) == (TopicStatus.RATED, "basically")
    # 受理, 交办, 签收 and 答复 (with the lead's reply), 办结, 回访.
    assert topic.events.count() == 6
