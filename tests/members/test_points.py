"""Duties and points (issue 5, item 3): points recomputed from the records, rules per year,
the ranking with its bands and export, the duty form, and the member home's 五个一 and points."""

import datetime
import re
import zoneinfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.duty_services import point_rules_save
from members.models import Duty, DutyKind, DutyOutcome, PointKind, PointRule
from members.points import bands_for_year, five_ones_from_points, member_points
from topics.models import Attendance

from ..conftest import client_for
from ..factories import (
    AttendanceFactory,
    ConsultationFactory,
    DutyFactory,
    DutyShiftFactory,
    MemberFactory,
    UserFactory,
)
from .oracles import five_ones

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = 2021  # past years: the world fixture's session is "two days ago"


def d(month: int, day: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, day)


def pts(member, year=YEAR):
    return member_points([member], year)[member.pk]


@pytest.fixture
def root(admin_user):
    return admin_user


def test_points_from_records_hand_computed(world):
    m = world.member_a
    Attendance.objects.filter(member=m).delete()  # the world's session is "two days ago"
    DutyFactory(member=m, kind=DutyKind.PROPOSAL, date=d(3, 1), outcome=DutyOutcome.FILED)
    DutyFactory(member=m, kind=DutyKind.PROPOSAL, date=d(4, 1), outcome=DutyOutcome.NOT_FILED)
    DutyFactory(member=m, kind=DutyKind.OPINION, date=d(5, 1), outcome=DutyOutcome.ADOPTED_CITY)
    DutyFactory(member=m, kind=DutyKind.RESEARCH, date=d(6, 1))
    DutyFactory(member=m, kind=DutyKind.DEED, date=d(7, 1))
    DutyFactory(member=m, kind=DutyKind.DEED, date=d(7, 2), status="planned")  # not counted
    DutyFactory(member=m, kind=DutyKind.RESEARCH, date=d(7, 3), status="cancelled")  # not counted
    for day in (1, 2, 3):
        session = ConsultationFactory(
            venue=world.venue_a, held_at=datetime.datetime(YEAR, 8, day, 9, tzinfo=SH)
        )
        AttendanceFactory(consultation=session, member=m, status="present")
    absent = ConsultationFactory(
        venue=world.venue_a, held_at=datetime.datetime(YEAR, 8, 9, tzinfo=SH)
    )
    AttendanceFactory(consultation=absent, member=m, status="absent")
    DutyShiftFactory(member=m, venue=world.venue_a, date=d(9, 1), status="done")
    DutyShiftFactory(member=m, venue=world.venue_a, date=d(9, 2), status="missed")

    result = pts(m)
    by_kind = result.by_kind()
    # proposals 2 × 10 = 20; filed bonus 1 × 5 = 5; opinion 1 × 5 = 5; city adoption 1 × 5 = 5;
    # research 1 × 5 = 5; deed 1 × 5 = 5; attendance 3 × 2 = 6; duty day 1 × 2 = 2.
    assert by_kind[PointKind.PROPOSAL].points == 20
    assert by_kind[PointKind.PROPOSAL_FILED].points == 5
    assert by_kind[PointKind.OPINION].points == 5
    assert by_kind[PointKind.OPINION_CITY].points == 5
    assert by_kind[PointKind.RESEARCH].points == 5
    assert by_kind[PointKind.DEED].points == 5
    assert by_kind[PointKind.ATTENDANCE].count == 3
    assert by_kind[PointKind.ATTENDANCE].points == 6
    assert by_kind[PointKind.DUTY_DAY].points == 2
    assert result.total == 20 + 5 + 5 + 5 + 5 + 5 + 6 + 2  # 53
    assert result.band == "不称职"


