"""The five lists: filters (in the URL), sorting, pagination, empty states, scope, query counts."""

import datetime
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from topics.models import TopicCategory

from .conftest import client_for
from .factories import (
    ConsultationFactory,
    DepartmentFactory,
    MemberFactory,
    ReferralFactory,
    TopicFactory,
    VenueFactory,
    make_area,
    make_staff,
)
from .test_query_counts import MAX_QUERIES, count_queries, grow

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def listed(response, name="topics") -> list:
    assert response.status_code == 200
    return list(response.context[name])


def titles(response) -> set[str]:
    return {t.title for t in listed(response)}


def get(user, name, **params):
    return client_for(user).get(reverse(name), params)


# --- Topic filters ---------------------------------------------------------------------------


@pytest.fixture
def topics(world):
    """A spread of topics in district A to filter."""
    other_community = make_area("学堂坡社区", 5, world.subdistrict_a)
    other_venue = VenueFactory(name="学堂坡议事厅", area=other_community)
    parking = TopicCategory.objects.get(name="停车难")
    return {
        "accepted": TopicFactory(
            title="学堂坡停车难",
            status="accepted",
            area=other_community,
            venue=other_venue,
            category=parking,
            source="member",
            raised_on=TODAY - 40 * DAY,
        ),
        "overdue": TopicFactory(
            title="逾期未办的路灯",
            status="referred",
            area=world.community_a,
            venue=world.venue_a,
            raised_on=TODAY - 30 * DAY,
            deadline=TODAY - DAY,
        ),
        "due_later": TopicFactory(
            title="还没到期的护栏",
            status="in_progress",
            area=world.community_a,
            raised_on=TODAY - 5 * DAY,
            deadline=TODAY + 5 * DAY,
        ),
        "late_but_done": TopicFactory(
            title="超期但已办结的井盖",
            status="rated",
            area=world.community_a,
            raised_on=TODAY - 30 * DAY,
            deadline=TODAY - 10 * DAY,
            resolved_on=TODAY - 2 * DAY,
            rating="satisfied",
            rated_on=TODAY - DAY,
        ),
        "district": TopicFactory(
            title="全区的营商环境",
            status="raised",
            area=world.district_a,
            source="government",
            raised_on=TODAY - 3 * DAY,
        ),
        "other_venue": other_venue,
        "other_community": other_community,
    }


def test_status_filter_takes_several_values(office_staff, topics, world):
    response = get(office_staff, "topics:list", status=["accepted", "referred"])
    assert titles(response) == {"学堂坡停车难", "逾期未办的路灯"}


def test_merged_duplicates_are_listed_only_when_asked_for(office_staff, topics):
    TopicFactory(
        title="学堂坡停车难(重复)",
        status="merged",
        merged_into=topics["accepted"],
        area=topics["other_community"],
    )
    assert "学堂坡停车难(重复)" not in titles(get(office_staff, "topics:list"))
    export = get(office_staff, "topics:list", export="csv")
    assert "学堂坡停车难(重复)" not in b"".join(export.streaming_content).decode("utf-8-sig")
    assert titles(get(office_staff, "topics:list", status=["merged"])) == {"学堂坡停车难(重复)"}


