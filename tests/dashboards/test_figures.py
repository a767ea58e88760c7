"""Every headline figure against numbers worked out by hand on ``figure_world`` (see its
docstring for the records), on SQLite and PostgreSQL alike."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import records
from dashboards.figures import (
    DEFINITIONS,
    FIGURE_KEYS,
    child_rows,
    compute,
    headline,
    median_from_histogram,
    percent,
)
from dashboards.periods import Period
from platforms.models import AreaLevel
from tests.factories import ConsultationFactory, TopicFactory, VenueFactory, make_area

from . import record_sets
from .figure_world import PERIOD, TODAY

pytestmark = pytest.mark.django_db

# Worked out by hand from the figure_world docstring (2025, seen on 2025-12-31).
CITY_2025 = {
    "venue_coverage": 66.7,  # K1 K3 of K1 K3 K4
    # Issue 14 (see figure_world): Sa T1 T2, Sb T1 T10, Sc T11 — T1 once
    "agenda_topics": 4,
    "accepted_resolved": 5,  # T1 T2 T3 T5 T11
    "on_time_rate": 25.0,  # due in 2025: T1 T2 T3 T10; on time: T3
    "avg_days": 12.0,  # working days 6, 12, 18
    "reopened": 1,  # T8
    "follow_up_open": 1,  # T3
    "members_present": 3,  # Sa M1, Sb M1 M2
    "members_distinct": 2,  # M1 M2
    "residents": 25,  # 12 + 8 + 5 (+ Sf 0)
    "departments": 2,  # 住建局, 水务局
    # T1 T2 T3 T5 T6 T8 T9 T10 T11 T12 (T7 merged; T4, T13 raised in 2024)
    "raised": 10,
    # the raised ones but T6 (declined) and T9 (still raised)
    "accepted": 8,
    # T1 T2 T3 T4 T11 by resolved_on (T5 resolved in 2026)
    "resolved": 5,
    # of the 8 accepted (T1 T2 T3 T5 T8 T10 T11 T12), now resolved: T1 T2 T3 T5 T11
    # (T5 was resolved in 2026: the rate goes by the current status, like "accepted")
    "resolution_rate": 62.5,
    # working days 6, 12, 18 (T1 T2 T3, the referred ones)
    "median_days": 12.0,
    # T8 (own deadline), T10 (late referral)
    "overdue": 2,
    # rated among resolved: T1 满意, T3 不满意, T4 基本满意, T11 满意 (T2 unrated)
    "satisfaction": 75.0,
    # Sa Sb Sc Sf (Sd is 2026-01-01 in Beijing time)
    "sessions": 4,
    # Sa 1 of 3, Sb 2 of 2, Sc none
    "participation": 60.0,
    # M1 M2 M3 M5 (M4 inactive): M1, M3 complete
    "five_ones": 50.0,
    # V1, V3 (V2's session is in 2026, V4 not in use)
    "active_venues": 2,
    # V1 only: V2 held no session, V3's 有流程 is dated 2026
    "standard_venues": 1,
}
CITY_2024 = {
    "venue_coverage": 66.7,  # "now"
    "agenda_topics": 1,  # Se: T13
    "accepted_resolved": 2,
    "on_time_rate": None,  # no referral due in 2024
    "avg_days": None,
    "reopened": 0,
    "follow_up_open": 1,  # "now"
    "members_present": 1,
    "members_distinct": 1,
    "residents": 3,
    "departments": 0,
    "raised": 2,  # T4, T13
    "accepted": 2,
    "resolved": 1,  # T13
    "resolution_rate": 100.0,  # T4 and T13 both resolved now (T4 in 2025)
    "median_days": None,  # T13 was never referred
    "overdue": 2,  # "now": the same as above
    "satisfaction": None,  # T13 unrated
    "sessions": 1,  # Se
    "participation": 100.0,
    "five_ones": 0.0,
    "active_venues": 1,
    "standard_venues": 0,  # the records are dated 2025
}
D1_2025 = {
    "venue_coverage": 100.0,  # K1
    "agenda_topics": 3,  # T1 T2 T10
    "accepted_resolved": 4,
    "on_time_rate": 25.0,
    "avg_days": 12.0,
    "reopened": 1,
    "follow_up_open": 1,
    "members_present": 3,
    "members_distinct": 2,
    "residents": 20,
    "departments": 1,
    "raised": 9,
    "accepted": 7,
    "resolved": 4,  # T1 T2 T3 T4
    "resolution_rate": 57.1,  # T1 T2 T3 T5 of T1 T2 T3 T5 T8 T10 T12
    "median_days": 12.0,  # working days 6 12 18
    "overdue": 2,
    "satisfaction": 66.7,  # 2 / 3
    "sessions": 3,  # Sa Sb Sf
    "participation": 60.0,
    "five_ones": 50.0,  # M1 of M1, M2
    "active_venues": 1,
    "standard_venues": 1,
}
D2_2025 = {
    "venue_coverage": 50.0,  # K3 of K3 K4
    "agenda_topics": 1,
    "accepted_resolved": 1,
    "on_time_rate": None,
    "avg_days": None,
    "reopened": 0,
    "follow_up_open": 0,
    "members_present": 0,
    "members_distinct": 0,
    "residents": 5,
    "departments": 1,
    "raised": 1,
    "accepted": 1,
    "resolved": 1,
    "resolution_rate": 100.0,
    "median_days": None,  # T11 was not referred
    "overdue": 0,
    "satisfaction": 100.0,
    "sessions": 1,
    "participation": None,  # Sc has no attendance rows
    "five_ones": 100.0,  # M3
    "active_venues": 1,
    "standard_venues": 0,
}
S1_2025 = {
    **D1_2025,
    "raised": 8,
    "accepted": 6,
    "resolution_rate": 66.7,  # 4 / 6 (T12 is on S2)
    "accepted_resolved": 4,
    "five_ones": None,  # members belong to the district committee, not the subdistrict
}
S2_2025 = {
    "venue_coverage": None,  # no communities
    "agenda_topics": 0,
    "accepted_resolved": 0,
    "on_time_rate": None,
    "avg_days": None,
    "reopened": 0,
    "follow_up_open": 0,
    "members_present": 0,
    "members_distinct": 0,
    "residents": 0,
    "departments": 0,
    "raised": 1,
    "accepted": 1,
    "resolved": 0,
    "resolution_rate": 0.0,
    "median_days": None,
    "overdue": 0,
    "satisfaction": None,
    "sessions": 0,
    "participation": None,
    "five_ones": None,
    "active_venues": 0,
    "standard_venues": 0,
}
V1_2025 = {
    "venue_coverage": None,  # a venue covers no community
    "agenda_topics": 3,
    "accepted_resolved": 3,  # T1 T2 T5
    "on_time_rate": 0.0,  # T1 T2 late, T10 open
    "avg_days": 9.0,  # 6, 12
    "reopened": 0,
    "follow_up_open": 0,
    "members_present": 3,
    "members_distinct": 2,
    "residents": 20,
    "departments": 1,
    "raised": 6,  # T1 T2 T5 T6 T9 T10
    "accepted": 4,  # T1 T2 T5 T10
    "resolved": 3,  # T1 T2 T4
    "resolution_rate": 75.0,  # T1 T2 T5 of T1 T2 T5 T10
    "median_days": 9.0,  # working days 6 12
    "overdue": 1,  # T10
    "satisfaction": 100.0,  # T1 满意, T4 基本满意
    "sessions": 2,
    "participation": 60.0,
    "five_ones": 100.0,  # M1 and M3 were sent down in 2025 (M2 left in 2024)
    "active_venues": 1,
    "standard_venues": 1,
}
V2_2025 = {
    "venue_coverage": None,
    "agenda_topics": 0,  # Sd is in 2026
    "accepted_resolved": 1,
    "on_time_rate": 100.0,  # T3
    "avg_days": 18.0,
    "reopened": 1,  # T8
    "follow_up_open": 1,  # T3
    "members_present": 0,
    "members_distinct": 0,
    "residents": 0,
    "departments": 0,
    "raised": 2,  # T3 T8
    "accepted": 2,
    "resolved": 1,
    "resolution_rate": 50.0,
    "median_days": 18.0,
    "overdue": 1,
    "satisfaction": 0.0,
    "sessions": 0,
    "participation": None,
    "five_ones": 0.0,  # M2 planned the deed but has not done it
    "active_venues": 0,
    "standard_venues": 0,
}


def figures_only(values: dict) -> dict:
    return {key: values[key] for key in FIGURE_KEYS}


# These only read the figure world: it is built once for the class (tests/dashboards/conftest.py).
@pytest.mark.usefixtures("fw_once_per_class")
class TestFiguresByHand:
    @pytest.mark.parametrize(
        "name,expected",
        [
            ("C", CITY_2025),
            ("D1", D1_2025),
            ("D2", D2_2025),
            ("S1", S1_2025),
            ("K1", S1_2025),
            ("S2", S2_2025),
            ("V1", V1_2025),
            ("V2", V2_2025),
        ],
    )
    def test_every_figure_by_hand(self, fw, name, expected):
        assert figures_only(compute(fw.node(name), PERIOD)) == expected

    def test_previous_period_by_hand(self, fw):
        assert figures_only(compute(fw.node("C"), PERIOD.previous())) == CITY_2024

    def test_counts_behind_the_rates(self, fw):
        figures = compute(fw.node("C"), PERIOD)
        assert figures["declined"] == 1
        assert figures["accepted_resolved"] == 5
        assert (figures["rated"], figures["satisfied"]) == (4, 3)
        assert (figures["attendance_present"], figures["attendance_expected"]) == (3, 5)
        assert (figures["members_five_ones"], figures["members"]) == (2, 4)
        assert figures["venues"] == 3
        assert figures["histogram"] == {1: 1, 10: 1, 16: 1, 20: 1, 31: 1}

    def test_record_sets_list_the_rows_the_figures_count(self, fw):
        city = fw.node("C")
        names = lambda qs: sorted(qs.values_list("title", flat=True))  # noqa: E731
        assert names(records.topics_raised(city, PERIOD)) == sorted(
            ["T1", "T2", "T3", "T5", "T6", "T8", "T9", "T10", "T11", "T12"]
        )
        assert names(records.topics_resolved(city, PERIOD)) == ["T1", "T11", "T2", "T3", "T4"]
        assert names(record_sets.topics_declined(city, PERIOD)) == ["T6"]
        assert names(record_sets.topics_rated(city, PERIOD)) == ["T1", "T11", "T3", "T4"]
        assert names(record_sets.topics_overdue(city, TODAY)) == ["T10", "T8"]
        assert records.sessions_held(city, PERIOD).count() == 4
        assert record_sets.attendance_present(city, PERIOD).count() == 3
        assert sorted(record_sets.venues_active(city, PERIOD).values_list("name", flat=True)) == [
            "V1驿站",
            "V3议事室",
        ]
        assert list(record_sets.venues_standard(city, PERIOD).values_list("name", flat=True)) == [
            "V1驿站"
        ]
        five_ones = record_sets.members_five_ones(city, PERIOD)
        assert sorted(five_ones.values_list("name", flat=True)) == [
            "M1",
            "M3",
        ]

    def test_raised_in_one_period_resolved_in_the_next(self, fw):
        """T5: raised 2025-11, resolved 2026-01 — accepted in 2025, resolved in 2026."""
        v1 = fw.node("V1")
        next_year = Period.year(2026, today=datetime.date(2026, 12, 31))
        assert fw.topics["T5"] in record_sets.topics_accepted(v1, PERIOD)
        assert fw.topics["T5"] not in records.topics_resolved(v1, PERIOD)
        assert list(records.topics_resolved(v1, next_year)) == [fw.topics["T5"]]
        assert compute(v1, next_year)["histogram"] == {70: 1}  # 2025-11-01 → 2026-01-10
        assert compute(v1, next_year)["median_days"] is None  # T5 was never referred

    def test_merged_duplicates_and_declined(self, fw):
        city = fw.node("C")
        assert fw.topics["T7"] not in records.topics_raised(city, PERIOD)
        assert fw.topics["T6"] in records.topics_raised(city, PERIOD)
        assert fw.topics["T6"] not in record_sets.topics_accepted(city, PERIOD)

    def test_children_rows_equal_each_child_computed_alone(self, fw):
        rows = child_rows(fw.node("C"), PERIOD)
        assert [(r["key"], r["name"], r["kind"]) for r in rows] == [
            (f"a{fw.areas['D1'].pk}", "D1区", "area"),
            (f"a{fw.areas['D2'].pk}", "D2区", "area"),
        ]
        assert [figures_only(r) for r in rows] == [D1_2025, D2_2025]
        rows = child_rows(fw.node("D1"), PERIOD)
        assert [figures_only(r) for r in rows] == [S1_2025, S2_2025]

    def test_a_community_ranks_its_venues_in_use(self, fw):
        rows = child_rows(fw.node("K1"), PERIOD)
        assert [(r["name"], r["kind"]) for r in rows] == [
            ("V1驿站", "venue"),
            ("V2议事厅", "venue"),
        ]
        assert [figures_only(r) for r in rows] == [V1_2025, V2_2025]

    def test_a_venue_is_compared_with_the_venues_of_its_community(self, fw):
        rows = child_rows(fw.node("V1"), PERIOD)
        assert [(r["name"], r["current"]) for r in rows] == [("V1驿站", True), ("V2议事厅", False)]
        assert [figures_only(r) for r in rows] == [V1_2025, V2_2025]

    def test_headline_compares_with_the_previous_period(self, fw):
        result = headline(fw.node("C"), PERIOD)
        tiles = {t["key"]: t for t in result["tiles"]}
        assert [t["key"] for t in result["tiles"]] == list(FIGURE_KEYS)
        assert tiles["raised"]["previous"] == 2
        assert tiles["raised"]["change"] == 8
        assert tiles["raised"]["direction"] == "up"
        assert tiles["raised"]["change_text"] == "比上期增加 8 件"
        assert tiles["median_days"]["change"] is None  # nothing referred was resolved in 2024
        assert tiles["members_present"]["change_text"] == "比上期增加 2 人次"
        assert tiles["residents"]["change_text"] == "比上期增加 22 人次"
        assert tiles["reopened"]["good"] is False  # more reopened is worse
        assert tiles["resolution_rate"]["direction"] == "down"  # 62.5 against 100.0
        assert tiles["resolution_rate"]["change_text"] == "比上期下降 37.5 个百分点"
        assert tiles["satisfaction"]["change"] is None  # nothing rated in 2024
        assert tiles["overdue"]["previous"] is None  # a "now" figure
        assert tiles["five_ones"]["change_text"] == "比上期上升 50.0 个百分点"
        assert tiles["satisfaction"]["detail"] == "已回访 4 件中满意 3 件;未回访 1 件"
        assert tiles["resolution_rate"]["detail"] == "本期受理的 8 件中已办结 5 件(截至今日)"
        assert tiles["on_time_rate"]["detail"] == "1 / 4 件"


def test_every_figure_is_defined():
    assert [d.key for d in DEFINITIONS] == [
        "raised",
        "accepted",
        "agenda_topics",
        "accepted_resolved",
        "resolution_rate",
        "resolved",
        "on_time_rate",
        "avg_days",
        "median_days",
        "reopened",
        "follow_up_open",
        "overdue",
        "satisfaction",
        "sessions",
        "members_present",
        "members_distinct",
        "residents",
        "departments",
        "participation",
        "five_ones",
        "active_venues",
        "standard_venues",
        "venue_coverage",
    ]
    assert all(d.label and d.unit and len(d.text) > 20 for d in DEFINITIONS)


@pytest.mark.parametrize(
    "histogram,median",
    [
        ({}, None),
        ({5: 1}, 5.0),
        ({1: 1, 4: 1}, 2.5),
        ({0: 2, 10: 1}, 0.0),
        ({2: 3, 7: 3}, 4.5),
        ({1: 1, 2: 1, 9: 2}, 5.5),
    ],
)
def test_median_from_histogram(histogram, median):
    assert median_from_histogram(histogram) == median


def test_percent_rounds_half_up():
    assert percent(1, 8) == 12.5
    assert percent(1, 3) == 33.3
    assert percent(2, 3) == 66.7
    assert percent(1, 0) is None


def _queries(callable_, *args) -> int:
    with CaptureQueriesContext(connection) as ctx:
        callable_(*args)
    return len(ctx.captured_queries)


def test_compute_and_children_cost_the_same_for_2_children_and_20(fw):
    city = fw.node("C")
    compute_2 = _queries(compute, city, PERIOD)
    children_2 = _queries(child_rows, city, PERIOD)
    for i in range(18):
        district = make_area(f"加区{i}", AreaLevel.DISTRICT, fw.areas["C"])
        venue = VenueFactory(name=f"加站{i}", code=f"fw-x{i}", area=district)
        TopicFactory(area=district, venue=venue, raised_on=datetime.date(2025, 4, 1))
        ConsultationFactory(venue=venue, held_at=datetime.datetime(2025, 4, 2, tzinfo=datetime.UTC))
    assert len(child_rows(city, PERIOD)) == 20
    # + dashboards.activity and dashboards.coverage (issue 14)
    assert _queries(compute, city, PERIOD) == compute_2 == 6
    assert _queries(child_rows, city, PERIOD) == children_2 == 7
    assert compute(city, PERIOD)["raised"] == CITY_2025["raised"] + 18


@pytest.mark.parametrize("name", ["C", "D1", "K1", "V1", "V2"])
def test_headline_reads_each_table_once_for_both_periods(fw, name):
    node = fw.node(name)
    with CaptureQueriesContext(connection) as ctx:
        result = headline(node, PERIOD)
    assert len(ctx.captured_queries) == 6  # + dashboards.activity, dashboards.coverage
    assert result["figures"] == compute(node, PERIOD)
    assert result["previous"] == compute(node, PERIOD.previous())
    if name == "C":
        assert figures_only(result["previous"]) == CITY_2024