def test_caps_and_adoption_levels(world):
    m = world.member_b
    for month in range(1, 6):  # 5 proposals, all answered (answered implies filed)
        DutyFactory(member=m, kind=DutyKind.PROPOSAL, date=d(month, 10), outcome="answered")
    levels = ["adopted_district", "adopted_province", "adopted_national", "not_adopted"]
    for i, outcome in enumerate(levels):
        DutyFactory(member=m, kind=DutyKind.OPINION, date=d(6, i + 1), outcome=outcome)
    by_kind = pts(m).by_kind()
    # proposals 5 × 10 = 50 → cap 30; filed bonus 5 × 5 = 25 → cap 15.
    assert (by_kind[PointKind.PROPOSAL].points, by_kind[PointKind.PROPOSAL].capped) == (30, True)
    assert by_kind[PointKind.PROPOSAL_FILED].points == 15
    # opinions 4 × 5 = 20 (cap 30, not reached); adoption bonuses 区 2, 省 10, 全国 20 (no cap).
    assert (by_kind[PointKind.OPINION].points, by_kind[PointKind.OPINION].capped) == (20, False)
    assert by_kind[PointKind.OPINION_DISTRICT].points == 2
    assert by_kind[PointKind.OPINION_PROVINCE].points == 10
    assert by_kind[PointKind.OPINION_NATIONAL].points == 20
    assert by_kind[PointKind.OPINION_CITY].points == 0
    # total 30 + 15 + 20 + 2 + 10 + 20 = 97 (the world's attendance is this year, not YEAR)
    assert pts(m).total == 97
    assert pts(m).band == "优秀"


def test_rule_edits_change_the_result_for_that_year_only(world, root):
    m = world.member_a
    DutyFactory(member=m, kind=DutyKind.PROPOSAL, date=d(3, 1))
    DutyFactory(member=m, kind=DutyKind.PROPOSAL, date=d(3, 1, YEAR + 1))
    assert pts(m).by_kind()[PointKind.PROPOSAL].points == 10
    point_rules_save(actor=root, year=YEAR, rules={PointKind.PROPOSAL: (8, 12)})
    assert pts(m).by_kind()[PointKind.PROPOSAL].points == 8  # 1 × 8
    DutyFactory(member=m, kind=DutyKind.PROPOSAL, date=d(3, 2))
    assert pts(m).by_kind()[PointKind.PROPOSAL].points == 12  # 2 × 8 = 16 → cap 12
    # the next year still uses the defaults
    assert pts(m, YEAR + 1).by_kind()[PointKind.PROPOSAL].points == 10


def test_year_boundaries_in_shanghai_time(world):
    m = world.member_a
    late = ConsultationFactory(
        venue=world.venue_a, held_at=datetime.datetime(YEAR, 12, 31, 23, 30, tzinfo=SH)
    )
    early = ConsultationFactory(
        venue=world.venue_a, held_at=datetime.datetime(YEAR + 1, 1, 1, 0, 30, tzinfo=SH)
    )  # 2025-12-31 16:30 UTC, yet 2026 in Shanghai
    AttendanceFactory(consultation=late, member=m)
    AttendanceFactory(consultation=early, member=m)
    DutyFactory(member=m, kind=DutyKind.DEED, date=d(12, 31))
    DutyFactory(member=m, kind=DutyKind.DEED, date=d(1, 1, YEAR + 1))
    this, nxt = pts(m).by_kind(), pts(m, YEAR + 1).by_kind()
    assert this[PointKind.ATTENDANCE].count == 1 and nxt[PointKind.ATTENDANCE].count == 1
    assert this[PointKind.DEED].count == 1 and nxt[PointKind.DEED].count == 1


def test_bands(settings):
    from members.points import band_for

    assert [band_for(n) for n in (100, 90, 89, 80, 79, 60, 59, 0)] == [
        "优秀", "优秀", "良好", "良好", "称职", "称职", "不称职", "不称职",
    ]  # fmt: skip
    settings.MEMBER_POINT_BANDS = [(50, "合格"), (0, "不合格")]
    assert band_for(50) == "合格" and band_for(49) == "不合格"


def test_member_points_fixed_queries(world):
    few = [MemberFactory(area=world.district_a) for _ in range(2)]
    many = [MemberFactory(area=world.district_a) for _ in range(20)]
    for m in many:
        DutyFactory(member=m, kind=DutyKind.RESEARCH, date=d(2, 2))
    with CaptureQueriesContext(connection) as two:
        member_points(few, YEAR)
    with CaptureQueriesContext(connection) as twenty:
        result = member_points(many, YEAR)
    # rules, the year's bands (PointBand, +1 since bands became yearly data), three record counts,
    # the 社情民意 adoptions (proposals.points, +1 since issue 15)
    assert len(two) == len(twenty) == 6
    assert all(r.by_kind()[PointKind.RESEARCH].points == 5 for r in result.values())
    bands = bands_for_year(YEAR)
    with CaptureQueriesContext(connection) as given_bands:
        member_points(many, YEAR, bands=bands)
    assert len(given_bands) == 5  # a caller that already loaded the bands saves the query


