"""Issue 14, figures that agree: a period still running against the previous one, 五个一 over the
year to date, and rates never beside a count they are not a rate of. Worked out by hand on
``figure_world`` (see its docstring)."""

import datetime

import pytest

from dashboards.figures import DEFINITIONS_BY_KEY, child_rows, compute, headline, overview
from dashboards.periods import Period

from .figure_world import PERIOD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fw_once")]
D = datetime.date

# 2025 seen on 30 June 2025: the year is still running.
RUNNING = Period.year(2025, today=D(2025, 6, 30))


class TestARunningPeriod:
    def test_counts_are_compared_with_the_same_days_of_the_previous_year(self, fw):
        result = headline(fw.node("C"), RUNNING)
        assert result["previous_period"].start == D(2024, 1, 1)
        assert result["previous_period"].end == D(2024, 6, 29)  # 181 days: 2024 is a leap year
        tiles = {t["key"]: t for t in result["tiles"]}
        # 2025 to 30 June: T1 T2 T3 T6 T8 T11 (T7 merged, T9 raised 1 July);
        # 2024 to 29 June: T13 (T4 was raised in December)
        assert tiles["raised"]["value"] == 6
        assert tiles["raised"]["previous"] == 1
        assert tiles["raised"]["change_text"] == "比上期增加 5 件"
        # Sessions to 30 June: Sa, Sc (2025) against Se (2024)
        assert (tiles["sessions"]["value"], tiles["sessions"]["previous"]) == (2, 1)

    def test_cohort_rates_are_not_compared_while_the_period_runs(self, fw):
        tiles = {t["key"]: t for t in headline(fw.node("C"), RUNNING)["tiles"]}
        for key in ("resolution_rate", "accepted_resolved", "on_time_rate"):
            assert tiles[key]["change"] is None, key
            assert tiles[key]["good"] is None, key
            assert tiles[key]["change_text"] == "本期未结束,与上期比较尚无意义", key
        # accepted to 30 June: T1 T2 T3 T8 T11; now resolved: T1 T2 T3 T11
        assert tiles["resolution_rate"]["value"] == 80.0
        assert tiles["resolution_rate"]["detail"] == "本期受理的 5 件中已办结 4 件(截至今日)"

    def test_a_closed_period_is_compared(self, fw):
        tiles = {t["key"]: t for t in headline(fw.node("C"), PERIOD)["tiles"]}
        assert tiles["resolution_rate"]["change_text"] == "比上期下降 37.5 个百分点"
        assert tiles["resolution_rate"]["good"] is False

    def test_the_same_numbers_in_the_headline_and_the_overview(self, fw):
        for name in ("C", "D1", "K1", "V1"):
            head, _rows = overview(fw.node(name), RUNNING)
            assert head["figures"] == compute(fw.node(name), RUNNING), name
            assert head["previous"] == compute(fw.node(name), RUNNING.previous()), name


class TestFiveOnesIsAYearlyDuty:
    def test_a_quarter_counts_the_year_to_date(self, fw):
        """Q2 2025 = 1 January to 30 June: M1 did the four duties on 1 May and attended Sa on
        10 March (Q1), so M1 is complete for the year to date though not within Q2 alone; M3's
        consultation is dated 1 July. 1 of M1 M2 M3 M5."""
        q2 = Period.quarter(2025, 2, today=D(2025, 12, 31))
        assert compute(fw.node("C"), q2)["five_ones"] == 25.0
        assert compute(fw.node("D1"), q2)["five_ones"] == 50.0  # M1 of M1 M2
        q3 = Period.quarter(2025, 3, today=D(2025, 12, 31))
        assert compute(fw.node("C"), q3)["five_ones"] == 50.0  # M1 and M3 by 30 September

    def test_a_shorter_period_says_so_and_is_not_compared(self, fw):
        q2 = Period.quarter(2025, 2, today=D(2025, 12, 31))
        tiles = {t["key"]: t for t in headline(fw.node("C"), q2)["tiles"]}
        assert tiles["five_ones"]["change"] is None
        assert tiles["five_ones"]["change_text"] == "年度累计至6月30日,不与上期比较"
        year = {t["key"]: t for t in headline(fw.node("C"), PERIOD)["tiles"]}
        assert year["five_ones"]["change_text"] == "比上期上升 50.0 个百分点"


class TestNoRateBesideACountItIsNotARateOf:
    @pytest.mark.parametrize("name", ["C", "D1", "S1", "K1", "V1"])
    def test_every_ranking_row(self, fw, name):
        for period in (PERIOD, RUNNING, PERIOD.previous()):
            for row in child_rows(fw.node(name), period):
                assert row["accepted_resolved"] <= row["accepted"], row["name"]
                assert row["on_time_rate"] is None or row["due_on_time"] <= row["due"]

    def test_the_count_by_date_says_it_includes_earlier_cohorts(self, fw):
        """V1 in 2025: 本期办结 3 (T1 T2 T4 — T4 raised in 2024) beside 受理 4, of which 3 are
        resolved (T1 T2 T5): the heading says why the two differ."""
        v1 = compute(fw.node("V1"), PERIOD)
        assert (v1["resolved"], v1["accepted"], v1["accepted_resolved"]) == (3, 4, 3)
        assert DEFINITIONS_BY_KEY["resolved"].label == "本期办结(含往期受理)"
        assert DEFINITIONS_BY_KEY["accepted_resolved"].label == "其中已办结"

    def test_the_summary_sentence_figures_are_the_dashboard_figures(self, fw):
        c = compute(fw.node("C"), PERIOD)
        # 协商活动 Sa Sb Sc Sf; 参与委员 Sa M1 + Sb M1 M2; 解决 T1 T2 T3 T4 T11; 满意 3 of 4 rated
        assert (c["sessions"], c["members_present"], c["resolved"], c["satisfaction"]) == (
            4,
            3,
            5,
            75.0,
        )
        assert c["unrated"] == 1  # T2


def test_venues_by_kind_and_the_communities_they_cover(fw):
    """K1 (V1 驿站, V2 议事厅; V4 not in use) and K3 (V3 驿站) have venues, K4 none; S2 has no
    communities."""
    c = compute(fw.node("C"), PERIOD)
    assert (c["communities_covered"], c["communities"], c["venue_coverage"]) == (2, 3, 66.7)
    assert c["venue_kinds"] == [("hall", "协商议事厅", 1), ("station", "协商驿站", 2)]
    tiles = {t["key"]: t for t in headline(fw.node("C"), PERIOD)["tiles"]}
    assert (
        tiles["venue_coverage"]["detail"] == "2 / 3 个社区(村)有阵地;协商议事厅 1 个、协商驿站 2 个"
    )
    assert tiles["venue_coverage"]["change_text"] == "当前数"
    assert compute(fw.node("D2"), PERIOD)["venue_coverage"] == 50.0
    assert compute(fw.node("S2"), PERIOD)["venue_coverage"] is None
    rows = {r["name"]: r for r in child_rows(fw.node("C"), PERIOD)}
    assert (rows["D1区"]["venue_coverage"], rows["D2区"]["venue_coverage"]) == (100.0, 50.0)
    assert rows["D1区"]["venue_kinds"] == [("hall", "协商议事厅", 1), ("station", "协商驿站", 1)]
    v1 = compute(fw.node("V1"), PERIOD)
    assert (v1["venue_coverage"], v1["venue_kinds"]) == (None, [("station", "协商驿站", 1)])
