"""Working days: the package's State Council calendar, an office's own entries, and weekdays for
a year nobody has entered yet."""

import datetime

import pytest

from consult_portal.models import CalendarDay
from consult_portal.workdays import add_workdays, is_workday, workdays_between

D = datetime.date

pytestmark = pytest.mark.django_db


def test_the_package_knows_2026_holidays_and_working_weekends():
    assert not is_workday(D(2026, 1, 1))  # 元旦
    assert not is_workday(D(2026, 10, 1))  # 国庆
    assert is_workday(D(2026, 2, 14))  # a Saturday worked for 春节 (调休)
    assert is_workday(D(2026, 12, 4))  # an ordinary Friday
    assert not is_workday(D(2026, 12, 5))  # an ordinary Saturday


def test_a_year_the_package_lacks_counts_monday_to_friday():
    assert is_workday(D(2027, 1, 1))  # a Friday; 元旦 2027 only once an office enters it
    assert not is_workday(D(2027, 1, 2))


def test_an_office_entry_wins_over_the_package_and_the_weekdays():
    CalendarDay.objects.create(day=D(2027, 1, 1), is_workday=False, name="元旦")
    CalendarDay.objects.create(day=D(2026, 12, 5), is_workday=True, name="本地调休上班")
    assert not is_workday(D(2027, 1, 1))
    assert is_workday(D(2026, 12, 5))


def test_add_workdays_skips_weekends_and_the_national_day_week():
    assert add_workdays(D(2026, 12, 4), 1) == D(2026, 12, 7)  # Friday + 1 → Monday
    assert add_workdays(D(2026, 12, 4), 0) == D(2026, 12, 4)
    # 2026-09-30 (Wed) + 1: 10-01..10-07 are the National Day holiday; 10-08 (Thursday) is next.
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # 10-10 (Saturday) is a 调休 working day in 2026.
    assert add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)
    with pytest.raises(ValueError):
        add_workdays(D(2026, 12, 4), -1)


def test_fifteen_working_days_across_the_new_year_use_the_office_entry():
    # Without an entry 2027-01-01 (a Friday) is a working day.
    plain = add_workdays(D(2026, 12, 18), 10)
    CalendarDay.objects.create(day=D(2027, 1, 1), is_workday=False, name="元旦")
    assert add_workdays(D(2026, 12, 18), 10) == plain + datetime.timedelta(days=3)  # Fri → Mon


def test_workdays_between_counts_after_the_start_up_to_the_end():
    assert workdays_between(D(2026, 12, 4), D(2026, 12, 4)) == 0
    assert workdays_between(D(2026, 12, 4), D(2026, 12, 7)) == 1  # Friday → Monday
    assert workdays_between(D(2026, 12, 7), D(2026, 12, 4)) == 0
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    # add and count agree
    start = D(2026, 1, 20)
    for n in (1, 5, 15, 40):
        assert workdays_between(start, add_workdays(start, n)) == n