# --- ranking page ---


def _rank(client, **params):
    return client.get(reverse("members:ranking"), {"year": YEAR, **params})


def test_ranking_orders_by_total_with_bands(world, office_staff):
    strong = MemberFactory(name="强委员", area=world.district_a)
    for month in range(1, 4):
        DutyFactory(member=strong, kind=DutyKind.PROPOSAL, date=d(month, 1), outcome="filed")
    for kind in (DutyKind.RESEARCH, DutyKind.DEED, DutyKind.OPINION):
        for month in range(1, 5):
            DutyFactory(member=strong, kind=kind, date=d(month, 2))
    # 30 + 15 + research 20 + deed 20 + opinion 20 = 105 → 优秀
    response = _rank(client_for(office_staff))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows[0]["member"] == strong and rows[0]["points"].total == 105
    assert rows[0]["points"].band == "优秀"
    names = [r["member"].name for r in rows]
    assert "王芳" not in names  # district B's member is out of scope
    assert "优秀" in response.content.decode()


def test_ranking_area_filter_within_scope(world, leader):
    client = client_for(leader)
    names = {r["member"].name for r in _rank(client).context["rows"]}
    assert {"李明", "王芳"} <= names
    only_b = _rank(client, area=world.district_b.pk).context["rows"]
    assert [r["member"].name for r in only_b] == ["王芳"]


def test_ranking_area_outside_scope_is_ignored(world, office_staff):
    response = _rank(client_for(office_staff), area=world.district_b.pk)
    assert response.status_code == 200
    assert "王芳" not in {r["member"].name for r in response.context["rows"]}


def test_ranking_query_count_2_vs_20(world, office_staff, django_assert_num_queries):
    client = client_for(office_staff)
    client.get(reverse("members:ranking"))  # warm up session / scope

    def count(n_members):
        for _ in range(n_members):
            m = MemberFactory(area=world.district_a)
            DutyFactory(member=m, kind=DutyKind.DEED, date=d(5, 5))
        with CaptureQueriesContext(connection) as ctx:
            assert _rank(client).status_code == 200
        return len(ctx)

    assert count(1) == count(18)  # 2 members (李明 + 1), then 20


