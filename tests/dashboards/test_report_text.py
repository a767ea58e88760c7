"""The report's sentences: work-report rounding, and no boast out of a zero or a missing figure."""

import datetime

import pytest

from dashboards.periods import Period
from dashboards.report_text import (
    approx_count,
    chinese_number,
    headline_sentences,
    percent_phrase,
    report_title,
)

TODAY = datetime.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (7, "7"),
        (99, "99"),
        (100, "100"),
        (165, "160余"),
        (160, "160"),
        (905, "900余"),
        (999, "990余"),
        (1000, "1000"),
        (1234, "1200余"),
        (12345, "1.2万余"),
        (30000, "3万"),
        (100001, "10万余"),
    ],
)
def test_counts_are_rounded_like_a_work_report(n, text):
    assert approx_count(n) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (93.4, "达到90%以上"),
        (90.0, "达到90%"),
        (97.5, "达到95%以上"),
        (100.0, "达到100%"),
        (76.4, "达到76%"),
        (59.5, "达到60%"),  # half up, then praised
        (35.0, "为35%"),
        (0.0, "为0%"),
        (0.5, "为0.5%"),
        (7.1, "为7.1%"),
        (9.96, "为10%"),
    ],
)
def test_percent_phrases(rate, text):
    assert percent_phrase(rate) == text


FULL = {
    "raised": 905,
    "accepted": 170,
    "resolved": 779,
    "accepted_resolved": 170,
    "resolution_rate": 100.0,
    "agenda_topics": 160,
    "on_time_rate": 91.2,
    "avg_days": 9.4,
    "median_days": 8.0,
    "reopened": 6,
    "follow_up_open": 14,
    "overdue": 3,
    "unrated": 379,
    "members_present": 1865,
    "members_distinct": 233,
    "residents": 12040,
    "departments": 41,
    "rated": 400,
    "satisfied": 388,
    "satisfaction": 97.0,
    "sessions": 912,
    "participation": 93.4,
    "members": 233,
    "members_five_ones": 180,
    "five_ones": 77.3,
    "venues": 200,
    "active_venues": 150,
    "standard_venues": 120,
    "communities": 119,
    "communities_covered": 119,
    "venue_coverage": 100.0,
    "venue_kinds": [("station", "协商驿站", 150), ("home", "政协委员之家", 50)],
}


def test_a_full_set_of_figures_reads_like_a_work_report():
    assert headline_sentences(FULL) == [
        "本年度共开展协商活动912场,参与委员1865人次,解决群众急难愁盼问题779个,满意率97%。",
        "征集群众急难愁盼问题900余件,受理170件,确定协商议题160个。",
        "有效解决群众急难愁盼问题779件,本期受理的170件全部办结,按期办结率达到90%以上,"
        "交办问题平均办理9.4个工作日(中位数8个工作日)。",
        "回访不满意后重新办理6次。",
        "目前有14件问题处于跟踪问效中。",
        "群众对办理结果的满意率(含基本满意)达到95%以上(已回访400件,未回访379件)。",
        "开展一线协商活动910余次,参与委员1800余人次(230余人),参与群众1.2万余人次,"
        "41个部门和单位参与,委员出席率达到90%以上。",
        "180名委员全面完成“五个一”履职任务,完成率达到77%。",
        "在119个社区(村)全覆盖布局协商阵地(现有协商驿站150个、政协委员之家50个)。",
        "200个在用协商阵地中,150个开展了协商活动,120个达到“六有”标准。",
        "目前仍有3件问题超期未办结,需加快推进。",
    ]


def test_a_quarter_names_itself_and_reports_五个一_for_the_year_to_date():
    sentences = headline_sentences(FULL, "quarter")
    assert sentences[0].startswith("本季度共开展协商活动912场")
    assert "年度累计180名委员全面完成“五个一”履职任务,完成率达到77%。" in sentences


