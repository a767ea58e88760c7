import datetime

import pytest

from dashboards.periods import Period, PeriodForm

D = datetime.date
TODAY = D(2026, 11, 29)


def test_default_is_this_year_measured_to_today():
    period = Period.default(TODAY)
    assert (period.start, period.end, period.effective_end) == (
        D(2026, 1, 1),
        D(2026, 12, 31),
        TODAY,
    )
    assert period.label == "2026年(截至11月29日)"


def test_running_year_is_compared_with_the_same_days_of_last_year():
    previous = Period.default(TODAY).previous()
    assert (previous.start, previous.end) == (D(2025, 1, 1), D(2025, 11, 29))


def test_finished_quarter_is_compared_with_the_whole_previous_quarter():
    period = Period.quarter(2026, 1, today=TODAY)
    assert (period.start, period.end) == (D(2026, 1, 1), D(2026, 3, 31))
    previous = period.previous()
    assert (previous.start, previous.end) == (D(2025, 10, 1), D(2025, 12, 31))
    assert period.label == "2026年第1季度"


def test_month_previous_crosses_the_year():
    previous = Period.month(2026, 1, today=TODAY).previous()
    assert (previous.start, previous.end) == (D(2025, 12, 1), D(2025, 12, 31))


def test_custom_previous_is_the_equally_long_range_before():
    period = Period.custom(D(2026, 3, 10), D(2026, 3, 19), today=TODAY)
    previous = period.previous()
    assert (previous.start, previous.end) == (D(2026, 2, 28), D(2026, 3, 9))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, (D(2026, 1, 1), D(2026, 12, 31))),
        ({"period": "year", "year": "2025"}, (D(2025, 1, 1), D(2025, 12, 31))),
        ({"period": "quarter", "year": "2026", "quarter": "2"}, (D(2026, 4, 1), D(2026, 6, 30))),
        ({"period": "month", "year": "2024", "month": "2"}, (D(2024, 2, 1), D(2024, 2, 29))),
        (
            {"period": "custom", "start": "2026-05-01", "end": "2026-05-31"},
            (D(2026, 5, 1), D(2026, 5, 31)),
        ),
    ],
)
def test_form_reads_the_period(query, expected):
    period = PeriodForm(query or None, today=TODAY).get_period()
    assert (period.start, period.end) == expected
    assert PeriodForm(period.as_query(), today=TODAY).get_period() == period


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            {"period": "custom", "start": "2026-05-31", "end": "2026-05-01"},
            "end",
            "结束日期不能早于开始日期。",
        ),
        ({"period": "custom", "end": "2026-05-01"}, "start", "自定义周期请填写开始日期。"),
        (
            {"period": "custom", "start": "2020-01-01", "end": "2026-05-01"},
            "end",
            "自定义周期最长三年。",
        ),
        ({"period": "year", "year": "abc"}, "year", "输入整数。"),
    ],
)
def test_bad_period_says_why_next_to_the_field_and_falls_back_to_this_year(query, field, message):
    form = PeriodForm(query, today=TODAY)
    period = form.get_period()
    assert message in form.errors[field]
    assert period == Period.default(TODAY)