def test_ranking_export_csv_and_xlsx(world, office_staff):
    DutyFactory(member=world.member_a, kind=DutyKind.RESEARCH, date=d(4, 4))
    client = client_for(office_staff)
    csv = _rank(client, export="csv")
    body = b"".join(csv.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff名次,姓名")
    assert "李明" in body and "王芳" not in body
    xlsx = _rank(client, export="xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = list(sheet.values)
    assert values[0][0] == "名次" and values[1][1] == "李明"
    assert values[1][-2] == 5 and values[1][-1] == "不称职"


def test_ranking_ties_share_a_rank_on_the_page_and_in_the_export(world, office_staff):
    """Standard competition ranking: 10, 10, 5, 0 → 1, 1, 3, 4 (the next rank skips)."""
    made = (("甲委员", "research", 2), ("乙委员", "deed", 2), ("丙委员", "deed", 1))
    for name, kind, count in made:
        member = MemberFactory(name=name, area=world.district_a)
        for day in range(1, count + 1):
            DutyFactory(member=member, kind=kind, date=d(5, day))
    client = client_for(office_staff)
    response = _rank(client)
    rows = {r["member"].name: (r["rank"], r["points"].total) for r in response.context["rows"]}
    assert rows == {"甲委员": (1, 10), "乙委员": (1, 10), "丙委员": (3, 5), "李明": (4, 0)}
    page = response.content.decode()
    assert re.findall(r"<tr>\s*<td>(\d+)</td>", page) == ["1", "1", "3", "4"]
    body = b"".join(_rank(client, export="csv").streaming_content).decode("utf-8")
    exported = dict(reversed(line.split(",")[:2]) for line in body.splitlines()[1:])
    assert exported == {"甲委员": "1", "乙委员": "1", "丙委员": "3", "李明": "4"}


def test_ranking_forbidden_to_members(world, member_user):
    assert _rank(client_for(member_user)).status_code == 403


# --- point rules page ---


def _rules_post(year, overrides=None):
    data = {"form-TOTAL_FORMS": str(len(PointKind)), "form-INITIAL_FORMS": str(len(PointKind))}
    from members.points import DEFAULT_POINT_RULES

    for i, kind in enumerate(PointKind):
        points, cap = (overrides or {}).get(kind, DEFAULT_POINT_RULES[kind])
        data[f"form-{i}-kind"] = kind.value
        data[f"form-{i}-points"] = str(points)
        data[f"form-{i}-cap"] = "" if cap is None else str(cap)
    return data | bands_post(settings.MEMBER_POINT_BANDS)


def bands_post(bands, blank_rows=2):
    """The band rows of the rules page as the browser posts them (with blank extra rows)."""
    rows = [*bands, *[("", "")] * blank_rows]
    data = {"band-TOTAL_FORMS": str(len(rows)), "band-INITIAL_FORMS": str(len(bands))}
    for i, (lowest, label) in enumerate(rows):
        data[f"band-{i}-label"] = label
        data[f"band-{i}-lowest"] = str(lowest)
    return data


def test_point_rules_admin_and_city_office_save(world, root):
    url = reverse("members:point_rules") + f"?year={YEAR}"
    assert client_for(root).get(url).status_code == 200
    response = client_for(root).post(url, _rules_post(YEAR, {PointKind.DEED: (7, None)}))
    assert response.status_code == 302
    assert PointRule.objects.filter(year=YEAR).count() == len(PointKind)
    deed = PointRule.objects.get(year=YEAR, kind=PointKind.DEED)
    assert (deed.points, deed.cap) == (7, None)
    from ..factories import make_staff

    city_office = make_staff(world.city, "office_city")
    response = client_for(city_office).post(url, _rules_post(YEAR, {PointKind.DEED: (6, 18)}))
    assert response.status_code == 302
    deed.refresh_from_db()
    assert (deed.points, deed.cap) == (6, 18)


def test_point_rules_validation_keeps_input(world, root):
    url = reverse("members:point_rules") + f"?year={YEAR}"
    data = _rules_post(YEAR)
    data["form-0-points"] = "-3"
    data["form-1-points"] = "9"
    response = client_for(root).post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html and 'value="9"' in html
    assert not PointRule.objects.exists()


@pytest.mark.parametrize("who", ["office_staff", "leader", "member_user"])
def test_point_rules_post_forbidden(world, who, request):
    user = request.getfixturevalue(who)
    url = reverse("members:point_rules") + f"?year={YEAR}"
    response = client_for(user).post(url, _rules_post(YEAR, {PointKind.DEED: (50, None)}))
    assert response.status_code == 403
    assert not PointRule.objects.exists()


def test_point_rules_district_office_reads_only(world, office_staff):
    response = client_for(office_staff).get(reverse("members:point_rules"))
    assert response.status_code == 200 and response.context["can_edit"] is False


def test_point_rules_anonymous_to_login(world):
    from django.test import Client

    response = Client().post(reverse("members:point_rules"), _rules_post(YEAR))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not PointRule.objects.exists()


# --- duty form ---


def _duty_data(**extra):
    return {
        "kind": "proposal",
        "date": "2021-03-03",
        "title": "关于加装电梯的提案",
        "status": "done",
        "outcome": "filed",
        "note": "",
        **extra,
    }


def test_duty_add_by_office(world, office_staff):
    url = reverse("members:duty_add", args=[world.member_a.pk])
    client = client_for(office_staff)
    assert client.get(url).status_code == 200
    response = client.post(url, _duty_data())
    assert response.status_code == 302
    duty = Duty.objects.get(member=world.member_a, title="关于加装电梯的提案")
    assert (duty.kind, duty.outcome, duty.date) == ("proposal", "filed", d(3, 3))
    # recorded duty feeds the points: 10 + filed bonus 5
    assert pts(world.member_a).by_kind()[PointKind.PROPOSAL_FILED].points == 5


def test_duty_outcome_must_fit_kind(world, office_staff):
    url = reverse("members:duty_add", args=[world.member_a.pk])
    response = client_for(office_staff).post(url, _duty_data(kind="research"))
    assert response.status_code == 200
    assert "调研没有结果可选" in response.content.decode()
    assert "关于加装电梯的提案" in response.content.decode()  # what was typed stays
    assert not Duty.objects.exists()


@pytest.mark.parametrize(
    ("kind", "outcome", "message"),
    [
        ("opinion", "filed", "社情民意只能选择:未采用、区级采用、市级采用、省级采用、全国采用。"),
        ("proposal", "adopted_city", "提案只能选择:立案、不立案、已办复。"),
    ],
)
def test_duty_outcome_message_lists_choices_in_order(world, office_staff, kind, outcome, message):
    url = reverse("members:duty_add", args=[world.member_a.pk])
    response = client_for(office_staff).post(url, _duty_data(kind=kind, outcome=outcome))
    assert response.status_code == 200
    assert response.context["form"].errors["outcome"] == [message]
    assert not Duty.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("leader", 403), ("member_user", 403), ("other_staff", 404)]
)
def test_duty_add_forbidden(world, who, status, request):
    user = request.getfixturevalue(who)
    url = reverse("members:duty_add", args=[world.member_a.pk])
    assert client_for(user).post(url, _duty_data()).status_code == status
    assert not Duty.objects.exists()


