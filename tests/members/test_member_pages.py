"""The one-person file (一人一档, issue 4 item 3): what each role sees, attendance rate, the forms,
who may post them, bad input, assignments, deactivation, and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import Assignment, Member
from members.services import member_update
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    AttendanceFactory,
    ConsultationFactory,
    DutyFactory,
    DutyShiftFactory,
    MemberFactory,
    TopicFactory,
    VenueFactory,
)
from topics.models import TopicSource

# Every test here starts from the shared world, built once for the module with its role
# accounts; each test runs in its own rolled-back savepoint (tests/conftest.py, world_once).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("world_once")]

TODAY = timezone.localdate


def _member_form_data(world, **overrides) -> dict:
    member = world.member_a
    data = {
        "name": "张卫东",
        "gender": "M",
        "ethnicity": "汉族",
        "birth_year": "1975",
        "political_status": "cdl",
        "sector": member.sector_id,
        "committee_level": "district",
        "area": world.district_a.pk,
        "term": "15",
        "special_committee": "社会和法制委员会",
        "work_unit": "西陵区第一中学",
        "title": "副校长",
        "phone": "13812345678",
        "focus_areas": "教育、养老",
        "bio": "长期关注社区教育。",
    }
    data.update(overrides)
    return data


# --- page content per role ---------------------------------------------------------------


def test_staff_see_the_whole_file_and_the_edit_actions(world, office_staff):
    member = world.member_a
    DutyFactory(member=member, title="关于老旧小区加装电梯的提案")
    TopicFactory(
        area=world.community_a,
        venue=world.venue_a,
        title="学院路路灯不亮",
        source=TopicSource.MEMBER,
        raised_by_member=member,
    )
    absent = ConsultationFactory(venue=world.venue_a, title="月月谈第3期")
    AttendanceFactory(consultation=absent, member=member, status="absent")

    html = (
        client_for(office_staff).get(reverse("members:detail", args=[member.pk])).content.decode()
    )

    assert "13911112222" in html  # profile
    assert "桃花岭协商驿站" in html and "召集人" in html  # assignment
    assert "月月谈第3期" in html and "缺席" in html  # attendance record
    assert "出席率 50.0%" in html  # present 1 of 2 expected
    assert "关于老旧小区加装电梯的提案" in html  # duty
    assert "学院路路灯不亮" in html  # topic raised
    assert "修改记录" in html
    for name in ("members:member_edit", "members:assignment_add", "members:deactivate"):
        assert reverse(name, args=[member.pk]) in html


def test_a_member_sees_their_own_file_but_no_edit_actions(world, member_user):
    response = client_for(member_user).get(reverse("members:detail", args=[world.member_a.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "李明" in html and "出席率" in html
    assert reverse("members:member_edit", args=[world.member_a.pk]) not in html
    assert reverse("members:deactivate", args=[world.member_a.pk]) not in html
    assert "结束下沉" not in html


def test_a_leader_reads_without_edit_actions(world, leader):
    html = client_for(leader).get(reverse("members:detail", args=[world.member_a.pk])).content
    assert reverse("members:member_edit", args=[world.member_a.pk]).encode() not in html


def test_the_list_offers_new_member_to_staff_only(world, office_staff, leader):
    url = reverse("members:list")
    assert "新增委员" in client_for(office_staff).get(url).content.decode()
    assert "新增委员" not in client_for(leader).get(url).content.decode()


def test_other_districts_sessions_and_topics_stay_hidden_from_district_staff(world, office_staff):
    """A city member serves in both districts: district A's staff see A's records only."""
    city_member = MemberFactory(name="周市委员", area=world.city, committee_level="city")
    AssignmentFactory(member=city_member, venue=world.venue_a)
    AttendanceFactory(consultation=world.session_b, member=city_member)
    TopicFactory(area=world.community_b, venue=world.venue_b, raised_by_member=city_member)

    response = client_for(office_staff).get(reverse("members:detail", args=[city_member.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert world.session_b.title not in html
    assert "万达" not in html
    assert "出席 1 次" in html  # the rate is the member's whole record
    # The city's office keeps the file: district staff may not edit it (but may assign).
    assert reverse("members:member_edit", args=[city_member.pk]) not in html
    assert reverse("members:assignment_add", args=[city_member.pk]) in html
    edit = client_for(office_staff).get(reverse("members:member_edit", args=[city_member.pk]))
    assert edit.status_code == 403


# --- create / edit ------------------------------------------------------------------------


def test_staff_create_a_member(world, office_staff):
    response = client_for(office_staff).post(
        reverse("members:member_create"), _member_form_data(world, phone="+86 138-1234-5678")
    )

    member = Member.objects.get(name="张卫东")
    assert response.status_code == 302
    assert response.url == reverse("members:detail", args=[member.pk])
    assert member.phone == "13812345678"
    assert member.history.first().history_user == office_staff


def test_staff_edit_the_phone_and_history_shows_who_and_old_to_new(world, office_staff):
    client = client_for(office_staff)
    member = world.member_a
    data = _member_form_data(world, name="李明", phone="027-8888 6666", gender="F")

    response = client.post(reverse("members:member_edit", args=[member.pk]), data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phone == "027-88886666"
    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "<del>13911112222</del> → <ins>027-88886666</ins>" in html
    assert "staff_a" in html


def test_committee_area_choices_are_limited_to_the_users_scope(world, office_staff):
    html = client_for(office_staff).get(reverse("members:member_create")).content.decode()
    assert "西陵区" in html
    assert "伍家岗区" not in html and "宜昌市" not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "李" * 33, "不超过 32 字符"),
        ("work_unit", "单" * 101, "不超过 100 字符"),
        ("phone", "1381234", "请输入有效的手机号"),
        ("phone", "028-12", "请输入有效的手机号"),
        ("birth_year", "1850", "大于或等于1900"),
        ("birth_year", "abc", "输入整数"),
        ("term", "99", "小于或等于50"),
        ("area", "WORLD_B", "选择一个有效的选项"),
    ],
)
def test_bad_member_input_is_refused_in_chinese_and_kept(
    world, office_staff, field, value, message
):
    if value == "WORLD_B":
        value = str(world.district_b.pk)
    data = _member_form_data(world, **{field: value})

    response = client_for(office_staff).post(reverse("members:member_create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert not Member.objects.filter(work_unit__startswith="西陵区第一中学").exists()
    assert Member.objects.count() == 2
    assert "社会和法制委员会" in html  # other typed values survive
    if field != "area":
        assert f'value="{value}"' in html


def test_a_bad_phone_on_edit_changes_nothing(world, office_staff):
    data = _member_form_data(world, name="李明(改)", phone="12")
    response = client_for(office_staff).post(
        reverse("members:member_edit", args=[world.member_a.pk]), data
    )
    assert response.status_code == 200
    world.member_a.refresh_from_db()
    assert (world.member_a.name, world.member_a.phone) == ("李明", "13911112222")


# --- assignments --------------------------------------------------------------------------


def test_staff_add_and_end_an_assignment_and_history_keeps_both(world, office_staff):
    client = client_for(office_staff)
    member = world.member_a
    venue = VenueFactory(name="学院街道委员工作室", area=world.subdistrict_a)

    response = client.post(
        reverse("members:assignment_add", args=[member.pk]),
        {"venue": venue.pk, "role": "liaison", "started_on": "2025-01-01"},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get(member=member, venue=venue)
    assert (assignment.role, assignment.started_on) == ("liaison", datetime.date(2025, 1, 1))

    response = client.post(
        reverse("members:assignment_end", args=[assignment.pk]), {"ended_on": "2025-06-30"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == datetime.date(2025, 6, 30)
    assert assignment.history.count() == 2
    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "<del>—</del> → <ins>2025-06-30</ins>" in html


def test_a_liaison_group_assignment_is_a_subdistrict(world, office_staff):
    response = client_for(office_staff).post(
        reverse("members:assignment_add", args=[world.member_a.pk]),
        {"area": world.subdistrict_a.pk, "role": "member", "started_on": "2025-01-01"},
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(member=world.member_a, area=world.subdistrict_a).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": "member", "started_on": "2025-01-01"}, "请选择一个阵地,或选择一个街道联络委"),
        ({"venue": "A", "area": "S", "role": "member", "started_on": "2025-01-01"}, "只能选一个"),
        ({"venue": "A", "role": "member", "started_on": "2025-02-30"}, "输入一个有效的日期"),
        (
            {"venue": "A", "role": "member", "started_on": "2025-03-01", "ended_on": "2025-02-01"},
            "结束日期不能早于开始日期",
        ),
        ({"venue": "B", "role": "member", "started_on": "2025-01-01"}, "选择一个有效的选项"),
        ({"venue": "A", "role": "member", "started_on": "2025-01-01"}, "已下沉到此处"),
    ],
)
def test_bad_assignment_input_stores_nothing(world, office_staff, data, message):
    data = dict(data)
    if "venue" in data:
        data["venue"] = {"A": world.venue_a.pk, "B": world.venue_b.pk}[data["venue"]]
    if "area" in data:
        data["area"] = world.subdistrict_a.pk
    before = Assignment.objects.count()

    response = client_for(office_staff).post(
        reverse("members:assignment_add", args=[world.member_a.pk]), data
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{data["started_on"]}"' in html  # what was typed stays
    assert Assignment.objects.count() == before


def test_ending_before_the_start_is_refused(world, office_staff):
    assignment = world.member_a.assignments.get()
    response = client_for(office_staff).post(
        reverse("members:assignment_end", args=[assignment.pk]), {"ended_on": "2000-01-01"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on is None
    follow = client_for(office_staff).get(reverse("members:detail", args=[world.member_a.pk]))
    assert follow.status_code == 200


# --- deactivate ---------------------------------------------------------------------------


def test_deactivating_ends_open_assignments_and_keeps_every_record(world, office_staff):
    client = client_for(office_staff)
    member = world.member_a
    DutyFactory(member=member)

    response = client.post(reverse("members:deactivate", args=[member.pk]))

    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active
    assignment = member.assignments.get()
    assert assignment.ended_on == TODAY()
    assert member.attendances.count() == 1 and member.duties.count() == 1
    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert "已停用" in html and "桃花岭协商驿站" in html
    assert "<del>是</del> → <ins>否</ins>" in html
    assert "已停用" in client.get(reverse("members:list")).content.decode()

    client.post(reverse("members:reactivate", args=[member.pk]))
    member.refresh_from_db()
    assert member.is_active
    assert member.history.filter(is_active=False).exists()  # the inactive spell stays on record


# --- who may post -------------------------------------------------------------------------


def _member_posts(world):
    a, b = world.member_a, world.member_b
    assignment_a, assignment_b = a.assignments.get(), b.assignments.get()
    add = {"venue": world.venue_a.pk, "role": "member", "started_on": "2030-01-01"}
    return [
        (reverse("members:member_create"), _member_form_data(world), None),
        (reverse("members:member_edit", args=[a.pk]), _member_form_data(world), "a"),
        (reverse("members:assignment_add", args=[a.pk]), add, "a"),
        (
            reverse("members:assignment_end", args=[assignment_a.pk]),
            {"ended_on": "2030-01-01"},
            "a",
        ),
        (reverse("members:deactivate", args=[a.pk]), {}, "a"),
        (reverse("members:reactivate", args=[a.pk]), {}, "a"),
        (reverse("members:member_edit", args=[b.pk]), _member_form_data(world), "b"),
        (
            reverse("members:assignment_end", args=[assignment_b.pk]),
            {"ended_on": "2030-01-01"},
            "b",
        ),
        (reverse("members:deactivate", args=[b.pk]), {}, "b"),
    ]


def _member_state():
    return (
        list(Member.objects.order_by("pk").values_list("name", "phone", "is_active")),
        list(Assignment.objects.order_by("pk").values_list("member_id", "venue_id", "ended_on")),
        Member.history.count(),
        Assignment.history.count(),
    )


@pytest.mark.parametrize(
    "role", ["member_user", "leader", "district_leader", "other_staff", "anonymous"]
)
def test_member_posts_refused_and_nothing_written(request, world, role):
    if role == "anonymous":
        client = request.getfixturevalue("resident")
    else:
        client = client_for(request.getfixturevalue(role))
    posts = _member_posts(world)
    if role == "other_staff":
        posts = [p for p in posts if p[2] == "a"]  # district A's rows do not exist for B
    before = _member_state()

    for url, data, _ in posts:
        response = client.post(url, data)
        if role == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        elif role == "other_staff":
            assert response.status_code == 404, url
        else:
            assert response.status_code == 403, url

    assert _member_state() == before


def test_the_member_cannot_edit_their_own_file(world, member_user):
    response = client_for(member_user).post(
        reverse("members:member_edit", args=[world.member_a.pk]),
        _member_form_data(world, name="李明", phone="13000000000"),
    )
    assert response.status_code == 403
    world.member_a.refresh_from_db()
    assert world.member_a.phone == "13911112222"


def test_service_refuses_an_actor_outside_the_area(world, other_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        member_update(actor=other_staff, member=world.member_a, phone="13000000000")


# --- queries ------------------------------------------------------------------------------


def _grow_member(world, n: int, office_staff) -> None:
    member = world.member_a
    start = member.duty_shifts.count()
    for i in range(start, start + n):
        venue = VenueFactory(area=world.community_a)
        AssignmentFactory(member=member, venue=venue)
        session = ConsultationFactory(venue=venue)
        AttendanceFactory(
            consultation=session, member=member, status="leave" if i % 2 else "present"
        )
        DutyFactory(member=member, venue=venue)
        DutyShiftFactory(member=member, venue=venue, date=TODAY() + datetime.timedelta(days=i + 1))
        TopicFactory(area=world.community_a, venue=venue, raised_by_member=member)
        member_update(actor=office_staff, member=member, title=f"职务{i}")


@pytest.mark.parametrize("role", ["office_staff", "member_user"])
def test_member_page_queries_do_not_grow_with_rows(request, world, office_staff, role):
    client = client_for(request.getfixturevalue(role))
    url = reverse("members:detail", args=[world.member_a.pk])

    _grow_member(world, 1, office_staff)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow_member(world, 19, office_staff)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200

    assert len(small) == len(large), f"{len(small)} queries with 2 rows, {len(large)} with 20"
    # 20 before issue 5's rota work; +1 duty-day attendance, +4 this year's points (rules,
    # duties, attendances, shifts), +2 the duties' change history.
    assert len(large) <= 27
    assert "职务18" in response.content.decode()


# --- services -----------------------------------------------------------------------------


def test_deactivation_ends_a_future_assignment_on_its_start_day(world, office_staff):
    from members.services import member_deactivate

    later = TODAY() + datetime.timedelta(days=10)
    future = AssignmentFactory(member=world.member_a, venue=world.venue_b, started_on=later)
    past = AssignmentFactory(
        member=world.member_a,
        venue=VenueFactory(area=world.community_a),
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )

    member_deactivate(actor=office_staff, member=world.member_a)

    future.refresh_from_db()
    past.refresh_from_db()
    assert future.ended_on == later
    assert past.ended_on == datetime.date(2021, 1, 1)  # closed records are left alone
    assert Assignment.objects.filter(member=world.member_a).count() == 3


def test_a_member_may_return_to_a_venue_after_an_ended_assignment(world, office_staff):
    from members.services import assignment_add, assignment_end

    first = world.member_a.assignments.get()
    assignment_end(actor=office_staff, assignment=first, ended_on=TODAY())

    again = assignment_add(
        actor=office_staff,
        member=world.member_a,
        venue=world.venue_a,
        role="member",
        started_on=TODAY() + datetime.timedelta(days=1),
    )

    assert again.pk != first.pk
    assert world.member_a.assignments.count() == 2


def test_an_inactive_member_cannot_be_assigned(world, office_staff):
    from django.core.exceptions import ValidationError

    from members.services import assignment_add, member_deactivate

    member_deactivate(actor=office_staff, member=world.member_a)
    with pytest.raises(ValidationError, match="已停用"):
        assignment_add(
            actor=office_staff,
            member=world.member_a,
            venue=world.venue_a,
            started_on=TODAY() + datetime.timedelta(days=5),
        )
