"""Public pages (issue 5 item 6): a venue's page where residents raise an issue, and the
tracking page. No login; nothing private may appear in their HTML."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import DutyShift
from topics.lifecycle import TopicStatus
from topics.models import EventKind, Rating, Topic, TopicCategory, TopicEvent, TopicSource

from .factories import (
    AssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    TopicFactory,
    VenueFactory,
)

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def category(db):
    return TopicCategory.objects.order_by("sort_order", "name").first()


def raise_data(category, **extra):
    data = {"text": "小区门口路灯坏了两个月\n晚上出行很不方便", "category": category.pk}
    data.update(extra)
    return data


def tracking_code_in(html: str) -> str:
    return re.search(r'data-testid="tracking-code">(\w+)<', html).group(1)


def submitted(response) -> str:
    """The page a successful submission redirects to (Post/Redirect/Get), as HTML."""
    assert response.status_code == 302, response.status_code
    assert re.fullmatch(r"/v/[\w-]+/done/\?c=[\w-]+:\w+:[\w-]+", response["Location"])
    page = Client().get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def resolved_topic(venue, **fields):
    defaults = {
        "area": venue.area,
        "venue": venue,
        "status": TopicStatus.RESOLVED,
        "resolved_on": TODAY(),
        "resolution_summary": "路灯已由街道维修更换。",
    }
    defaults.update(fields)
    return TopicFactory(**defaults)


# --- Venue page ------------------------------------------------------------------------------


def test_venue_page_shows_venue_members_and_outcomes_without_login(world):
    venue = world.venue_a
    venue.opening_hours = "周一至周五 9:00-17:00"
    venue.save(update_fields=["opening_hours"])
    DutyShiftFactory(member=world.member_a, venue=venue, date=TODAY())
    resolved_topic(venue, resolution_summary="已协调物业加装照明。")
    response = Client().get(f"/v/{venue.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert venue.name in html and "幸福路1号" in html and "周一至周五 9:00-17:00" in html
    assert "今日值班委员" in html and "李明" in html
    assert "已协调物业加装照明。" in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The honeypot is hidden from people and from keyboards and screen readers.
    assert re.search(r'class="hp-field" aria-hidden="true"', html)
    assert 'name="website" id="id_website" tabindex="-1"' in html


def test_venue_code_is_case_insensitive_and_unknown_or_inactive_venue_is_404(world):
    assert Client().get("/v/XL-001/").status_code == 200
    assert Client().get("/v/nope/").status_code == 404
    world.venue_a.is_active = False
    world.venue_a.save(update_fields=["is_active"])
    assert Client().get("/v/xl-001/").status_code == 404
    assert Client().post("/v/xl-001/", {"text": "x"}).status_code == 404


def test_only_the_newest_five_outcomes_with_a_summary_are_shown(world):
    for i in range(7):
        resolved_topic(
            world.venue_a,
            raised_on=TODAY() - datetime.timedelta(days=20),
            resolved_on=TODAY() - datetime.timedelta(days=i),
            resolution_summary=f"结果{i}号",
        )
    resolved_topic(world.venue_a, resolution_summary="")
    TopicFactory(area=world.community_a, venue=world.venue_a, resolution_summary="未办结的结果")
    resolved_topic(world.venue_b, resolution_summary="别处的结果")
    html = Client().get("/v/xl-001/").content.decode()
    assert [f"结果{i}号" in html for i in range(7)] == [True] * 5 + [False] * 2
    assert "未办结的结果" not in html and "别处的结果" not in html


def test_resident_raises_an_issue_into_the_office_queue(world, category):
    response = Client().post(
        "/v/xl-001/",
        raise_data(category, name="赵大爷", phone="138 0013 8000", consent="on"),
    )
    html = submitted(response)
    code = tracking_code_in(html)
    topic = Topic.objects.get(tracking_code=code)
    assert topic.source == TopicSource.RESIDENT
    assert topic.status == TopicStatus.RAISED
    assert topic.area == world.community_a and topic.venue == world.venue_a
    assert topic.title == "小区门口路灯坏了两个月"
    assert topic.description == "小区门口路灯坏了两个月\n晚上出行很不方便"
    assert topic.category == category
    assert (topic.resident_name, topic.resident_phone) == ("赵大爷", "13800138000")
    assert topic.resident_consents_contact is True
    event = TopicEvent.objects.get(topic=topic)
    assert (event.kind, event.to_status, event.actor) == (
        EventKind.RAISED,
        TopicStatus.RAISED,
        None,
    )
    # The success page shows the code and its link, and does not echo the private details.
    assert "提交成功" in html and f"/t/{code}/" in html
    assert "赵大爷" not in html and "13800138000" not in html


def test_long_text_is_shortened_into_the_title(world, category):
    text = "路" * 60
    response = Client().post("/v/xl-001/", raise_data(category, text=text))
    topic = Topic.objects.get(tracking_code=tracking_code_in(submitted(response)))
    assert len(topic.title) == 40 and topic.title.endswith("…")
    assert topic.description == text


def test_filled_honeypot_pretends_success_and_stores_nothing(world, category):
    before = Topic.objects.count()
    response = Client().post("/v/xl-001/", raise_data(category, website="http://spam.example"))
    # The same redirect, to the same kind of page, as a real submission.
    html = submitted(response)
    assert "提交成功" in html
    code = tracking_code_in(html)
    assert Topic.objects.count() == before
    assert Client().get(f"/t/{code}/").status_code == 404


def test_reloading_the_success_page_does_not_raise_the_issue_again(world, category):
    """Post/Redirect/Get: the success page is a GET; reloading it only shows the code again."""
    client = Client()
    response = client.post("/v/xl-001/", raise_data(category))
    before = Topic.objects.count()
    first = client.get(response["Location"])
    again = client.get(response["Location"])
    assert Topic.objects.count() == before
    assert tracking_code_in(first.content.decode()) == tracking_code_in(again.content.decode())
    assert Topic.objects.filter(title="小区门口路灯坏了两个月").count() == 1


def test_success_page_needs_a_code_the_portal_signed(world):
    assert Client().get("/v/xl-001/done/").status_code == 404
    assert Client().get("/v/xl-001/done/?c=ABCD1234").status_code == 404
    assert Client().get("/v/xl-001/done/?c=ABCD1234:forged").status_code == 404


def test_a_success_page_shows_only_at_the_venue_it_was_raised_at(world, category):
    response = Client().post("/v/xl-001/", raise_data(category))
    location = response["Location"]
    assert Client().get(location).status_code == 200
    assert Client().get(location.replace("/v/xl-001/", "/v/wjg-001/")).status_code == 404


@pytest.mark.parametrize(
    ("ip", "key"),
    [
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("203.0.113.7", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", "unknown"),
    ],
)
def test_the_rate_limit_counts_an_ipv6_household_as_one(ip, key):
    from consult_portal.http import rate_limit_key

    assert rate_limit_key(ip) == key


def test_addresses_of_one_ipv6_network_share_the_limit(world, category, settings):
    settings.PUBLIC_RAISE_LIMIT_PER_IP = 2
    codes = []
    for host in range(1, 4):
        response = Client(REMOTE_ADDR=f"2001:db8:7:7::{host}").post(
            "/v/xl-001/", raise_data(category, text=f"小区门口路灯坏了第{host}个月,晚上出行不便")
        )
        codes.append(response.status_code)
    assert codes == [302, 302, 429]


def test_invalid_phone_gives_a_chinese_error_and_keeps_what_was_typed(world, category):
    before = Topic.objects.count()
    response = Client().post("/v/xl-001/", raise_data(category, name="赵大爷", phone="12345"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "请输入有效的手机号" in html
    assert "小区门口路灯坏了两个月" in html and 'value="12345"' in html and 'value="赵大爷"' in html
    assert Topic.objects.count() == before


def test_missing_text_and_category_are_refused_in_chinese(world):
    response = Client().post("/v/xl-001/", {"text": "", "category": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "请填写您要反映的问题。" in html and "请选择问题类别。" in html


def test_consent_without_phone_is_refused(world, category):
    response = Client().post("/v/xl-001/", raise_data(category, consent="on"))
    assert response.status_code == 400
    assert "同意回访时请留下联系电话。" in response.content.decode()


def test_invalid_phone_with_consent_is_only_called_invalid(world, category):
    """The resident did leave a number, a wrong one: say that, not "please leave a number"."""
    response = Client().post("/v/xl-001/", raise_data(category, phone="12345", consent="on"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "请输入有效的手机号" in html
    assert "同意回访时请留下联系电话" not in html
    assert 'value="12345"' in html and "checked" in html


def test_csrf_is_enforced(world, category):
    client = Client(enforce_csrf_checks=True)
    before = Topic.objects.count()
    assert client.post("/v/xl-001/", raise_data(category)).status_code == 403
    assert Topic.objects.count() == before
    # With the token from the page it goes through.
    client.get("/v/xl-001/")
    token = client.cookies["csrftoken"].value
    response = client.post("/v/xl-001/", raise_data(category, csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert Topic.objects.count() == before + 1


def test_rate_limit_per_ip_address(world, category, settings):
    settings.PUBLIC_RAISE_LIMIT_PER_IP = 2
    before = Topic.objects.count()
    for _ in range(2):
        response = Client(REMOTE_ADDR="10.0.0.1").post("/v/xl-001/", raise_data(category))
        assert response.status_code == 302
    response = Client(REMOTE_ADDR="10.0.0.1").post("/v/xl-001/", raise_data(category))
    assert response.status_code == 429
    html = response.content.decode()
    assert "提交过于频繁" in html and "小区门口路灯坏了两个月" in html
    assert Topic.objects.count() == before + 2
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="10.0.0.2").post("/v/xl-001/", raise_data(category)).status_code == 302
    )


def test_rate_limit_message_is_shown_once_above_the_form(world, category, settings):
    settings.PUBLIC_RAISE_LIMIT_PER_IP = 0
    response = Client().post("/v/xl-001/", raise_data(category))
    html = response.content.decode()
    assert response.status_code == 429
    assert html.count("提交过于频繁") == 1
    assert html.index("提交过于频繁") < html.index('name="text"')
    # The venue has no phone number: do not tell residents to call one.
    assert world.venue_a.contact_phone == ""
    assert "电话" not in html.split("提交过于频繁")[1].split("<")[0]
    assert "请直接到阵地反映" in html


def test_venue_phone_is_shown_and_offered_when_the_limit_is_reached(world, category, settings):
    venue = world.venue_a
    venue.contact_phone = "0717-6221234"
    venue.save(update_fields=["contact_phone"])
    html = Client().get("/v/xl-001/").content.decode()
    assert '<a href="tel:0717-6221234">0717-6221234</a>' in html
    settings.PUBLIC_RAISE_LIMIT_PER_IP = 0
    html = Client().post("/v/xl-001/", raise_data(category)).content.decode()
    assert html.count("提交过于频繁") == 1
    assert "拨打阵地电话 0717-6221234" in html


def test_rate_limit_per_phone_across_addresses(world, category, settings):
    settings.PUBLIC_RAISE_LIMIT_PER_PHONE = 1
    first = Client(REMOTE_ADDR="10.0.0.1").post(
        "/v/xl-001/", raise_data(category, phone="13800138000")
    )
    assert first.status_code == 302
    # The same number in another spelling, from another address.
    again = Client(REMOTE_ADDR="10.0.0.9").post(
        "/v/xl-001/", raise_data(category, phone="+86 138-0013-8000")
    )
    assert again.status_code == 429
    assert "提交过于频繁" in again.content.decode()
    assert Topic.objects.filter(resident_phone="13800138000").count() == 1


def test_honeypot_hits_count_against_the_address(world, category, settings):
    settings.PUBLIC_RAISE_LIMIT_PER_IP = 1
    Client(REMOTE_ADDR="10.0.0.3").post("/v/xl-001/", raise_data(category, website="x"))
    response = Client(REMOTE_ADDR="10.0.0.3").post("/v/xl-001/", raise_data(category))
    assert response.status_code == 429


def test_behind_one_proxy_each_resident_has_their_own_limit(world, category, settings):
    """nginx on the same host: every request comes from 127.0.0.1 and the resident's address is
    the last X-Forwarded-For entry (nginx appends it). One resident's limit is not another's."""
    settings.PUBLIC_RAISE_LIMIT_PER_IP = 1
    settings.TRUSTED_PROXIES = 1

    def post(forwarded):
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        return client.post("/v/xl-001/", raise_data(category))

    assert post("203.0.113.7").status_code == 302
    assert post("203.0.113.7").status_code == 429
    assert post("198.51.100.20").status_code == 302
    # A resident who writes their own X-Forwarded-For only adds entries on the left: nginx's
    # entry (the right-most) still names them.
    assert post("198.51.100.99, 203.0.113.7").status_code == 429


def test_forwarded_for_is_ignored_without_trusted_proxies(world, category, settings):
    """With no proxy declared (the default) the header is anyone's to write: never trust it."""
    settings.PUBLIC_RAISE_LIMIT_PER_IP = 1
    settings.TRUSTED_PROXIES = 0
    first = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert first.post("/v/xl-001/", raise_data(category)).status_code == 302
    second = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert second.post("/v/xl-001/", raise_data(category)).status_code == 429