def test_status_filter_adds_no_distinct(office_staff, topics, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        get(office_staff, "topics:list", status=["accepted", "referred"])
    topic_selects = [q["sql"] for q in ctx.captured_queries if '"topics_topic"."title"' in q["sql"]]
    assert topic_selects
    assert not any("DISTINCT" in sql for sql in topic_selects)


def test_category_and_source_filters(office_staff, topics):
    parking = TopicCategory.objects.get(name="停车难")
    assert titles(get(office_staff, "topics:list", category=parking.pk)) == {"学堂坡停车难"}
    assert titles(get(office_staff, "topics:list", source="government")) == {"全区的营商环境"}


def test_area_filter_includes_descendants(office_staff, topics, world):
    subdistrict = titles(get(office_staff, "topics:list", area=world.subdistrict_a.pk))
    assert subdistrict == {
        "桃花岭小区加装电梯",
        "学堂坡停车难",
        "逾期未办的路灯",
        "还没到期的护栏",
        "超期但已办结的井盖",
    }
    assert "全区的营商环境" not in subdistrict  # the district itself is above the subdistrict
    community = titles(get(office_staff, "topics:list", area=topics["other_community"].pk))
    assert community == {"学堂坡停车难"}
    district = titles(get(office_staff, "topics:list", area=world.district_a.pk))
    assert "全区的营商环境" in district and len(district) == 6


def test_area_choices_are_limited_to_scope(office_staff, world, topics):
    response = get(office_staff, "topics:list")
    area_ids = {a.pk for a in response.context["filterset"].form.fields["area"].queryset}
    assert world.district_a.pk in area_ids and world.community_a.pk in area_ids
    assert world.district_b.pk not in area_ids and world.city.pk not in area_ids
    # Another district's area in the URL is refused, and its rows never appear.
    response = get(office_staff, "topics:list", area=world.district_b.pk)
    assert response.context["filterset"].form.errors["area"]
    assert "万达路段停车难" not in titles(response)
    assert "选择一个有效的选项" in response.content.decode()


def test_venue_filter(office_staff, topics, world):
    assert titles(get(office_staff, "topics:list", venue=topics["other_venue"].pk)) == {
        "学堂坡停车难"
    }


def test_department_filter_via_referrals_lists_each_topic_once(office_staff, topics, world):
    other_department = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    overdue = topics["overdue"]
    ReferralFactory(topic=overdue, department=world.department_a, role="lead")
    ReferralFactory(topic=overdue, department=other_department, role="assist")
    ReferralFactory(topic=topics["due_later"], department=other_department, role="lead")

    response = get(office_staff, "topics:list", department=world.department_a.pk)
    assert [t.title for t in listed(response)] == ["逾期未办的路灯"]
    response = get(office_staff, "topics:list", department=other_department.pk)
    assert sorted(t.title for t in listed(response)) == sorted(["逾期未办的路灯", "还没到期的护栏"])
    assert response.context["paginator"].count == 2


def test_raised_date_range(office_staff, topics):
    response = get(
        office_staff,
        "topics:list",
        raised_min=(TODAY - 31 * DAY).isoformat(),
        raised_max=(TODAY - 4 * DAY).isoformat(),
    )
    assert titles(response) == {"逾期未办的路灯", "还没到期的护栏", "超期但已办结的井盖"}


def test_overdue_filter_uses_the_one_definition(office_staff, topics):
    from topics.models import Topic

    response = get(office_staff, "topics:list", overdue="1")
    assert titles(response) == {"逾期未办的路灯"}
    expected = set(Topic.objects.visible_to(office_staff).overdue().values_list("title", flat=True))
    assert titles(response) == expected
    # The row carries the overdue badge; a topic past its deadline but done does not.
    html = response.content.decode()
    assert "逾期</span>" in html
    unfiltered = get(office_staff, "topics:list").content.decode()
    assert unfiltered.count('text-bg-danger">逾期</span>') == 1


def test_rated_filter(office_staff, topics):
    assert titles(get(office_staff, "topics:list", rated="1")) == {"超期但已办结的井盖"}
    assert "超期但已办结的井盖" not in titles(get(office_staff, "topics:list", rated="0"))


def test_keyword_matches_title_description_and_tracking_code(office_staff, topics):
    assert titles(get(office_staff, "topics:list", q="路灯")) == {"逾期未办的路灯"}
    code = topics["accepted"].tracking_code
    assert titles(get(office_staff, "topics:list", q=code.lower())) == {"学堂坡停车难"}


def test_filters_combine(office_staff, topics, world):
    response = get(
        office_staff, "topics:list", area=world.community_a.pk, status=["referred", "rated"]
    )
    assert titles(response) == {"逾期未办的路灯", "超期但已办结的井盖"}


# --- Other lists' filters --------------------------------------------------------------------


def test_venue_filters(office_staff, world):
    VenueFactory(name="停用的驿站", area=world.community_a, is_active=False, kind="hall")
    names = {
        v.name for v in listed(get(office_staff, "platforms:venue_list", active="0"), "venues")
    }
    assert names == {"停用的驿站"}
    names = {
        v.name for v in listed(get(office_staff, "platforms:venue_list", kind="hall"), "venues")
    }
    assert names == {"停用的驿站"}
    response = get(office_staff, "platforms:venue_list", area=world.subdistrict_a.pk, q="桃花")
    assert [v.name for v in listed(response, "venues")] == ["桃花岭协商驿站"]


def test_member_filters(office_staff, world):
    MemberFactory(name="赵强", area=world.district_a, committee_level="city", is_active=False)
    response = get(office_staff, "members:list", committee_level="city")
    assert [m.name for m in listed(response, "members")] == ["赵强"]
    response = get(office_staff, "members:list", active="1", q="李")
    assert [m.name for m in listed(response, "members")] == ["李明"]


def test_consultation_filters(office_staff, world):
    ConsultationFactory(venue=world.venue_a, title="没有纪要的会", minutes="", form="monthly")
    response = get(office_staff, "topics:consultation_list", minutes="0")
    assert [c.title for c in listed(response, "consultations")] == ["没有纪要的会"]
    response = get(office_staff, "topics:consultation_list", form="monthly")
    assert [c.title for c in listed(response, "consultations")] == ["没有纪要的会"]
    response = get(office_staff, "topics:consultation_list", area=world.community_b.pk)
    assert response.context["filterset"].form.errors["area"]
    assert world.session_b not in listed(response, "consultations")


def test_department_list_counts_open_and_overdue_referrals(office_staff, world, topics):
    busy = world.department_a
    ReferralFactory(  # open and overdue
        topic=topics["overdue"],
        department=busy,
        referred_on=TODAY - 20 * DAY,
        deadline=TODAY - DAY,
    )
    ReferralFactory(topic=topics["due_later"], department=busy, deadline=TODAY + 5 * DAY)
    ReferralFactory(  # replied: neither open nor overdue
        topic=topics["accepted"],
        department=busy,
        referred_on=TODAY - 20 * DAY,
        deadline=TODAY - 2 * DAY,
        replied_on=TODAY - 3 * DAY,
    )
    ReferralFactory(  # topic done: not open any more
        topic=topics["late_but_done"],
        department=busy,
        referred_on=TODAY - 20 * DAY,
        deadline=TODAY - 10 * DAY,
    )
    idle = DepartmentFactory(name="西陵区民政局", area=world.district_a)
    DepartmentFactory(name="伍家岗区住建局", area=world.district_b)

    response = get(office_staff, "topics:department_list")
    rows = {d.name: d for d in listed(response, "departments")}
    assert set(rows) == {busy.name, idle.name}  # district B's department is out of scope
    assert (rows[busy.name].referral_count, rows[busy.name].open_count) == (4, 2)
    assert rows[busy.name].overdue_count == 1
    assert (rows[idle.name].open_count, rows[idle.name].overdue_count) == (0, 0)

    overdue_only = listed(get(office_staff, "topics:department_list", overdue="1"), "departments")
    assert [d.name for d in overdue_only] == [busy.name]
    by_overdue = listed(get(office_staff, "topics:department_list", sort="-overdue"), "departments")
    assert by_overdue[0].name == busy.name


# --- Sorting ---------------------------------------------------------------------------------


def test_sort_whitelist_and_direction(office_staff, topics):
    ascending = [t.title for t in listed(get(office_staff, "topics:list", sort="title"))]
    assert ascending == sorted(ascending)
    descending = [t.title for t in listed(get(office_staff, "topics:list", sort="-title"))]
    assert descending == ascending[::-1]
    # Not a whitelisted column: ignored, the default order (newest raised first) stays.
    default = listed(get(office_staff, "topics:list", sort="resident_phone"))
    assert [t.raised_on for t in default] == sorted((t.raised_on for t in default), reverse=True)


def test_sort_by_nullable_column_keeps_blanks_last(office_staff, topics):
    # The 办理期限 column shows (and sorts by) the due date: an unanswered referral counts.
    for sort in ("deadline", "-deadline"):
        deadlines = [t.due for t in listed(get(office_staff, "topics:list", sort=sort))]
        blanks = deadlines.index(None)
        assert all(d is None for d in deadlines[blanks:])
        dated = deadlines[:blanks]
        assert dated == sorted(dated, reverse=sort.startswith("-"))


def test_deadline_column_shows_the_referral_deadline(office_staff, world):
    """After 交办 the topic's own deadline stays empty: the column shows the earliest
    unanswered referral's deadline; an answered referral no longer counts."""
    topic = TopicFactory(title="交办后的路灯", status="referred", area=world.community_a)
    ReferralFactory(topic=topic, department=world.department_a, deadline=TODAY + 9 * DAY)
    helper = DepartmentFactory(name="西陵区城管局", area=world.district_a)
    ReferralFactory(
        topic=topic, department=helper, role="assist", deadline=TODAY + 3 * DAY, replied_on=TODAY
    )
    response = get(office_staff, "topics:list", status="referred")
    row = next(t for t in listed(response) if t.pk == topic.pk)
    assert topic.deadline is None and row.due == TODAY + 9 * DAY
    html = response.content.decode()
    assert f'<td data-label="办理期限">{(TODAY + 9 * DAY).isoformat()}</td>' in html


def test_headers_say_how_the_list_is_sorted(office_staff, topics):
    html = get(office_staff, "topics:list", sort="title", status="referred").content.decode()
    title_th = re.search(
        r'<th scope="col" aria-sort="ascending">\s*<a class="sort-link" href="([^"]+)"', html
    )
    assert title_th, "the sorted column carries aria-sort"
    link = parse_qs(urlparse(title_th.group(1).replace("&amp;", "&")).query)
    assert link == {"sort": ["-title"], "status": ["referred"]}  # toggles, keeps the filter
    assert html.count("aria-sort=") == 1
    # Without ?sort= the default column (提出日期, newest first) is marked.
    html = get(office_staff, "topics:list").content.decode()
    assert 'aria-sort="descending"' in html


# --- Pagination, total count, filters in the URL ---------------------------------------------


def test_pagination_keeps_filters_and_sort(office_staff, world):
    for i in range(30):
        TopicFactory(title=f"电梯{i:02d}", area=world.community_a, status="accepted")
    TopicFactory(title="别的状态", area=world.community_a, status="raised")

    response = get(office_staff, "topics:list", status="accepted", sort="title", q="电梯")
    assert response.context["paginator"].count == 30
    assert "共 30 条" in response.content.decode()
    assert len(listed(response)) == 25
    html = response.content.decode()
    next_link = re.search(r'href="\?([^"]*page=2[^"]*)">下一页', html)
    assert next_link
    params = parse_qs(next_link.group(1).replace("&amp;", "&"))
    assert params == {"status": ["accepted"], "sort": ["title"], "q": ["电梯"], "page": ["2"]}

    page2 = client_for(office_staff).get(
        reverse("topics:list") + "?" + next_link.group(1).replace("&amp;", "&")
    )
    assert [t.title for t in listed(page2)] == [f"电梯{i:02d}" for i in range(25, 30)]
    # Export links carry the same filters.
    assert "export=xlsx" in html and "export=csv" in html


def test_count_stops_at_the_bound(office_staff, world, monkeypatch):
    """Past ``BoundedPaginator.bound`` the list says how many at least, with no last page; a
    page asked for beyond the bound is still reached (the count goes as far as that page)."""
    from consult_portal.lists import BoundedPaginator

    monkeypatch.setattr(BoundedPaginator, "bound", 30)
    for i in range(60):
        TopicFactory(title=f"路灯{i:02d}", area=world.community_a, status="accepted")

    response = get(office_staff, "topics:list", q="路灯", sort="title")
    html = response.content.decode()
    assert response.context["paginator"].count == 31
    assert "共 30 条以上" in html
    assert "第 1 页" in html and "末页" not in html and "下一页" in html

    last = get(office_staff, "topics:list", q="路灯", sort="title", page=3)
    html = last.content.decode()
    assert [t.title for t in listed(last)] == [f"路灯{i:02d}" for i in range(50, 60)]
    assert "共 60 条" in html and "第 3 / 3 页" in html and "下一页" not in html

    # Below the bound nothing changes: the exact total and the last page.
    few = get(office_staff, "topics:list", q="路灯0", sort="title")
    assert "共 10 条" in few.content.decode()


def test_bound_reads_in_ten_thousands():
    from consult_portal.lists import BoundedPaginator

    paginator = BoundedPaginator(list(range(3)), 25)
    assert paginator.count_label == "3 条"
    paginator.__dict__["count"] = 10_001  # what the count query answers past the bound
    assert not paginator.exact and paginator.count_label == "1 万条以上"


def test_filter_form_shows_the_chosen_values(office_staff, topics, world):
    html = get(
        office_staff, "topics:list", status=["referred"], overdue="1", area=world.subdistrict_a.pk
    ).content.decode()
    assert re.search(r'<input type="checkbox" name="status" value="referred"[^>]*checked', html)
    assert re.search(r'<input type="checkbox" name="overdue" value="1"[^>]*checked>', html)
    assert f'<option value="{world.subdistrict_a.pk}" selected>' in html
    assert "清除筛选" in html


# --- Empty states ----------------------------------------------------------------------------


def test_empty_state_when_filters_match_nothing(office_staff, world):
    html = get(office_staff, "topics:list", q="不存在的关键词").content.decode()
    assert "没有符合筛选条件的议题" in html
    assert "清除筛选" in html


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("topics:list", "还没有议题"),
        ("topics:consultation_list", "还没有协商活动"),
        ("platforms:venue_list", "还没有协商阵地"),
        ("members:list", "还没有委员"),
        ("topics:department_list", "还没有承办单位"),
    ],
)
def test_empty_state_says_what_to_do_next(world, name, text):
    empty_district = make_area("点军区", 3, world.city)
    staff = make_staff(empty_district, "staff_empty")
    html = get(staff, name).content.decode()
    assert text in html
    assert "清除筛选" not in html


