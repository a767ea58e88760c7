"""One way to write a day on the pages and in messages: 1月18日(周一), with the year when it is
not this year (2027年1月18日(周一)), so "1月18日 下午" in December is never read as this January."""

from __future__ import annotations

import datetime

from django.utils import timezone

WEEKDAYS = "一二三四五六日"


def day_label(day: datetime.date, *, today: datetime.date | None = None) -> str:
    today = today or timezone.localdate()
    year = f"{day.year}年" if day.year != today.year else ""
    return f"{year}{day.month}月{day.day}日(周{WEEKDAYS[day.weekday()]})"
