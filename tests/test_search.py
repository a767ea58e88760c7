"""The header search box (issue 16, item 1): scope, pinyin, tracking codes, bad input, queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consult_portal.pinyin import person_pinyin, pinyin_query, search_pinyin
from members.models import Member
from topics.lifecycle import TopicStatus

from .conftest import client_for
from .factories import (
    AssignmentFactory,
    ConsultationFactory,
    DepartmentFactory,
    MemberFactory,
    TopicFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("search")


def found(response, kind: str) -> list:
    """The rows of one kind on a results page."""
    for group in response.context["groups"]:
        if group.key == kind:
            return group.rows
    raise AssertionError(kind)


def get(client, q, **extra):
    return client.get(URL, {"q": q, **extra})


# -- pinyin ---------------------------------------------------------------------------------


def test_pinyin_full_spelling_and_initials():
    assert person_pinyin("王建国") == "wangjianguo wjg"
    assert search_pinyin("区交通运输局") == "qujiaotongyunshuju qjtysj"
    assert search_pinyin("A栋12号楼") == "adong12haolou ad1hl"
    assert search_pinyin("") == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("单雄信", "shanxiongxin sxx"),
        ("曾国藩", "zengguofan zgf"),
        ("解缙", "xiejin xj"),
        ("仇英", "qiuying qy"),
        ("朴正浩", "piaozhenghao pzh"),
        ("查良镛", "zhaliangyong zly"),
        ("区志坚", "ouzhijian ozj"),
        ("盖叫天", "gejiaotian gjt"),
        ("覃明", "qinming qm"),
        ("尉迟敬德", "yuchijingde ycjd"),
    ],
)
def test_surnames_read_as_surnames(name, expected):
    assert person_pinyin(name) == expected


def test_only_latin_letters_are_a_pinyin_query():
    assert pinyin_query("Wang Jian") == "wangjian"
    assert pinyin_query("王") is None
    assert pinyin_query("AB23CDEF") is None


def test_saving_keeps_the_pinyin_of_the_name(world):
    member = MemberFactory(name="曾小贤", area=world.district_a)
    assert member.search_pinyin == "zengxiaoxian zxx"
    member.name = "单田芳"
    member.save(update_fields=["name"])  # the importers and forms save only what changed
    member.refresh_from_db()
    assert member.search_pinyin == "shantianfang stf"
    assert (
        VenueFactory(name="阳光驿站", area=world.community_a).search_pinyin
        == "yangguangyizhan ygyz"
    )
    assert DepartmentFactory(name="住建局", area=world.district_a).search_pinyin == "zhujianju zjj"


# -- who may search and what they find ------------------------------------------------------


def test_anonymous_goes_to_login_and_users_without_a_role_are_refused(world, client):
    response = get(client, "电梯")
    assert response.status_code == 302 and reverse("login") in response["Location"]
    nobody = UserFactory(username="nobody")
    assert get(client_for(nobody), "电梯").status_code == 403


def test_pinyin_initials_and_spelling_find_the_member(world, office_staff):
    wang = MemberFactory(name="王建国", area=world.district_a)
    client = client_for(office_staff)
    for q in ("wjg", "WJG", "wangjian", "wang jian guo", "王建"):
        response = get(client, q)
        assert response.status_code == 200
        assert wang in found(response, "members"), q
    assert wang not in found(get(client, "jianguo"), "members")  # a prefix, not any substring


def test_a_surname_is_found_by_its_surname_reading(world, office_staff):
    shan = MemberFactory(name="单雄信", area=world.district_a)
    client = client_for(office_staff)
    assert shan in found(get(client, "sxx"), "members")
    assert shan in found(get(client, "shanxiong"), "members")
    assert shan not in found(get(client, "dxx"), "members")


def test_each_kind_only_within_the_users_scope(world, office_staff, other_staff):
    """District A's staff never see district B's topic, member, venue, unit or session, and the
    other way round; each finds their own."""
    department_b = DepartmentFactory(name="伍家岗区住建局", area=world.district_b)
    world.session_a.title = "桃花岭居民议事会"
    world.session_a.save(update_fields=["title"])
    world.session_b.title = "万达居民议事会"
    world.session_b.save(update_fields=["title"])
    cases = [
        ("topics", "停车", world.topic_b, "电梯", world.topic_a),
        ("members", "王芳", world.member_b, "李明", world.member_a),
        ("members", "wf", world.member_b, "lm", world.member_a),
        ("venues", "万达", world.venue_b, "桃花岭", world.venue_a),
        ("departments", "伍家岗区住建局", department_b, "西陵区住建局", world.department_a),
        ("sessions", "万达居民", world.session_b, "桃花岭居民", world.session_a),
    ]
    mine, theirs = client_for(office_staff), client_for(other_staff)
    for kind, q_b, row_b, q_a, row_a in cases:
        assert row_b not in found(get(mine, q_b), kind), (kind, q_b)
        assert row_b in found(get(theirs, q_b), kind), (kind, q_b)
        assert row_a in found(get(mine, q_a), kind), (kind, q_a)
        assert row_a not in found(get(theirs, q_a), kind), (kind, q_a)
    # Something in both districts: each sees only their own.
    response = get(mine, "住建局")
    assert found(response, "departments") == [world.department_a]


def test_a_member_sees_what_their_visible_to_gives_them(world, member_user):
    client = client_for(member_user)
    response = get(client, "小区")  # topics of both venues match (factory descriptions too)
    assert response.status_code == 200
    assert world.topic_a in found(response, "topics")
    assert world.topic_b not in found(response, "topics")
    assert found(get(client, "王芳"), "members") == []
    assert found(get(client, "李明"), "members") == [world.member_a]
    assert found(get(client, "万达"), "venues") == []
    assert found(get(client, "住建局"), "departments") == []
    # Members have no list pages: no "更多" link leads to a 403.
    assert all(group.more_url is None for group in response.context["groups"])


def test_a_leader_of_the_city_sees_both_districts(world, leader):
    response = get(client_for(leader), "住建")
    assert found(response, "departments") == [world.department_a]
    response = get(client_for(leader), "议事厅")
    assert world.venue_b in found(response, "venues")


def test_merged_duplicates_are_left_out(world, office_staff):
    TopicFactory(
        title="桃花岭重复议题",
        area=world.community_a,
        status=TopicStatus.MERGED,
        merged_into=world.topic_a,
    )
    assert found(get(client_for(office_staff), "重复议题"), "topics") == []


# -- tracking codes -------------------------------------------------------------------------


def test_a_tracking_code_jumps_to_its_topic(world, office_staff, member_user):
    for user in (office_staff, member_user):
        response = get(client_for(user), f"  {world.topic_a.tracking_code.lower()} ")
        assert response.status_code == 302
        assert response["Location"] == reverse("topics:detail", args=[world.topic_a.pk])


def test_a_tracking_code_out_of_scope_is_not_revealed(world, office_staff):
    response = get(client_for(office_staff), world.topic_b.tracking_code)
    assert response.status_code == 200
    assert not response.context["found"]


# -- more, grouping, bad input --------------------------------------------------------------


def test_more_than_ten_links_to_the_filtered_list(world, office_staff):
    TopicFactory.create_batch(11, title="桃花岭路灯不亮", area=world.community_a)
    response = get(client_for(office_staff), "路灯")
    group = next(g for g in response.context["groups"] if g.key == "topics")
    assert len(group.rows) == 10 and group.has_more
    assert group.more_url == reverse("topics:list") + "?q=%E8%B7%AF%E7%81%AF"
    assert group.more_url.replace("&", "&amp;") in response.content.decode()
    listed = client_for(office_staff).get(group.more_url)
    assert listed.status_code == 200
    assert listed.context["paginator"].count == 11


def test_the_member_list_keyword_finds_by_pinyin_too(world, office_staff):
    wang = MemberFactory(name="王建国", area=world.district_a)
    response = client_for(office_staff).get(reverse("members:list"), {"q": "wjg"})
    assert list(response.context["members"]) == [wang]


def test_empty_query_shows_a_hint(world, office_staff):
    for params in ({}, {"q": ""}, {"q": "   "}):
        response = client_for(office_staff).get(URL, params)
        assert response.status_code == 200
        assert "data-search-hint" in response.content.decode()
        assert response.context["groups"] == []


def test_a_very_long_query_is_cut_and_said_so(world, office_staff):
    response = get(client_for(office_staff), "电梯" * 5000)
    assert response.status_code == 200
    assert response.context["truncated"]
    assert len(response.context["q"]) == 100
    assert "只按前 100 个字搜索" in response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        "' OR 1=1; DROP TABLE topics_topic; --",
        '"); SELECT * FROM auth_user; --',
        "🚗🚗 停车",
        "👍",
        "%",
        "_",
        "%%__\\",
        "a\x00b",
        "\u200b\ufeff",
        "<script>alert(1)</script>",
    ],
)
def test_bad_input_answers_a_page(world, office_staff, q):
    response = get(client_for(office_staff), q)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_percent_and_underscore_are_matched_literally(world, office_staff):
    client = client_for(office_staff)
    assert not get(client, "%").context["found"]
    assert not get(client, "_").context["found"]
    odd = TopicFactory(title="水费上涨50%", area=world.community_a)
    assert found(get(client, "50%"), "topics") == [odd]


# -- the header box -------------------------------------------------------------------------


def test_the_box_is_in_the_header_for_staff_leaders_and_members(
    world, office_staff, leader, member_user, client
):
    box = f'action="{URL}"'
    for user in (office_staff, leader):
        assert box in client_for(user).get(reverse("topics:list")).content.decode()
    assert box in client_for(member_user).get(reverse("home")).content.decode()
    assert box not in client.get(reverse("login")).content.decode()
    public = client.get(reverse("public:venue", args=[world.venue_a.code]))
    assert public.status_code == 200 and box not in public.content.decode()


# -- queries --------------------------------------------------------------------------------


def _queries(client, q) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert get(client, q).status_code == 200
    return len(ctx.captured_queries)


def test_the_number_of_queries_does_not_grow_with_matches(world, office_staff):
    client = client_for(office_staff)

    def add(n, tag):
        for i in range(n):
            venue = VenueFactory(name=f"{tag}驿站{i}", area=world.community_a)
            member = MemberFactory(name=f"{tag}{i}", area=world.district_a)
            AssignmentFactory(member=member, venue=venue)
            TopicFactory(title=f"{tag}议题{i}", area=world.community_a, venue=venue)
            DepartmentFactory(name=f"{tag}局{i}", area=world.district_a)
            ConsultationFactory(title=f"{tag}协商{i}", venue=venue)

    add(2, "甲乙")
    add(20, "丙丁")
    few, many = _queries(client, "甲乙"), _queries(client, "丙丁")
    assert few == many
    assert few <= 12, few


def test_the_demo_generator_fills_the_pinyin(db):
    """``seed_demo`` writes with bulk_create, which skips save(): it computes the column itself."""
    from io import StringIO

    from django.core.management import call_command

    from platforms.models import Venue
    from topics.models import Department

    call_command("seed_demo", "--scale", "tiny", "--force", stdout=StringIO())
    for model, compute in (
        (Member, person_pinyin),
        (Venue, search_pinyin),
        (Department, search_pinyin),
    ):
        rows = list(model.objects.values_list("name", "search_pinyin"))
        assert rows
        assert all(stored == compute(name) for name, stored in rows), model


def test_two_character_words_find_the_same_rows_as_longer_ones(world, office_staff):
    """On PostgreSQL a two-character query is answered from the bigram index; the rows must be
    those ``icontains`` gives (title or description, any case) on either database."""
    by_title = TopicFactory(title="路灯不亮", description="", area=world.community_a)
    by_text = TopicFactory(title="夜间照明", description="学院路路灯坏了", area=world.community_a)
    latin = TopicFactory(title="WiFi信号差", description="", area=world.community_a)
    TopicFactory(title="路面破损", description="灯光昏暗", area=world.community_a)
    client = client_for(office_staff)
    assert set(found(get(client, "路灯"), "topics")) == {by_title, by_text}
    assert found(get(client, "wi"), "topics") == [latin]
    listed = client.get(reverse("topics:list"), {"q": "路灯"})
    assert set(listed.context["topics"]) == {by_title, by_text}