# --- Scope -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "context", "mine", "theirs"),
    [
        ("topics:list", "topics", "topic_b", "topic_a"),
        ("topics:consultation_list", "consultations", "session_b", "session_a"),
        ("platforms:venue_list", "venues", "venue_b", "venue_a"),
        ("members:list", "members", "member_b", "member_a"),
    ],
)
def test_lists_are_scoped_whatever_the_filters(other_staff, world, name, context, mine, theirs):
    for params in ({}, {"area": world.district_a.pk}, {"q": ""}, {"sort": "-pk"}):
        rows = listed(get(other_staff, name, **params), context)
        assert getattr(world, theirs) not in rows
    assert getattr(world, mine) in listed(get(other_staff, name), context)


# --- Query counts ----------------------------------------------------------------------------

FILTERED = {
    "topics:list": {
        "status": ["raised", "accepted"],
        "area": "subdistrict_a",
        "venue": "venue_a",
        "q": "电梯",
        "raised_min": (TODAY - 400 * DAY).isoformat(),
        "rated": "0",
        "sort": "-deadline",
    },
    "topics:consultation_list": {"venue": "venue_a", "area": "subdistrict_a", "sort": "-present"},
    "platforms:venue_list": {"area": "subdistrict_a", "active": "1", "sort": "-members"},
    "members:list": {"area": "district_a", "active": "1", "sort": "sector"},
    "topics:department_list": {"area": "district_a", "active": "1", "sort": "-open"},
}