def test_resolved_count_stays_exact_and_a_partial_rate_is_not_called_全部():
    figures = {**FULL, "accepted_resolved": 120, "resolution_rate": 70.6}
    sentence = headline_sentences(figures)[2]
    assert sentence.startswith("有效解决群众急难愁盼问题779件")
    assert "全部" not in sentence
    assert "本期受理的170件中已办结120件(截至今日),办结率达到71%" in sentence


def test_nothing_at_all_gives_one_plain_sentence():
    assert headline_sentences({}) == ["本期暂无基层协商工作数据。"]
    zeros = dict.fromkeys(FULL, 0) | {
        key: None
        for key in ("resolution_rate", "median_days", "satisfaction", "participation", "five_ones")
    }
    assert headline_sentences(zeros) == ["本期暂无基层协商工作数据。"]


def test_zeros_never_make_a_boast():
    figures = {
        "raised": 4,
        "accepted": 0,
        "resolved": 0,
        "accepted_resolved": 0,
        "resolution_rate": None,
        "median_days": None,
        "rated": 0,
        "satisfaction": None,
        "sessions": 0,
        "participation": None,
        "members": 12,
        "members_five_ones": 0,
        "five_ones": 0.0,
        "venues": 3,
        "active_venues": 0,
        "standard_venues": 0,
        "overdue": 0,
    }
    sentences = headline_sentences(figures)
    assert sentences == [
        "征集群众急难愁盼问题4件。",
        "本期暂无办结的问题。",
        "本期尚未开展协商活动。",
        "12名委员中尚无人全面完成“五个一”履职任务。",
        "3个在用协商阵地本期均未开展协商活动。",
        "目前没有超期未办结的问题。",
    ]
    assert not any("0件" in s or "全部" in s or "满意率" in s for s in sentences)


def test_missing_rates_are_left_out_of_the_sentence():
    figures = {
        **FULL,
        "median_days": None,
        "participation": None,
        "satisfaction": None,
        "members_present": 0,
        "residents": 0,
        "departments": 0,
    }
    sentences = headline_sentences(figures)
    assert "中位数" not in sentences[2]
    assert "开展一线协商活动910余次。" in sentences
    # The summary sentence leaves out the missing rate, never prints "满意率—".
    assert sentences[0] == "本年度共开展协商活动912场,参与委员0人次,解决群众急难愁盼问题779个。"
    assert not any("满意率" in s for s in sentences)


def test_every_venue_active_is_said_so():
    sentences = headline_sentences({**FULL, "active_venues": 200})
    assert "200个在用协商阵地全部开展了协商活动,120个达到“六有”标准。" in sentences


def test_every_venue_up_to_standard_is_said_so():
    sentences = headline_sentences({**FULL, "standard_venues": 200})
    assert "200个在用协商阵地中,150个开展了协商活动,全部达到“六有”标准。" in sentences


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (3, "三"), (4, "四"), (10, "十"), (11, "十一"), (12, "十二")]
)
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def test_report_titles():
    assert (
        report_title("西陵区", Period.quarter(2026, 3, today=TODAY))
        == "西陵区2026年第三季度基层协商工作报告"
    )
    assert (
        report_title("宜昌市", Period.year(2025, today=TODAY)) == "宜昌市2025年度基层协商工作报告"
    )
    assert report_title("西陵区", Period.month(2026, 11, today=TODAY)).startswith(
        "西陵区2026年11月"
    )
    custom = Period.custom(datetime.date(2025, 12, 20), datetime.date(2026, 1, 10), today=TODAY)
    assert report_title("西陵区", custom) == "西陵区2025年12月20日至2026年1月10日基层协商工作报告"


def test_partial_coverage_gives_the_rate():
    figures = {**FULL, "communities_covered": 90, "venue_coverage": 75.6, "venue_kinds": []}
    assert "119个社区(村)中90个建有协商阵地,覆盖率达到76%。" in headline_sentences(figures)
