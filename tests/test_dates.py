"""One way to write a day: weekday always, the year only when it is not this year."""

import datetime

from django.template import Context, Template

from consult_portal.dates import day_label

TODAY = datetime.date(2026, 12, 4)


def test_this_year_has_no_year_and_every_day_its_weekday():
    assert day_label(datetime.date(2026, 12, 7), today=TODAY) == "12月7日(周一)"
    assert day_label(datetime.date(2026, 12, 6), today=TODAY) == "12月6日(周日)"


def test_another_year_says_which():
    # "1月18日 下午" seen in December is next year's January: the label says so.
    assert day_label(datetime.date(2027, 1, 18), today=TODAY) == "2027年1月18日(周一)"
    assert day_label(datetime.date(2025, 12, 31), today=TODAY) == "2025年12月31日(周三)"


def test_the_template_filter_uses_the_same_rule():
    day = datetime.date(2030, 5, 1)
    html = Template("{% load dates %}{{ d|day }}|{{ none|day }}").render(Context({"d": day}))
    assert html == f"{day_label(day)}|"
