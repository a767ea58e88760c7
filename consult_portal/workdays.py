"""Working days (工作日) as Chinese offices count them: the State Council's holidays and 调休.

Whether a day is a working day is decided, in this order, by
1. a ``CalendarDay`` row (an office's entry in the admin: next year's holidays before the package
   knows them, or a local correction);
2. the ``chinese-calendar`` package, for the years it carries (2004 up to its last year);
3. Monday to Friday, for a year neither knows.

Deadlines are stored as dates (a referral's deadline is ``add_workdays(referred_on, n)``), so
overdue and due-soon stay plain date comparisons in ``topics.rules``; counting working days is
needed only when a deadline is set and when handling times are reported.

Each call reads the office's rows for the dates it looks at in one query; nothing is kept in a
worker's memory between requests, so an entry made in the admin counts at once on every instance.
"""

from __future__ import annotations

import datetime

import chinese_calendar

DAY = datetime.timedelta(days=1)


def _package_says(day: datetime.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package carries no data for
        return None


class WorkCalendar:
    """The working-day status of the days from ``start`` to ``end`` (both included), with the
    office's rows for them read once."""

    def __init__(self, start: datetime.date, end: datetime.date):
        from .models import CalendarDay

        self.start, self.end = start, end
        self._stated = dict(
            CalendarDay.objects.filter(day__range=(start, end)).values_list("day", "is_workday")
        )

    def is_workday(self, day: datetime.date) -> bool:
        if not self.start <= day <= self.end:
            raise ValueError(f"{day} is outside {self.start}..{self.end}")
        stated = self._stated.get(day)
        if stated is not None:
            return stated
        package = _package_says(day)
        if package is not None:
            return package
        return day.weekday() < 5

    def count(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
        n, day = 0, start + DAY
        while day <= end:
            n += self.is_workday(day)
            day += DAY
        return n


def is_workday(day: datetime.date) -> bool:
    return WorkCalendar(day, day).is_workday(day)


def add_workdays(day: datetime.date, n: int) -> datetime.date:
    """The ``n``-th working day after ``day`` (``n`` ≥ 1): a referral made on ``day`` with ``n``
    working days is due at the end of the returned day. ``n`` = 0 answers ``day`` itself."""
    if n < 0:
        raise ValueError("n must not be negative")
    # Holidays never run longer than about ten days in a row, so 2n + 30 days always hold n
    # working days; one query reads the office's rows for the whole span.
    calendar = WorkCalendar(day, day + datetime.timedelta(days=2 * n + 30))
    found, current = 0, day
    while found < n:
        current += DAY
        found += calendar.is_workday(current)
    return current


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end``: a topic referred on a Friday
    and closed the next Monday took 1 working day; closed the same day, 0."""
    if end <= start:
        return 0
    return WorkCalendar(start, end).count(start, end)
