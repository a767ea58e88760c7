"""The venue page (issue 4, item 2): what each role sees, the "六有" checklist, the forms that
change a venue, who may post them, bad input, deactivation, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from platforms.models import StandardItem, Venue, VenueStandardRecord
from platforms.services import venue_update
from portal.venues import venue_six_standards
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    ConsultationFactory,
    DutyShiftFactory,
    MemberFactory,
    TopicFactory,
)
from topics.lifecycle import TopicStatus

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

TODAY = timezone.localdate


def _days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


def _venue_form_data(world, **overrides) -> dict:
    data = {
        "name": "学院街道委员工作室",
        "code": "xl-new",
        "kind": "studio",
        "brand": "",
        "area": world.subdistrict_a.pk,
        "address": "学院路8号",
        "latitude": "",
        "longitude": "",
        "opening_hours": "周一至周五 9:00-17:00",
        "contact_phone": "0717-6666 8888",
        "established_on": "2024-05-01",
    }
    data.update(overrides)
    return data


def _items(venue) -> dict:
    return {item["key"]: item for item in venue_six_standards(venue=venue)}


# --- page content per role ---------------------------------------------------------------


def test_staff_see_everything_on_the_venue_page_and_the_edit_actions(world, office_staff):
    DutyShiftFactory(
        member=world.member_a, venue=world.venue_a, date=TODAY() + datetime.timedelta(1)
    )
    VenueStandardRecord.objects.create(
        venue=world.venue_a, item=StandardItem.SIGNAGE, met_on=datetime.date(2024, 3, 1)
    )

    html = (
        client_for(office_staff)
        .get(reverse("platforms:venue_detail", args=[world.venue_a.pk]))
        .content.decode()
    )

    assert "李明" in html and "召集人" in html  # assigned member and role
    assert world.session_a.title in html  # recent session
    assert world.topic_a.title in html  # open topic
    assert "近期值班" in html and "已排班" in html  # next duty shift
    assert "有标识" in html and "2024-03-01" in html  # recorded item with its date
    assert "有活动" in html and "有成果" in html
    assert "修改记录" in html
    assert reverse("platforms:venue_edit", args=[world.venue_a.pk]) in html
    assert reverse("platforms:venue_standard", args=[world.venue_a.pk]) in html
    assert reverse("platforms:venue_deactivate", args=[world.venue_a.pk]) in html


@pytest.mark.parametrize("role", ["leader", "district_leader", "member_user"])
def test_readers_see_the_page_without_edit_actions(request, world, role):
    user = request.getfixturevalue(role)
    response = client_for(user).get(reverse("platforms:venue_detail", args=[world.venue_a.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "有阵地" in html and world.session_a.title in html
    assert reverse("platforms:venue_edit", args=[world.venue_a.pk]) not in html
    assert reverse("platforms:venue_deactivate", args=[world.venue_a.pk]) not in html
    assert reverse("platforms:venue_standard", args=[world.venue_a.pk]) not in html


def test_the_list_offers_new_venue_to_staff_only(world, office_staff, leader):
    url = reverse("platforms:venue_list")
    assert "新建阵地" in client_for(office_staff).get(url).content.decode()
    assert "新建阵地" not in client_for(leader).get(url).content.decode()


# --- 六有 ---------------------------------------------------------------------------------


def test_recorded_items_are_met_with_their_dates_and_the_rest_are_not(world):
    VenueStandardRecord.objects.create(
        venue=world.venue_a, item=StandardItem.SITE, met_on=datetime.date(2023, 6, 1), note="二楼"
    )

    items = _items(world.venue_a)

    assert list(items) == ["site", "signage", "rules", "procedure", "activity", "result"]
    assert items["site"]["met"] and items["site"]["date"] == datetime.date(2023, 6, 1)
    assert items["site"]["note"] == "二楼"
    assert not items["signage"]["met"] and items["signage"]["date"] is None


def test_activity_counts_sessions_held_in_the_last_12_months_only(world):
    venue = world.venue_a
    venue.consultations.all().delete()
    ConsultationFactory(venue=venue, held_at=_days_ago(400))  # too old
    ConsultationFactory(venue=venue, held_at=timezone.now() + datetime.timedelta(days=5))  # planned
    assert not _items(venue)["activity"]["met"]

    ConsultationFactory(venue=venue, held_at=_days_ago(300))
    activity = _items(venue)["activity"]
    assert activity["met"]
    assert activity["date"] == timezone.localtime(_days_ago(300)).date()
    assert "1 次" in activity["note"]


def test_result_from_a_topic_resolved_in_the_window(world):
    venue = world.venue_a
    TopicFactory(
        area=world.community_a,
        venue=venue,
        status=TopicStatus.RESOLVED,
        raised_on=TODAY() - datetime.timedelta(days=500),
        resolved_on=TODAY() - datetime.timedelta(days=400),
    )
    assert not _items(venue)["result"]["met"]  # resolved 13 months ago

    TopicFactory(
        area=world.community_a,
        venue=venue,
        status=TopicStatus.RATED,
        raised_on=TODAY() - datetime.timedelta(days=60),
        resolved_on=TODAY() - datetime.timedelta(days=30),
        rating="satisfied",
        rated_on=TODAY(),
    )
    result = _items(venue)["result"]
    assert result["met"] and result["date"] == TODAY() - datetime.timedelta(days=30)


def test_result_from_a_session_outcome_in_the_window(world):
    venue = world.venue_a
    ConsultationFactory(venue=venue, held_at=_days_ago(420), outcome="达成加装电梯分摊方案")
    assert not _items(venue)["result"]["met"]  # the world's session has no outcome

    ConsultationFactory(venue=venue, held_at=_days_ago(10), outcome="确定停车位划线方案")
    result = _items(venue)["result"]
    assert result["met"] and result["date"] == timezone.localtime(_days_ago(10)).date()


def test_another_venues_records_do_not_count(world):
    ConsultationFactory(venue=world.venue_b, held_at=_days_ago(5), outcome="共识")
    world.venue_a.consultations.all().delete()
    items = _items(world.venue_a)
    assert not items["activity"]["met"] and not items["result"]["met"]


def test_staff_record_a_six_standards_item_and_can_correct_it(world, office_staff):
    client = client_for(office_staff)
    url = reverse("platforms:venue_standard", args=[world.venue_a.pk])

    response = client.post(url, {"item": "rules", "met_on": "2024-09-01", "note": "议事规则上墙"})
    assert response.status_code == 302
    response = client.post(url, {"item": "rules", "met_on": "2024-10-01", "note": "修订版"})
    assert response.status_code == 302

    record = VenueStandardRecord.objects.get(venue=world.venue_a)
    assert (record.item, record.met_on, record.note) == (
        "rules",
        datetime.date(2024, 10, 1),
        "修订版",
    )
    assert record.recorded_by == office_staff
    html = client.get(reverse("platforms:venue_detail", args=[world.venue_a.pk])).content.decode()
    assert "2024-10-01" in html and "修订版" in html


# --- create / edit ------------------------------------------------------------------------


def test_staff_create_a_venue_in_their_area(world, office_staff):
    response = client_for(office_staff).post(
        reverse("platforms:venue_create"), _venue_form_data(world)
    )

    venue = Venue.objects.get(code="xl-new")
    assert response.status_code == 302
    assert response.url == reverse("platforms:venue_detail", args=[venue.pk])
    assert venue.contact_phone == "0717-66668888"  # normalised
    assert venue.history.first().history_user == office_staff


def test_staff_edit_a_venue_and_the_change_shows_in_its_history(world, office_staff):
    client = client_for(office_staff)
    data = _venue_form_data(
        world, name="桃花岭协商驿站(新址)", code="xl-001", area=world.community_a.pk
    )

    response = client.post(reverse("platforms:venue_edit", args=[world.venue_a.pk]), data)

    assert response.status_code == 302
    world.venue_a.refresh_from_db()
    assert world.venue_a.name == "桃花岭协商驿站(新址)"
    html = client.get(reverse("platforms:venue_detail", args=[world.venue_a.pk])).content.decode()
    assert "staff_a" in html  # who
    assert "<del>桃花岭协商驿站</del> → <ins>桃花岭协商驿站(新址)</ins>" in html  # old → new


def test_area_choices_are_limited_to_the_users_scope(world, office_staff):
    html = client_for(office_staff).get(reverse("platforms:venue_create")).content.decode()
    assert "桃花岭社区" in html
    assert "万达社区" not in html and "伍家岗区" not in html


# --- bad input: a Chinese message, nothing stored, what was typed is kept -----------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "驿" * 101, "不超过 100 字符"),
        ("established_on", "2025-02-30", "输入一个有效的日期"),
        ("established_on", "2999-01-01", "建成日期不能晚于今天"),
        ("contact_phone", "12345", "请输入有效的手机号"),
        ("code", "桃花 岭", "下划线或连字符号"),
        ("latitude", "30.7", "纬度和经度需同时填写或同时留空"),
    ],
)
def test_bad_venue_input_is_refused_in_chinese_and_kept(world, office_staff, field, value, message):
    data = _venue_form_data(world, **{field: value})

    response = client_for(office_staff).post(reverse("platforms:venue_create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert not Venue.objects.filter(name=data["name"]).exists()
    assert Venue.objects.count() == 2
    assert "学院路8号" in html  # another typed value survives
    assert f'value="{value}"' in html


def test_an_area_outside_the_users_scope_is_refused(world, office_staff):
    data = _venue_form_data(world, area=world.community_b.pk)

    response = client_for(office_staff).post(reverse("platforms:venue_create"), data)

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert Venue.objects.count() == 2


@pytest.mark.parametrize(
    ("met_on", "message"),
    [
        ("2025-02-30", "输入一个有效的日期"),
        ("2999-01-01", "达标日期不能晚于今天"),
        ("", "这个字段是必填项"),
    ],
)
def test_bad_standard_input_stores_nothing(world, office_staff, met_on, message):
    response = client_for(office_staff).post(
        reverse("platforms:venue_standard", args=[world.venue_a.pk]),
        {"item": "signage", "met_on": met_on, "note": "门口挂牌"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "门口挂牌" in html
    assert not VenueStandardRecord.objects.exists()


def test_an_over_long_standard_note_is_refused(world, office_staff):
    response = client_for(office_staff).post(
        reverse("platforms:venue_standard", args=[world.venue_a.pk]),
        {"item": "signage", "met_on": "2024-01-01", "note": "牌" * 201},
    )
    assert "不超过 200 字符" in response.content.decode()
    assert not VenueStandardRecord.objects.exists()


# --- deactivate / reactivate --------------------------------------------------------------


def test_deactivating_keeps_the_venue_its_records_and_history(world, office_staff):
    client = client_for(office_staff)
    venue = world.venue_a
    versions_before = venue.history.count()

    response = client.post(reverse("platforms:venue_deactivate", args=[venue.pk]))

    assert response.status_code == 302
    venue.refresh_from_db()
    assert not venue.is_active
    assert venue.consultations.count() == 1 and venue.topics.count() == 1
    assert venue.assignments.count() == 1
    assert venue.history.count() == versions_before + 1
    html = client.get(reverse("platforms:venue_detail", args=[venue.pk])).content.decode()
    assert "已停用" in html and world.session_a.title in html
    assert "<del>是</del> → <ins>否</ins>" in html
    assert "停用" in client.get(reverse("platforms:venue_list")).content.decode()

    client.post(reverse("platforms:venue_reactivate", args=[venue.pk]))
    venue.refresh_from_db()
    assert venue.is_active
    assert venue.history.count() == versions_before + 2


# --- who may post -------------------------------------------------------------------------


def _venue_posts(world):
    a, b = world.venue_a.pk, world.venue_b.pk
    return [
        (reverse("platforms:venue_create"), _venue_form_data(world), None),
        (reverse("platforms:venue_edit", args=[a]), _venue_form_data(world, code="xl-001"), a),
        (
            reverse("platforms:venue_standard", args=[a]),
            {"item": "site", "met_on": "2024-01-01"},
            a,
        ),
        (reverse("platforms:venue_deactivate", args=[a]), {}, a),
        (reverse("platforms:venue_edit", args=[b]), _venue_form_data(world, code="wjg-001"), b),
        (
            reverse("platforms:venue_standard", args=[b]),
            {"item": "site", "met_on": "2024-01-01"},
            b,
        ),
        (reverse("platforms:venue_deactivate", args=[b]), {}, b),
    ]


def _venue_state():
    return (
        list(Venue.objects.order_by("pk").values_list("name", "code", "is_active", "area_id")),
        VenueStandardRecord.objects.count(),
        Venue.history.count(),
    )


@pytest.mark.parametrize(
    "role", ["member_user", "leader", "district_leader", "other_staff", "anonymous"]
)
def test_venue_posts_refused_and_nothing_written(request, world, role):
    if role == "anonymous":
        client = request.getfixturevalue("resident")
    else:
        client = client_for(request.getfixturevalue(role))
    before = _venue_state()

    for url, data, venue_pk in _venue_posts(world):
        response = client.post(url, data)
        if role == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        elif role == "other_staff":
            # District B's staff: district A's venues do not exist for them; their own
            # venue_b and creating in district B are theirs to do, so only A is checked here.
            if venue_pk == world.venue_a.pk:
                assert response.status_code == 404, url
        else:
            assert response.status_code == 403, url

    if role != "other_staff":
        assert _venue_state() == before
    else:
        venue_a = Venue.objects.get(pk=world.venue_a.pk)
        assert (venue_a.name, venue_a.is_active) == ("桃花岭协商驿站", True)
        assert not VenueStandardRecord.objects.filter(venue=venue_a).exists()


def test_other_staff_cannot_create_a_venue_in_district_a(world, other_staff):
    response = client_for(other_staff).post(
        reverse("platforms:venue_create"), _venue_form_data(world)
    )
    assert response.status_code == 200
    assert not Venue.objects.filter(code="xl-new").exists()


def test_deactivate_is_post_only(world, office_staff):
    url = reverse("platforms:venue_deactivate", args=[world.venue_a.pk])
    assert client_for(office_staff).get(url).status_code == 405


def test_service_refuses_an_actor_outside_the_area(world, other_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        venue_update(actor=other_staff, venue=world.venue_a, name="改名")
    world.venue_a.refresh_from_db()
    assert world.venue_a.name == "桃花岭协商驿站"


# --- queries ------------------------------------------------------------------------------


def _grow_venue(world, n: int, office_staff) -> None:
    venue = world.venue_a
    start = venue.assignments.count()
    for i in range(start, start + n):
        member = MemberFactory(area=world.district_a)
        AssignmentFactory(member=member, venue=venue)
        DutyShiftFactory(member=member, venue=venue, date=TODAY() + datetime.timedelta(days=i + 1))
        session = ConsultationFactory(venue=venue, host=member, outcome="共识")
        AttendanceFactory(consultation=session, member=member)
        TopicFactory(area=world.community_a, venue=venue)
        venue_update(actor=office_staff, venue=venue, opening_hours=f"周{i}开放")


def test_venue_page_queries_do_not_grow_with_rows(world, office_staff):
    client = client_for(office_staff)
    url = reverse("platforms:venue_detail", args=[world.venue_a.pk])
    VenueStandardRecord.objects.create(venue=world.venue_a, item="site", met_on=TODAY())

    _grow_venue(world, 1, office_staff)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow_venue(world, 19, office_staff)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200

    assert len(small) == len(large), f"{len(small)} queries with 2 rows, {len(large)} with 20"
    assert len(large) <= 20
    assert "周19开放" in response.content.decode()  # the history really holds the new versions


def test_a_member_sees_colleagues_names_without_links_to_their_files(world, member_user):
    colleague = MemberFactory(name="赵敏", area=world.district_a)
    AssignmentFactory(member=colleague, venue=world.venue_a)

    html = (
        client_for(member_user)
        .get(reverse("platforms:venue_detail", args=[world.venue_a.pk]))
        .content.decode()
    )

    assert "赵敏" in html
    assert reverse("members:detail", args=[colleague.pk]) not in html