def test_duty_add_anonymous_to_login(world):
    from django.test import Client

    url = reverse("members:duty_add", args=[world.member_a.pk])
    response = Client().post(url, _duty_data())
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Duty.objects.exists()


def test_city_member_sent_down_is_not_recorded_by_district(world, office_staff):
    from ..factories import AssignmentFactory

    city_member = MemberFactory(area=world.city)
    AssignmentFactory(member=city_member, venue=world.venue_a)
    url = reverse("members:duty_add", args=[city_member.pk])
    assert client_for(office_staff).post(url, _duty_data()).status_code == 403
    assert not Duty.objects.exists()


# --- member home: 五个一 and points ---


def test_five_ones_checklist(world):
    m = world.member_a
    year = 2020
    DutyFactory(member=m, kind=DutyKind.PROPOSAL, date=d(3, 3, year))
    DutyFactory(member=m, kind=DutyKind.DEED, date=d(3, 3, year), status="planned")
    DutyFactory(member=m, kind=DutyKind.RESEARCH, date=d(3, 3, year + 1))
    session = ConsultationFactory(
        venue=world.venue_a, held_at=datetime.datetime(year, 6, 1, 9, tzinfo=SH)
    )
    AttendanceFactory(consultation=session, member=m)
    done = {item["kind"]: item["count"] for item in five_ones(member_id=m.pk, year=year)}
    assert done == {"proposal": 1, "research": 0, "consultation": 1, "opinion": 0, "deed": 0}
    # the member home derives the same checklist from the points' counts
    from_points = five_ones_from_points(member_points([m], year)[m.pk])
    assert {item["kind"]: item["count"] for item in from_points} == done


def test_member_home_shows_points(world, member_user):
    from django.utils import timezone

    today = timezone.localdate()
    DutyFactory(member=world.member_a, kind=DutyKind.PROPOSAL, date=today, outcome="filed")
    response = client_for(member_user).get(reverse("home"))
    assert response.status_code == 200
    points = response.context["points"]
    # proposal 10 + filed 5 + the world's session attended two days ago 2 (if still this year)
    attended = 2 if (today - datetime.timedelta(days=2)).year == today.year else 0
    assert points.total == 10 + 5 + attended
    html = response.content.decode()
    assert "今年履职积分" in html and "提案立案加分" in html
    assert "五个一" in html


def test_no_account_user_gets_403(world):
    user = UserFactory(username="nobody")
    assert _rank(client_for(user)).status_code == 403


def test_point_rules_page_shows_defaults_then_saved_values(world, root):
    client = client_for(root)
    url = reverse("members:point_rules") + f"?year={YEAR}"
    forms = client.get(url).context["formset"].forms
    deed = next(f for f in forms if f.initial["kind"] == PointKind.DEED)
    assert (deed.initial["points"], deed.initial["cap"]) == (5, 20)  # default, nothing saved
    client.post(url, _rules_post(YEAR, {PointKind.DEED: (9, None)}))
    forms = client.get(url).context["formset"].forms
    deed = next(f for f in forms if f.initial["kind"] == PointKind.DEED)
    assert (deed.initial["points"], deed.initial["cap"]) == (9, None)
    # another year still shows the defaults
    other = client.get(reverse("members:point_rules") + f"?year={YEAR + 1}").context["formset"]
    assert (
        next(f for f in other.forms if f.initial["kind"] == PointKind.DEED).initial["points"] == 5
    )