def _params(world, params):
    resolved = {}
    for key, value in params.items():
        resolved[key] = (
            getattr(world, value).pk if isinstance(value, str) and hasattr(world, value) else value
        )
    return resolved


@pytest.mark.parametrize("filtered", [False, True], ids=["plain", "filtered"])
@pytest.mark.parametrize("name", list(FILTERED))
def test_list_query_count_does_not_grow(office_staff, world, name, filtered):
    client = client_for(office_staff)
    query = ""
    if filtered:
        from urllib.parse import urlencode

        query = "?" + urlencode(_params(world, FILTERED[name]), doseq=True)
    url = reverse(name) + query

    grow(world, 1)
    small = count_queries(client, url)
    small_rows = client.get(url).context["paginator"].count
    grow(world, 18)
    large = count_queries(client, url)
    large_rows = client.get(url).context["paginator"].count

    assert small_rows == 2 and large_rows == 20, (small_rows, large_rows)
    assert small == large, f"{name}: {small} queries with 2 rows, {large} with 20"
    assert large <= MAX_QUERIES


def test_overdue_badge_filter_and_export_agree(office_staff, topics, world):
    """One definition (TopicQuerySet.overdue) behind the filter, the row badge and the export."""
    from topics.models import Topic

    late_reply = TopicFactory(
        title="部门逾期未答复",
        status="referred",
        area=world.community_a,
        raised_on=TODAY - 20 * DAY,
    )
    ReferralFactory(
        topic=late_reply,
        department=world.department_a,
        referred_on=TODAY - 20 * DAY,
        deadline=TODAY - 2 * DAY,
    )
    expected = set(Topic.objects.visible_to(office_staff).overdue().values_list("title", flat=True))
    assert "逾期未办的路灯" in expected

    assert titles(get(office_staff, "topics:list", overdue="1")) == expected
    html = get(office_staff, "topics:list").content.decode()
    badged = set()
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        title = re.search(r'<a href="/topics/\d+/">([^<]+)</a>', row)
        if title and 'text-bg-danger">逾期</span>' in row:
            badged.add(title.group(1))
    assert badged == expected

    response = client_for(office_staff).get(reverse("topics:list"), {"export": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    import csv

    rows = list(csv.reader(lines))
    header = rows[0]
    late = {r[header.index("标题")] for r in rows[1:] if r[header.index("是否逾期")] == "是"}
    assert late == expected


def test_a_page_past_the_end_shows_the_last_page(office_staff, world):
    for i in range(30):
        TopicFactory(title=f"电梯{i:02d}", area=world.community_a)
    response = get(office_staff, "topics:list", page=9, sort="title")
    assert response.context["page_obj"].number == 2
    assert len(listed(response)) == 6  # 31 topics: topic_a and the 30 above


def test_filter_choices_are_escaped(office_staff, world):
    VenueFactory(name="<script>alert(1)</script>驿站", area=world.community_a)
    html = get(office_staff, "topics:list").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;驿站</option>" in html


def test_filter_options_are_cached_per_scope(office_staff, world, settings):
    """With LIST_OPTIONS_CACHE_SECONDS on, a list's long selects are read once per scope: the
    next page view skips their queries, keeps the chosen option, and another district's office
    gets its own venues, never the first one's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIST_OPTIONS_CACHE_SECONDS = 60
    client = client_for(office_staff)
    url = reverse("topics:list")
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url, {"venue": world.venue_a.pk}).content.decode()
    assert world.venue_a.name in first and world.venue_b.name not in first
    # Venues, areas and units come from the cache; the chosen venue is checked (one query).
    assert len(warm) < len(cold)
    assert f'<option value="{world.venue_a.pk}" selected>' in again
    assert f'<option value="{world.venue_a.pk}" selected>' not in first

    other = make_staff(world.district_b, "office_b_cache")
    html = client_for(other).get(url).content.decode()
    assert world.venue_b.name in html and world.venue_a.name not in html
