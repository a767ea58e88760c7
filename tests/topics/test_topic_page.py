"""The topic page: timeline, status, actions per role; every action POST by role; bad input kept;
merged topics redirect; the page's query count does not grow with events and referrals."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from topics.lifecycle import TopicStatus
from topics.models import EventKind, Referral, Topic, TopicEvent
from topics.services.topic_actions import topic_comment

from ..conftest import client_for
from ..factories import DepartmentFactory, ReferralFactory, TopicFactory, make_staff

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def set_status(topic, status, **fields):
    Topic.objects.filter(pk=topic.pk).update(status=status, **fields)
    topic.refresh_from_db()
    return topic


def page(client, topic):
    response = client.get(reverse("topics:detail", args=[topic.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- what the page shows ---------------------------------------------------------------------


def test_due_date_is_the_unanswered_referrals_deadline(world, office_staff):
    """办理期限 after 交办: the referral's deadline (the topic's own stays empty), the same
    date the list and the export show; "—" when there is no deadline of any kind."""
    client = client_for(office_staff)
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    assert '<dd class="col-8 col-sm-9" id="topic-due">—</dd>' in page(client, topic)

    topic = set_status(topic, TopicStatus.REFERRED)
    due = TODAY() + 7 * DAY
    ReferralFactory(topic=topic, department=world.department_a, deadline=due)
    assert topic.deadline is None
    html = page(client, topic)
    assert f'<dd class="col-8 col-sm-9" id="topic-due">{due.isoformat()}</dd>' in html


def test_timeline_shows_kind_actor_shanghai_time_and_move(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.IN_PROGRESS)
    at = datetime.datetime(2026, 3, 1, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Shanghai
    TopicEvent.objects.create(
        topic=topic,
        kind=EventKind.REPLY,
        actor=office_staff,
        at=at,
        from_status=TopicStatus.REFERRED,
        to_status=TopicStatus.IN_PROGRESS,
        note="住建局答复:已列入计划",
    )
    html = page(client_for(office_staff), topic)
    assert "2026-03-01 09:30" in html
    assert "staff_a" in html and "单位答复" in html
    assert "已交办 → <strong>办理中</strong>" in html
    assert "住建局答复:已列入计划" in html


def test_referrals_show_overdue_and_replies(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.REFERRED, raised_on=TODAY() - 30 * DAY)
    late = DepartmentFactory(name="西陵区水务局", area=world.district_a)
    ReferralFactory(
        topic=topic,
        department=late,
        referred_on=TODAY() - 20 * DAY,
        deadline=TODAY() - DAY,
    )
    ReferralFactory(
        topic=topic,
        department=world.department_a,
        role="assist",
        referred_on=TODAY() - 20 * DAY,
        deadline=TODAY() - DAY,
        replied_on=TODAY() - 2 * DAY,
        reply="已派人查看",
    )
    html = page(client_for(office_staff), topic)
    assert html.count("逾期未答复") == 1
    assert 'id="topic-overdue"' in html
    assert "已派人查看" in html and "已答复" in html
    # A reply form for the unanswered referral only.
    assert reverse("topics:reply", args=[topic.pk, Referral.objects.get(department=late).pk]) in (
        html
    )
    answered = Referral.objects.get(department=world.department_a)
    assert reverse("topics:reply", args=[topic.pk, answered.pk]) not in html


@pytest.mark.parametrize(
    ("status", "present", "absent"),
    [
        (TopicStatus.RAISED, ["受理", "不予受理", "topics:merge"], ["topics:refer"]),
        (
            TopicStatus.ACCEPTED,
            ["topics:refer", "topics:resolve", "列入协商", "提级", "转提案", "转社情民意"],
            ["topics:rate"],
        ),
        (TopicStatus.IN_PROGRESS, [], ["topics:resolve", "未解决", "topics:rate"]),
        (
            TopicStatus.REPLIED,
            ["topics:resolve", "继续办理", "退回重办", "未解决"],
            ["topics:rate"],
        ),
        (
            TopicStatus.RESOLVED,
            ["topics:rate", "topics:follow_up"],
            ["topics:merge", "topics:resolve"],
        ),
        (TopicStatus.RATED, ["topics:follow_up"], ["topics:reopen", "topics:refer"]),
        (TopicStatus.FOLLOW_UP, ["确认落实", "topics:follow_up"], ["topics:merge"]),
        (TopicStatus.IMPLEMENTED, [], ["确认落实", "topics:merge", "topics:resolve"]),
    ],
)
def test_staff_see_the_next_allowed_actions(world, office_staff, status, present, absent):
    topic = set_status(world.topic_a, status)
    html = page(client_for(office_staff), topic)

    def shown(item):
        if item.startswith("topics:"):
            return reverse(item, args=[topic.pk]) in html
        return f">{item}</button>" in html

    for item in present:
        assert shown(item), item
    for item in absent:
        assert not shown(item), item
    assert reverse("topics:comment", args=[topic.pk]) in html


@pytest.mark.parametrize("who", ["leader", "district_leader", "member_user", "other_staff"])
def test_others_see_the_page_read_only(world, request, who):
    topic = world.topic_a if who != "other_staff" else world.topic_b
    user = request.getfixturevalue(who)
    set_status(topic, TopicStatus.REPLIED)
    html = page(client_for(user), topic)
    if who == "other_staff":
        # Staff of district B act on their own topics.
        assert reverse("topics:resolve", args=[topic.pk]) in html
        return
    assert '<form method="post" action="/topics/' not in html
    assert "办理进程" in html


def test_members_never_see_internal_notes(world, office_staff, member_user):
    topic = set_status(world.topic_a, TopicStatus.RESOLVED, resolution_summary="已加装")
    assert "楼栋长意见分歧较大" in page(client_for(office_staff), topic)
    html = page(client_for(member_user), topic)
    assert "楼栋长意见分歧较大" not in html and "内部备注" not in html
    assert "已加装" in html


# --- actions through the page ----------------------------------------------------------------


def post(client, name, topic, data, *extra):
    return client.post(reverse(name, args=[topic.pk, *extra]), data)


def test_the_whole_path_through_the_page(world, office_staff):
    client = client_for(office_staff)
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED, raised_on=TODAY() - 5 * DAY)
    helper = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    deadline = (TODAY() + 10 * DAY).isoformat()

    response = post(
        client,
        "topics:refer",
        topic,
        {
            "from": "accepted",
            "lead": world.department_a.pk,
            "assisting": [helper.pk],
            "deadline": deadline,
        },
    )
    assert response.status_code == 302
    lead = Referral.objects.get(topic=topic, role="lead")
    response = post(
        client,
        "topics:reply",
        topic,
        {
            f"reply-{lead.pk}-reply": "已立项",
            f"reply-{lead.pk}-reply_class": "A",
            f"reply-{lead.pk}-replied_on": TODAY().isoformat(),
        },
        lead.pk,
    )
    assert response.status_code == 302
    response = post(
        client,
        "topics:resolve",
        topic,
        {
            "from": "replied",
            "summary": "已完成",
            "internal_note": "经费来自街道",
            "resolved_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 302
    response = post(
        client,
        "topics:rate",
        topic,
        {"from": "resolved", "rating": "satisfied", "rated_on": TODAY().isoformat()},
    )
    assert response.status_code == 302
    response = post(client, "topics:comment", topic, {"note": "回访完毕"})
    assert response.status_code == 302

    topic.refresh_from_db()
    assert (topic.status, topic.rating, topic.resolution_summary) == (
        TopicStatus.RATED,
        "satisfied",
        "已完成",
    )
    kinds = list(topic.events.order_by("pk").values_list("kind", flat=True))
    # 交办, 签收 and 答复 (the lead's reply), 办结, 回访, 备注.
    assert kinds == ["referral", "sign", "reply", "transition", "rating", "comment"]
    html = page(client, topic)
    assert "满意(" in html and "回访完毕" in html


def test_bad_input_rerenders_with_errors_next_to_fields_and_text_kept(world, office_staff):
    client = client_for(office_staff)
    topic = set_status(world.topic_a, TopicStatus.REPLIED)
    response = post(
        client,
        "topics:resolve",
        topic,
        {
            "from": "replied",
            "summary": "已协调物业完成整改,居民表示认可",
            "internal_note": "内部:费用分摊仍有争议",
            "resolved_on": (TODAY() + 3 * DAY).isoformat(),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "已协调物业完成整改,居民表示认可" in html
    assert "内部:费用分摊仍有争议" in html
    assert "日期不能晚于今天" in html
    assert 'id="error_1_id_resolved_on"' in html or "is-invalid" in html
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REPLIED
    assert not TopicEvent.objects.filter(topic=topic).exists()


def test_impossible_date_and_overlong_text_are_refused(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    response = post(
        client_for(office_staff),
        "topics:refer",
        topic,
        {
            "from": "accepted",
            "lead": world.department_a.pk,
            "deadline": "2026-02-30",
            "note": "长" * 1001,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "输入一个有效的日期" in html
    assert "2026-02-30" in html
    assert not Referral.objects.exists()


def test_a_department_of_another_district_is_not_offered_or_accepted(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.ACCEPTED)
    foreign = DepartmentFactory(name="伍家岗区住建局", area=world.district_b)
    client = client_for(office_staff)
    assert "伍家岗区住建局" not in page(client, topic)
    response = post(client, "topics:refer", topic, {"from": "accepted", "lead": foreign.pk})
    assert response.status_code == 400
    assert "只能交办本区划及上级区划在用的承办单位" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_refused_move_says_why(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.RESOLVED, resolved_on=TODAY())
    # The page was opened while the topic was still 已答复.
    response = post(
        client_for(office_staff),
        "topics:resolve",
        topic,
        {"from": "replied", "summary": "已解决", "resolved_on": TODAY().isoformat()},
    )
    assert response.status_code == 400
    assert "议题状态已被他人更新为“已办结”" in response.content.decode()


def test_a_reply_after_the_topic_was_resolved_says_why(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.RESOLVED, resolved_on=TODAY())
    referral = ReferralFactory(topic=topic, department=world.department_a)
    prefix = f"reply-{referral.pk}"
    response = post(
        client_for(office_staff),
        "topics:reply",
        topic,
        {
            f"{prefix}-reply": "迟到的答复",
            f"{prefix}-reply_class": "A",
            f"{prefix}-replied_on": TODAY().isoformat(),
        },
        referral.pk,
    )
    assert response.status_code == 400
    assert "议题当前为“已办结”,不能记录单位答复" in response.content.decode()
    referral.refresh_from_db()
    assert referral.replied_on is None


@pytest.mark.parametrize(
    ("name", "status", "data", "message"),
    [
        (
            "refer",
            TopicStatus.ACCEPTED,
            {"lead": "abc", "deadline": "明天"},
            "只能交办本区划及上级区划在用的承办单位",
        ),
        ("rate", TopicStatus.RESOLVED, {"rating": "great", "rated_on": "2026-13-01"}, "有效"),
        ("merge", TopicStatus.RAISED, {"survivor": "不存在"}, "找不到该议题"),
        ("comment", TopicStatus.RAISED, {"note": "   "}, "这个字段是必填项"),
    ],
)
def test_wrong_types_are_refused_with_a_message(world, office_staff, name, status, data, message):
    topic = set_status(world.topic_a, status, resolved_on=TODAY() if name == "rate" else None)
    response = post(client_for(office_staff), f"topics:{name}", topic, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    topic.refresh_from_db()
    assert topic.status == status
    assert not TopicEvent.objects.filter(topic=topic).exists()


def test_transition_view_sends_form_moves_to_their_forms(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.REPLIED)
    response = client_for(office_staff).post(
        reverse("topics:transition", args=[topic.pk]),
        {"to": "resolved", "from": "replied"},
        follow=True,
    )
    assert "“办结”需要填写表单" in response.content.decode()
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REPLIED
    assert not TopicEvent.objects.filter(topic=topic).exists()


def test_two_moves_to_one_state_stay_distinct_and_negative_ones_ask_first(world, office_staff):
    """继续办理 (B, with a planned date) and 退回重办 (negative, with a confirmation) are forms of
    their own (services.referrals); the plain transition refuses them."""
    topic = set_status(world.topic_a, TopicStatus.IN_PROGRESS)
    lead = ReferralFactory(topic=topic, department=world.department_a, signed_on=TODAY())
    from topics.services.referrals import referral_reply

    referral_reply(actor=office_staff, referral=lead, reply_class="B", reply="列入计划")
    client = client_for(office_staff)
    html = page(client, topic)
    assert reverse("topics:review_continue", args=[topic.pk]) in html
    redo_url = reverse("topics:review_redo", args=[topic.pk])
    redo = html[html.index(redo_url) : html.index(redo_url) + 200]
    assert 'data-confirm="确定要“退回重办”吗' in redo
    response = client.post(
        reverse("topics:transition", args=[topic.pk]),
        {"to": "in_progress", "move": "redo", "from": "replied", "note": "答复未回应诉求"},
    )
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REPLIED
    response = client.post(redo_url, {"from": "replied", "reason": "答复未回应诉求"})
    assert response.status_code == 302
    event = TopicEvent.objects.filter(topic=topic).latest("pk")
    assert (event.from_status, event.to_status) == ("replied", "in_progress")
    assert "答复未回应诉求" in event.note


def test_merge_redirects_the_duplicate_to_the_survivor(world, office_staff):
    client = client_for(office_staff)
    survivor = TopicFactory(title="加装电梯(合并后)", area=world.community_a)
    response = post(
        client,
        "topics:merge",
        world.topic_a,
        {"from": "raised", "survivor": survivor.tracking_code.lower(), "note": "重复"},
    )
    assert response.status_code == 302
    assert response.url == reverse("topics:detail", args=[survivor.pk])

    response = client.get(reverse("topics:detail", args=[world.topic_a.pk]), follow=True)
    assert response.redirect_chain == [(reverse("topics:detail", args=[survivor.pk]), 302)]
    html = response.content.decode()
    assert "已合并至本议题" in html and "加装电梯(合并后)" in html
    assert "已合并的重复议题" in html and world.topic_a.tracking_code in html


def test_merge_into_an_unknown_or_foreign_topic_is_an_error(world, office_staff):
    response = post(
        client_for(office_staff),
        "topics:merge",
        world.topic_a,
        {"from": "raised", "survivor": str(world.topic_b.pk)},
    )
    assert response.status_code == 400
    assert "在您的辖区内找不到该议题" in response.content.decode()
    world.topic_a.refresh_from_db()
    assert world.topic_a.status == TopicStatus.RAISED


# --- POST permission matrix ------------------------------------------------------------------

ACTIONS = ["refer", "assist", "reply", "resolve", "rate", "merge", "comment"]


def action_request(world, name, topic):
    """A valid POST for ``name`` on ``topic``, its topic set to the state the action needs."""
    today = TODAY().isoformat()
    if name == "refer":
        set_status(topic, TopicStatus.ACCEPTED)
        dept = (
            world.department_a
            if topic == world.topic_a
            else DepartmentFactory(area=world.district_b)
        )
        return reverse("topics:refer", args=[topic.pk]), {"lead": dept.pk, "deadline": today}
    if name == "assist":
        set_status(topic, TopicStatus.REFERRED)
        area = world.district_a if topic == world.topic_a else world.district_b
        dept = DepartmentFactory(area=area)
        return reverse("topics:assist", args=[topic.pk]), {
            "departments": [dept.pk],
            "deadline": today,
        }
    if name == "reply":
        set_status(topic, TopicStatus.REFERRED)
        referral = ReferralFactory(topic=topic, department=DepartmentFactory(area=topic.area))
        prefix = f"reply-{referral.pk}"
        return reverse("topics:reply", args=[topic.pk, referral.pk]), {
            f"{prefix}-reply": "答复",
            f"{prefix}-reply_class": "A",
            f"{prefix}-replied_on": today,
        }
    if name == "resolve":
        set_status(topic, TopicStatus.REPLIED)
        return reverse("topics:resolve", args=[topic.pk]), {"summary": "好", "resolved_on": today}
    if name == "rate":
        set_status(topic, TopicStatus.RESOLVED, resolved_on=TODAY())
        return reverse("topics:rate", args=[topic.pk]), {"rating": "satisfied", "rated_on": today}
    if name == "merge":
        survivor = TopicFactory(area=topic.area)
        return reverse("topics:merge", args=[topic.pk]), {"survivor": survivor.pk}
    return reverse("topics:comment", args=[topic.pk]), {"note": "备注"}


EXPECTED = {
    "anonymous": "login",
    "leader": 403,
    "district_leader": 403,
    "member_user": 403,
    "other_staff": 404,
    "office_staff": 302,
    "admin_user": 302,
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("name", ACTIONS)
def test_action_post_permissions(request, world, role, name):
    client = (
        client_for(request.getfixturevalue(role))
        if role != "anonymous"
        else request.getfixturevalue("resident")
    )
    url, data = action_request(world, name, world.topic_a)
    before = world.topic_a.status
    events_before = TopicEvent.objects.count()

    response = client.post(url, data)

    want = EXPECTED[role]
    world.topic_a.refresh_from_db()
    if want == "login":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    else:
        assert response.status_code == want, f"{role} {name}"
    if want == 302:
        assert TopicEvent.objects.count() > events_before
    else:
        assert TopicEvent.objects.count() == events_before
        assert world.topic_a.status == before


@pytest.mark.parametrize("name", ACTIONS)
def test_actions_refuse_get(world, office_staff, name):
    args = [world.topic_a.pk] + ([1] if name == "reply" else [])
    response = client_for(office_staff).get(reverse(f"topics:{name}", args=args))
    assert response.status_code == 405


def test_staff_of_a_subdistrict_cannot_reach_a_sibling_topic(world):
    sibling = make_staff(world.subdistrict_a, "street_staff")
    topic = TopicFactory(area=world.district_a)  # above the subdistrict: out of its scope
    response = client_for(sibling).post(
        reverse("topics:comment", args=[topic.pk]), {"note": "越权"}
    )
    assert response.status_code == 404


# --- create ----------------------------------------------------------------------------------


def test_staff_create_a_topic(world, office_staff):
    client = client_for(office_staff)
    assert client.get(reverse("topics:create")).status_code == 200
    response = client.post(
        reverse("topics:create"),
        {
            "title": "学院街道路灯不亮",
            "description": "夜间出行不便",
            "source": "resident",
            "category": world.topic_a.category.pk,
            "priority": 2,
            "area": world.community_a.pk,
            "venue": world.venue_a.pk,
            "resident_name": "刘先生",
            "resident_phone": "13800001111",
            "raised_on": TODAY().isoformat(),
        },
    )
    topic = Topic.objects.get(title="学院街道路灯不亮")
    assert response.status_code == 302 and response.url == reverse("topics:detail", args=[topic.pk])
    assert topic.status == TopicStatus.RAISED
    assert topic.events.get().kind == EventKind.RAISED


def test_create_with_bad_input_keeps_text(world, office_staff):
    response = client_for(office_staff).post(
        reverse("topics:create"),
        {
            "title": "标" * 201,
            "description": "要保留的描述",
            "source": "resident",
            "category": world.topic_a.category.pk,
            "priority": 1,
            "area": world.community_b.pk,  # another district
            "raised_on": (TODAY() + DAY).isoformat(),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "要保留的描述" in html
    assert "提出日期不能晚于今天" in html
    assert "选择一个有效的选项" in html
    assert not Topic.objects.filter(description="要保留的描述").exists()


# --- query count -----------------------------------------------------------------------------


def count(client, topic) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("topics:detail", args=[topic.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(world, topic, staff, n):
    for _ in range(n):
        department = DepartmentFactory(area=world.district_a)
        ReferralFactory(
            topic=topic,
            department=department,
            role="assist" if topic.referrals.exists() else "lead",
            deadline=TODAY() + DAY,
        )
        topic_comment(actor=staff, topic=topic, note="跟进")
        world.session_a.topics.add(TopicFactory(area=world.community_a))


@pytest.mark.parametrize("status", [TopicStatus.REFERRED, TopicStatus.ACCEPTED])
@pytest.mark.parametrize("who", ["office_staff", "member_user"])
def test_detail_query_count_does_not_grow(request, world, status, who):
    staff = request.getfixturevalue("office_staff")
    client = client_for(request.getfixturevalue(who))
    topic = set_status(world.topic_a, status)
    grow(world, topic, staff, 2)
    small = count(client, topic)
    grow(world, topic, staff, 18)
    large = count(client, topic)
    assert small == large, f"{small} queries with 2 rows, {large} with 20"
    # Issue 14 and 16 added a query each for visits, follow-ups, extensions, agendas, similar
    # topics, photos and outcomes (tests/test_query_counts.py says which).
    assert large <= 21, large


def test_add_assisting_department_from_the_page_keeps_input_on_error(world, office_staff):
    topic = set_status(world.topic_a, TopicStatus.REFERRED)
    helper = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    client = client_for(office_staff)
    assert "追加协办单位" in client.get(reverse("topics:detail", args=[topic.pk])).content.decode()

    url = reverse("topics:assist", args=[topic.pk])
    bad = client.post(url, {"departments": [helper.pk], "deadline": "2026-02-30", "note": "请配合"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "请配合" in html and not topic.referrals.exists()

    ok = client.post(
        url, {"departments": [helper.pk], "deadline": TODAY().isoformat(), "from": "referred"}
    )
    assert ok.status_code == 302
    assert list(topic.referrals.values_list("department__name", "role")) == [
        ("西陵区城管局", "assist")
    ]