@pytest.mark.parametrize(
    "proxies,remote,forwarded,expected",
    [
        (0, "10.0.0.5", "203.0.113.1", "10.0.0.5"),
        (1, "127.0.0.1", "203.0.113.1", "203.0.113.1"),
        (1, "127.0.0.1", "1.1.1.1, 203.0.113.1", "203.0.113.1"),
        # Two proxies (a load balancer, then nginx): skip the balancer's own entry.
        (2, "127.0.0.1", "9.9.9.9, 203.0.113.1, 10.1.0.2", "203.0.113.1"),
        # Fewer entries than proxies: the left-most one a trusted proxy wrote.
        (2, "127.0.0.1", "203.0.113.1", "203.0.113.1"),
        # No header although a proxy is declared (a request made on the host itself).
        (1, "127.0.0.1", None, "127.0.0.1"),
        (1, "127.0.0.1", "  ", "127.0.0.1"),
        # Not an address where one was expected: fall back to the connection's address.
        (1, "127.0.0.1", "1.1.1.1, not-an-ip", "127.0.0.1"),
        (1, "127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, rf, proxies, remote, forwarded, expected):
    from consult_portal.http import client_ip

    settings.TRUSTED_PROXIES = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(rf.get("/", **extra)) == expected


# --- Tracking page -----------------------------------------------------------------------------


STEPPER = {
    TopicStatus.RAISED: "受理",
    TopicStatus.ACCEPTED: "办理",
    TopicStatus.CONSULTING: "协商",
    TopicStatus.REFERRED: "办理",
    TopicStatus.IN_PROGRESS: "办理",
    TopicStatus.REPLIED: "办结",
    # 办结: the 回访 is what is pending; the resident may rate here.
    TopicStatus.RESOLVED: "回访",
    TopicStatus.FOLLOW_UP: "跟踪问效",
}


@pytest.mark.parametrize("status,current", list(STEPPER.items()))
def test_tracking_page_marks_the_current_step(world, status, current):
    fields = {"status": status}
    if status in (TopicStatus.RESOLVED, TopicStatus.FOLLOW_UP):
        fields["resolved_on"] = TODAY()
    topic = TopicFactory(area=world.community_a, venue=world.venue_a, **fields)
    response = Client().get(f"/t/{topic.tracking_code.lower()}/")
    html = response.content.decode()
    assert response.status_code == 200
    step = re.search(r'aria-current="step">\s*<span[^>]*>[^<]*</span>\s*<span>([^<]+)</span>', html)
    assert step.group(1) == current
    assert ("评价办理结果" in html) == (status == TopicStatus.RESOLVED)


def test_once_rated_every_step_is_done_and_the_last_shows_the_rating(world):
    topic = resolved_topic(
        world.venue_a, status=TopicStatus.RATED, rating=Rating.BASICALLY, rated_on=TODAY()
    )
    html = Client().get(f"/t/{topic.tracking_code}/").content.decode()
    assert 'aria-current="step"' not in html
    steps = re.findall(r'<li class="stepper-step([^"]*)"', html)
    assert steps and steps == [" is-done"] * len(steps)
    last = html.split('<li class="stepper-step')[-1].split("</li>")[0]
    assert "回访" in last and "基本满意" in last and TODAY().isoformat() in last
    assert "评价办理结果" not in html


def test_each_step_shows_its_date_and_the_consultation_step_when_there_was_one(world, office_staff):
    from topics.services import topic_transition
    from topics.services.practice import topic_accept, topic_consult

    topic = TopicFactory(area=world.community_a, venue=world.venue_a, raised_on=TODAY() - 5 * DAY)
    topic_accept(actor=office_staff, topic=topic)
    topic_consult(actor=office_staff, topic=topic, session=world.session_a)
    topic_transition(topic=topic, actor=office_staff, to=TopicStatus.AGREED)
    html = Client().get(f"/t/{topic.tracking_code}/").content.decode()
    labels = re.findall(
        r'<span>(?:<span class="visually-hidden">已完成:</span>)?([^<]+)</span>', html
    )
    assert labels[:4] == ["提交", "受理", "协商", "办结"]
    assert (TODAY() - 5 * DAY).isoformat() in html and TODAY().isoformat() in html


def test_declined_topic_is_shown_plainly(world):
    topic = TopicFactory(area=world.community_a, status=TopicStatus.DECLINED)
    html = Client().get(f"/t/{topic.tracking_code}/").content.decode()
    assert "不予受理" in html and 'aria-current="step"' not in html


def test_unknown_tracking_code_is_404_with_a_public_page_that_says_so(world):
    response = Client().get("/t/zzzzzzzz/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "没有找到查询码为 zzzzzzzz 的问题" in html
    # The resident's typing is kept in the box, ready to correct; no staff navigation.
    assert 'value="zzzzzzzz"' in html and "工作台" not in html
    assert Client().post("/t/ZZZZZZZZ/", {"rating": "satisfied"}).status_code == 404


def test_guessing_tracking_codes_is_throttled_per_address(world, settings):
    settings.PUBLIC_TRACK_MISSES_PER_IP = 3
    topic = TopicFactory(area=world.community_a, venue=world.venue_a)
    guesser = Client(REMOTE_ADDR="10.9.9.9")
    codes = [guesser.get(f"/t/ZZZZZZZ{i}/").status_code for i in range(3)]
    assert codes == [404, 404, 404]
    # Past the misses allowed, even a real code waits: the address is guessing.
    response = guesser.get(f"/t/{topic.tracking_code}/")
    assert response.status_code == 429 and "查询次数过多" in response.content.decode()
    # Residents at other addresses, and hits, are not held up.
    assert Client(REMOTE_ADDR="10.9.9.8").get(f"/t/{topic.tracking_code}/").status_code == 200


def test_rating_posts_are_throttled_per_address(world, settings):
    settings.PUBLIC_RATE_LIMIT_PER_IP = 2
    topic = TopicFactory(area=world.community_a, venue=world.venue_a, status="in_progress")
    client = Client(REMOTE_ADDR="10.9.9.7")
    codes = [
        client.post(f"/t/{topic.tracking_code}/", {"rating": "great"}).status_code for _ in range(3)
    ]
    assert codes == [400, 400, 429]


def test_twenty_raises_at_once_let_exactly_the_limit_through(db):
    """The count is taken in one atomic step (no check-then-count window): 20 threads racing
    against a limit of 5 get exactly 5 yeses."""
    import threading

    from consult_portal import ratelimit

    cache.delete("race")
    barrier = threading.Barrier(20)
    answers = []

    def one():
        barrier.wait()
        answers.append(ratelimit.take("race", limit=5, seconds=60))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 15 + [True] * 5


def test_resident_rates_a_resolved_topic_once(world):
    topic = resolved_topic(world.venue_a)
    client = Client()
    response = client.post(f"/t/{topic.tracking_code.lower()}/", {"rating": Rating.BASICALLY})
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RATED
    assert topic.rating == Rating.BASICALLY and topic.rated_on == TODAY()
    event = TopicEvent.objects.get(topic=topic, kind=EventKind.RATING)
    assert event.actor is None and event.to_status == TopicStatus.RATED
    html = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in html and "您的评价:<strong>基本满意</strong>" in html
    assert "提交评价" not in html
    # A second rating is refused and changes nothing.
    again = client.post(f"/t/{topic.tracking_code}/", {"rating": Rating.UNSATISFIED})
    assert again.status_code == 400
    assert again.content.decode().count("该问题已评价") == 1
    topic.refresh_from_db()
    assert topic.rating == Rating.BASICALLY
    assert TopicEvent.objects.filter(topic=topic, kind=EventKind.RATING).count() == 1


def test_rating_before_resolution_is_refused(world):
    topic = TopicFactory(area=world.community_a, status=TopicStatus.IN_PROGRESS)
    response = Client().post(f"/t/{topic.tracking_code}/", {"rating": Rating.SATISFIED})
    assert response.status_code == 400
    assert "办结后才能评价" in response.content.decode()
    topic.refresh_from_db()
    assert topic.status == TopicStatus.IN_PROGRESS and topic.rating == ""


def test_rating_needs_a_valid_choice(world):
    topic = resolved_topic(world.venue_a)
    response = Client().post(f"/t/{topic.tracking_code}/", {"rating": "great"})
    assert response.status_code == 400
    assert "请选择满意、基本满意或不满意。" in response.content.decode()
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RESOLVED


def test_rating_post_needs_csrf(world):
    topic = resolved_topic(world.venue_a)
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/t/{topic.tracking_code}/", {"rating": "satisfied"}).status_code == 403
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RESOLVED


# --- Leaks ------------------------------------------------------------------------------------


def test_no_private_detail_appears_on_any_public_page(world, category, office_staff):
    """Members with phones, topics with internal notes and residents' details, staff who acted:
    render every public page and look for each private string in the HTML."""
    venue = world.venue_a
    secrets = {world.member_a.phone, world.member_b.phone, "内部:楼栋长意见分歧较大"}
    member = MemberFactory(name="陈静", area=world.district_a, phone="13566667777")
    AssignmentFactory(member=member, venue=venue)
    DutyShiftFactory(member=member, venue=venue, date=TODAY())
    secrets.add(member.phone)
    office_staff.first_name, office_staff.last_name = "工作人员", "周密"
    office_staff.save(update_fields=["first_name", "last_name"])
    secrets |= {"staff_a", "周密"}
    topics = []
    for i, status in enumerate(
        [TopicStatus.RAISED, TopicStatus.IN_PROGRESS, TopicStatus.RESOLVED, TopicStatus.DECLINED]
    ):
        fields = {"resolved_on": TODAY()} if status == TopicStatus.RESOLVED else {}
        topic = TopicFactory(
            area=world.community_a,
            venue=venue,
            status=status,
            resident_name=f"居民秘名{i}",
            resident_phone=f"1370000{i:04d}",
            internal_notes=f"内部备注秘密{i}",
            resolution_summary="已办结,公开说明。",
            **fields,
        )
        TopicEvent.objects.create(
            topic=topic, actor=office_staff, kind=EventKind.COMMENT, note=f"内部评论秘密{i}"
        )
        topics.append(topic)
        secrets |= {f"居民秘名{i}", f"1370000{i:04d}", f"内部备注秘密{i}", f"内部评论秘密{i}"}
    venue.contact_phone = ""  # the venue's own public phone is not a secret; keep it out of the way
    venue.save(update_fields=["contact_phone"])

    client = Client()
    pages = {"venue": client.get(f"/v/{venue.code}/").content.decode()}
    for topic in [world.topic_a, *topics]:
        pages[f"track {topic.tracking_code}"] = client.get(
            f"/t/{topic.tracking_code}/"
        ).content.decode()
    done = client.post(
        f"/v/{venue.code}/", raise_data(category, name="居民秘名新", phone="13712345678")
    )
    secrets |= {"居民秘名新", "13712345678"}
    pages["success"] = submitted(done)
    code = tracking_code_in(pages["success"])
    pages["new track"] = client.get(f"/t/{code}/").content.decode()
    pages["invalid"] = client.post(f"/v/{venue.code}/", {"text": ""}).content.decode()

    assert "陈静" in pages["venue"]  # member names are public
    leaks = [(name, secret) for name, html in pages.items() for secret in secrets if secret in html]
    assert leaks == []


# --- Queries ----------------------------------------------------------------------------------


def _venue_page_queries(venue) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/v/{venue.code}/").status_code == 200
    return len(ctx.captured_queries)


def _populate(venue, n: int):
    for i in range(n):
        member = MemberFactory(area=venue.area)
        AssignmentFactory(member=member, venue=venue)
        DutyShiftFactory(member=member, venue=venue, date=TODAY(), slot="am")
        resolved_topic(venue, resolution_summary=f"成果{i}")


def test_venue_page_query_count_does_not_grow_with_rows(world):
    small = VenueFactory(area=world.community_a)
    large = VenueFactory(area=world.community_a)
    _populate(small, 2)
    _populate(large, 20)
    assert DutyShift.objects.filter(venue=large).count() == 20
    assert _venue_page_queries(small) == _venue_page_queries(large)


def test_tracking_page_query_count_is_small(world, django_assert_max_num_queries):
    topic = resolved_topic(world.venue_a)
    # The topic, its public events, the dates of its steps (issue 14) and its approved photos
    # (issue 16).
    with django_assert_max_num_queries(4):
        assert Client().get(f"/t/{topic.tracking_code}/").status_code == 200


# --- Concurrency ------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ratings_at_once_only_one_is_kept(world):
    """The same resident taps 提交评价 twice (or two family members rate together): one wins."""
    import threading

    from django.db import connections

    from topics.services.public import topic_rate_by_resident
    from topics.services.transitions import TransitionError

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this test there")
    topic_id = resolved_topic(world.venue_a).pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def rate(rating: str) -> None:
        try:
            topic = Topic.objects.get(pk=topic_id)
            barrier.wait(timeout=10)
            topic_rate_by_resident(topic=topic, rating=rating)
            outcomes.append("ok")
        except TransitionError as error:
            assert "该问题已评价" in " ".join(error.messages)
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=rate, args=(r,)) for r in (Rating.SATISFIED, Rating.UNSATISFIED)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    assert TopicEvent.objects.filter(topic_id=topic_id, kind=EventKind.RATING).count() == 1
    assert Topic.objects.get(pk=topic_id).status == TopicStatus.RATED


def test_lookup_form_goes_to_the_tracking_page(world):
    code = world.topic_a.tracking_code
    response = Client().get("/t/", {"code": f" {code.lower()} "})
    assert response.status_code == 302 and response["Location"] == f"/t/{code}/"
    assert Client().get(response["Location"]).status_code == 200
    empty = Client().get("/t/", {"code": "  "})
    assert empty.status_code == 400 and "请输入查询码。" in empty.content.decode()
    assert 'action="/t/"' in Client().get("/v/xl-001/").content.decode()


# --- Deployment ---------------------------------------------------------------------------------


def test_deploy_check_warns_when_the_rate_limit_cache_is_per_process(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from consult_portal.checks import check_shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in check_shared_cache()] == ["consult_portal.W001"]
    # It is a deployment check: `check --deploy` reports it, a plain `check` does not.
    with pytest.raises(SystemCheckError, match=r"consult_portal\.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", tags=["caches"])
    call_command("check", "--fail-level", "WARNING", tags=["caches"])
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert check_shared_cache() == []
