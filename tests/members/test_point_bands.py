"""Bands (等次) as yearly data edited with the point rules (issue 5, item 3): defaults from
settings, the rules page's band rows and their validation, who may save, and the ranking, its
export and the member file using the year's bands with a fixed number of queries."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.duty_services import point_bands_save, point_year_save
from members.models import DutyKind, PointBand, PointKind, PointRule
from members.points import Band, band_for, bands_for_year, member_points

from ..conftest import client_for
from ..factories import DutyFactory, MemberFactory
from .test_points import _rules_post, bands_post

YEAR = 2021
CUSTOM = [(50, "合格"), (0, "不合格")]


def rules_url(year=YEAR):
    return reverse("members:point_rules") + f"?year={year}"


def post_bands(bands, rule_overrides=None, blank_rows=2):
    """The whole rules page as posted: the rules (defaults unless overridden) and ``bands``."""
    data = _rules_post(YEAR, rule_overrides)
    data = {k: v for k, v in data.items() if not k.startswith("band-")}
    return data | bands_post(bands, blank_rows=blank_rows)


def give_points(member, n_deeds=0, n_proposals=0, year=YEAR):
    """Deeds are 5 points each (cap 20), proposals 10 each (cap 30) under the default rules."""
    for i in range(n_deeds):
        DutyFactory(member=member, kind=DutyKind.DEED, date=datetime.date(year, 3, i + 1))
    for i in range(n_proposals):
        DutyFactory(member=member, kind=DutyKind.PROPOSAL, date=datetime.date(year, 4, i + 1))


def saved_bands(year=YEAR):
    return sorted(PointBand.objects.filter(year=year).values_list("lowest", "label"), reverse=True)


# --- defaults ---


def test_year_without_rows_uses_settings(db, settings):
    assert bands_for_year(YEAR) == [
        Band(90, "优秀"), Band(80, "良好"), Band(60, "称职"), Band(0, "不称职"),
    ]  # fmt: skip
    settings.MEMBER_POINT_BANDS = [(0, "不合格"), (50, "合格")]  # any order in settings
    assert bands_for_year(YEAR) == [Band(50, "合格"), Band(0, "不合格")]


def test_rules_page_shows_default_bands_with_blank_rows(world, admin_user):
    response = client_for(admin_user).get(rules_url())
    assert response.status_code == 200
    band_formset = response.context["band_formset"]
    assert [(f.initial.get("lowest"), f.initial.get("label")) for f in band_formset] == [
        (90, "优秀"), (80, "良好"), (60, "称职"), (0, "不称职"), (None, None), (None, None),
    ]  # fmt: skip
    html = response.content.decode()
    assert 'name="band-0-label"' in html and 'value="优秀"' in html
    assert 'for="id_band-5-lowest"' in html  # every input has a label


def test_member_below_every_saved_band_gets_the_lowest():
    # A set saved through the admin may lack a band from 0; the page never saves one.
    bands = [Band(80, "好"), Band(40, "中")]
    assert [band_for(n, bands) for n in (90, 40, 3)] == ["好", "中", "中"]


# --- saving ---


def test_saving_custom_bands_changes_the_ranking(world, admin_user, office_staff):
    give_points(world.member_a, n_deeds=1, n_proposals=3)  # 5 + 30 = 35
    strong = MemberFactory(name="强委员", area=world.district_a)
    give_points(strong, n_deeds=4, n_proposals=3)  # 20 + 30 = 50
    ranking = reverse("members:ranking")
    before = {
        r["member"].name: r["points"].band
        for r in client_for(office_staff).get(ranking, {"year": YEAR}).context["rows"]
    }
    assert before == {"强委员": "不称职", "李明": "不称职"}

    response = client_for(admin_user).post(rules_url(), post_bands(CUSTOM))
    assert response.status_code == 302
    assert saved_bands() == CUSTOM
    assert saved_bands(YEAR + 1) == []  # only the year on the page

    response = client_for(office_staff).get(ranking, {"year": YEAR})
    rows = {r["member"].name: r for r in response.context["rows"]}
    assert rows["强委员"]["points"].total == 50 and rows["强委员"]["points"].band == "合格"
    assert rows["李明"]["points"].total == 35 and rows["李明"]["points"].band == "不合格"
    assert rows["强委员"]["band_tone"] == "text-bg-success"
    assert rows["李明"]["band_tone"] == "text-bg-warning"
    html = response.content.decode()
    assert "合格 ≥ 50 分,不合格 &lt; 50 分" in html  # the legend is the year's bands
    assert "优秀" not in html

    csv = client_for(office_staff).get(ranking, {"year": YEAR, "export": "csv"})
    body = b"".join(csv.streaming_content).decode("utf-8")
    assert "强委员" in body and ",50,合格" in body and ",35,不合格" in body

    # Another year still ranks on the defaults.
    other = client_for(office_staff).get(ranking, {"year": YEAR + 1}).context["rows"]
    assert {r["points"].band for r in other} == {"不称职"}


def test_resaving_swaps_renames_and_removes_bands(world, admin_user):
    client = client_for(admin_user)
    assert client.post(rules_url(), post_bands(CUSTOM)).status_code == 302
    # Swap the two thresholds' labels, add a band, and clear one row (its blank row deletes it).
    data = post_bands([(0, "合格"), (50, "不合格"), (80, "优秀")])
    assert client.post(rules_url(), data).status_code == 302
    assert saved_bands() == [(80, "优秀"), (50, "不合格"), (0, "合格")]
    data = post_bands([(80, "优秀"), ("", ""), (0, "一般")])
    response = client.post(rules_url(), data, follow=True)
    assert saved_bands() == [(80, "优秀"), (0, "一般")]
    assert "等次变更" in response.content.decode()
    history = PointBand.history.filter(year=YEAR)
    assert history.filter(history_type="-").exists()
    assert set(history.values_list("history_user", flat=True)) == {admin_user.pk}


def test_unchanged_page_saves_the_year_once_then_changes_nothing(world, admin_user):
    client = client_for(admin_user)
    client.post(rules_url(), post_bands([(90, "优秀"), (80, "良好"), (60, "称职"), (0, "不称职")]))
    assert len(saved_bands()) == 4
    versions = PointBand.history.count()
    client.post(rules_url(), post_bands([(90, "优秀"), (80, "良好"), (60, "称职"), (0, "不称职")]))
    assert PointBand.history.count() == versions


# --- validation: a Chinese message next to the row, everything typed kept, nothing written ---

INVALID = [
    # (bands posted, row with the error or None for the whole set, field, message or its start)
    ([(50, "合格"), (0, "")], 1, "label", "请填写等次名称。"),
    ([(50, "合格"), ("", "不合格"), (0, "差")], 1, "lowest", "请填写该等次的最低分。"),
    ([(50, "合格"), (0, "合格")], 1, "label", "等次名称“合格”重复了,请换一个名称。"),
    ([(50, "合格"), (50, "良好"), (0, "差")], 1, "lowest", "已有等次的最低分是 50,最低分不能重复"),
    ([(50, "合格"), (-5, "不合格")], 1, "lowest", "最低分不能小于 0。"),
    ([(50, "合格"), ("abc", "不合格")], 1, "lowest", "最低分请填写整数。"),
    ([(50, "合格"), (0, "不合格" * 10)], 1, "label", "等次名称不能超过 20 个字。"),
    ([(50, "合格"), (20, "不合格")], None, None, "必须有一个最低分为 0 的等次"),
    ([], None, None, "请至少设置一个等次"),
]


@pytest.mark.parametrize(("bands", "row", "field", "message"), INVALID)
def test_band_validation_message_next_to_row_keeps_input(
    world, admin_user, bands, row, field, message
):
    data = post_bands(bands, rule_overrides={PointKind.DEED: (9, 27)})
    response = client_for(admin_user).post(rules_url(), data)
    assert response.status_code == 200
    html = response.content.decode()
    if row is None:
        assert message in response.context["band_formset"].non_form_errors()[0]
        assert 'class="alert alert-danger" role="alert"' in html and message in html
    else:
        error_id = f"id_band-{row}-{field}-error"
        assert f'<div class="invalid-feedback" id="{error_id}">{message}' in html
        assert f'aria-describedby="{error_id}"' in html
    # Everything typed is still there: the bands and the rules.
    for lowest, label in bands:
        assert f'value="{label}"' in html and f'value="{lowest}"' in html
    deed = PointKind.values.index(PointKind.DEED)
    assert f'name="form-{deed}-points" id="id_form-{deed}-points" value="9"' in html
    assert f'name="form-{deed}-cap" id="id_form-{deed}-cap" value="27"' in html
    assert not PointBand.objects.exists() and not PointRule.objects.exists()


def test_every_row_error_shows_at_once(world, admin_user):
    data = post_bands([(50, "合格"), (50, "合格"), (20, "")])
    response = client_for(admin_user).post(rules_url(), data)
    html = response.content.decode()
    assert 'id="id_band-1-label-error">等次名称“合格”重复了' in html
    assert 'id="id_band-1-lowest-error">已有等次的最低分是 50' in html
    assert 'id="id_band-2-label-error">请填写等次名称。' in html
    # the set-wide check (a band from 0) waits until the rows are right
    assert not response.context["band_formset"].non_form_errors()
    assert not PointBand.objects.exists()


def test_invalid_rule_keeps_typed_bands(world, admin_user):
    data = post_bands(CUSTOM)
    data["form-0-points"] = "-1"
    response = client_for(admin_user).post(rules_url(), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="合格"' in html and 'value="50"' in html
    assert not PointBand.objects.exists() and not PointRule.objects.exists()


def test_rules_and_bands_saved_in_one_transaction(world, admin_user):
    rules = {kind: (3, None) for kind in PointKind.values}
    with pytest.raises(ValidationError):
        point_year_save(actor=admin_user, year=YEAR, rules=rules, bands=[(50, "合格")])
    assert not PointRule.objects.exists() and not PointBand.objects.exists()
    assert point_year_save(actor=admin_user, year=YEAR, rules=rules, bands=CUSTOM) == (12, 2)


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([(50, "合格"), (0, " ")], "等次名称不能为空。"),
        ([(50, "合格"), (0, "合格")], "等次名称不能重复。"),
        ([(0, "合格"), (0, "不合格")], "等次的最低分不能重复。"),
        ([(50, "合格"), (-1, "不合格"), (0, "差")], "最低分不能小于 0。"),
        ([(50, "合格")], "必须有一个最低分为 0 的等次。"),
    ],
)
def test_service_checks_the_set_too(world, admin_user, bands, message):
    with pytest.raises(ValidationError) as error:
        point_bands_save(actor=admin_user, year=YEAR, bands=bands)
    assert error.value.messages == [message]
    assert not PointBand.objects.exists()


# --- who may save ---


@pytest.mark.parametrize("who", ["office_staff", "leader", "member_user"])
def test_band_post_forbidden(world, who, request):
    user = request.getfixturevalue(who)
    response = client_for(user).post(rules_url(), post_bands(CUSTOM))
    assert response.status_code == 403
    assert not PointBand.objects.exists() and not PointRule.objects.exists()
    with pytest.raises(PermissionDenied):
        point_bands_save(actor=user, year=YEAR, bands=CUSTOM)
    assert not PointBand.objects.exists()


def test_band_post_anonymous_to_login(world):
    response = Client().post(rules_url(), post_bands(CUSTOM))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not PointBand.objects.exists()


def test_district_office_sees_bands_read_only(world, office_staff):
    PointBand.objects.create(year=YEAR, label="合格", lowest=50)
    PointBand.objects.create(year=YEAR, label="不合格", lowest=0)
    response = client_for(office_staff).get(rules_url())
    assert response.status_code == 200 and response.context["can_edit"] is False
    html = response.content.decode()
    assert 'value="合格"' in html and "disabled" in html
    assert f"保存{YEAR}年规则和等次" not in html


def test_city_office_may_save_bands(world):
    from ..factories import make_staff

    city_office = make_staff(world.city, "office_city")
    assert client_for(city_office).post(rules_url(), post_bands(CUSTOM)).status_code == 302
    assert saved_bands() == CUSTOM


def test_a_save_that_collides_with_another_keeps_what_was_typed(world, monkeypatch):
    """Two first saves of a year at once (SQLite has no row locks): the loser is told, and the
    page comes back with everything typed."""
    from django.db import IntegrityError

    from members import point_views

    from ..factories import make_staff

    def collide(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: members_pointband.year, label")

    monkeypatch.setattr(point_views, "point_year_save", collide)
    city_office = make_staff(world.city, "office_city")
    response = client_for(city_office).post(rules_url(), post_bands([(70, "合格线"), (0, "其他")]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "他人刚刚保存了同一年度的规则" in html
    assert 'value="合格线"' in html and 'value="70"' in html
    assert not PointBand.objects.exists()


# --- the year's bands, loaded once ---


def test_member_file_and_home_use_the_years_bands(world, office_staff, member_user):
    year = timezone.localdate().year
    PointBand.objects.create(year=year, label="达标", lowest=0)
    PointBand.objects.create(year=year, label="先进", lowest=500)
    detail = client_for(office_staff).get(reverse("members:detail", args=[world.member_a.pk]))
    assert "分 · 达标" in detail.content.decode()
    home = client_for(member_user).get(reverse("home"))
    assert "分 · 达标" in home.content.decode()


def test_ranking_query_count_same_for_2_and_20_members_one_band_query(world, office_staff):
    PointBand.objects.create(year=YEAR, label="合格", lowest=50)
    PointBand.objects.create(year=YEAR, label="不合格", lowest=0)
    client = client_for(office_staff)
    client.get(reverse("members:ranking"))  # warm up session / scope

    def count(n_members):
        for _ in range(n_members):
            give_points(MemberFactory(area=world.district_a), n_deeds=2)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("members:ranking"), {"year": YEAR})
        assert {r["points"].band for r in response.context["rows"]} <= {"合格", "不合格"}
        band_queries = [q for q in ctx.captured_queries if "members_pointband" in q["sql"]]
        assert len(band_queries) == 1
        return len(ctx), len(response.context["rows"])

    small, rows_small = count(1)  # 李明 + 1
    large, rows_large = count(18)
    assert (rows_small, rows_large) == (2, 20)
    assert small == large


def test_member_points_loads_bands_once_for_any_number(world):
    PointBand.objects.create(year=YEAR, label="合格", lowest=5)
    PointBand.objects.create(year=YEAR, label="不合格", lowest=0)
    members = [MemberFactory(area=world.district_a) for _ in range(20)]
    give_points(members[0], n_deeds=1)
    with CaptureQueriesContext(connection) as ctx:
        result = member_points(members, YEAR)
    assert sum("members_pointband" in q["sql"] for q in ctx.captured_queries) == 1
    assert result[members[0].pk].band == "合格" and result[members[1].pk].band == "不合格"
