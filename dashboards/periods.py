"""The period a dashboard, chart, export or report covers, and the period it is compared with.

A period is a closed range of dates in Asia/Shanghai. Kinds: a calendar year (the default, this
year), a quarter, a month or a custom range. A period still running is measured up to today
(``effective_end``) and compared with the same number of days at the start of the previous period
of the same kind, so "this year so far" is never set against the whole of last year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from consult_portal.forms import DateInput

KIND_YEAR = "year"
KIND_QUARTER = "quarter"
KIND_MONTH = "month"
KIND_CUSTOM = "custom"
KIND_CHOICES = [
    (KIND_YEAR, "年度"),
    (KIND_QUARTER, "季度"),
    (KIND_MONTH, "月度"),
    (KIND_CUSTOM, "自定义"),
]
MAX_CUSTOM_DAYS = 3 * 366 + 1


def _add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after ``day``'s month (``day`` is a first of month)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive
    today: datetime.date

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def year(cls, year: int, *, today: datetime.date) -> Period:
        return cls(KIND_YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31), today)

    @classmethod
    def quarter(cls, year: int, quarter: int, *, today: datetime.date) -> Period:
        start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
        return cls(KIND_QUARTER, start, _add_months(start, 3) - datetime.timedelta(days=1), today)

    @classmethod
    def month(cls, year: int, month: int, *, today: datetime.date) -> Period:
        start = datetime.date(year, month, 1)
        return cls(KIND_MONTH, start, _add_months(start, 1) - datetime.timedelta(days=1), today)

    @classmethod
    def custom(cls, start: datetime.date, end: datetime.date, *, today: datetime.date) -> Period:
        return cls(KIND_CUSTOM, start, end, today)

    @classmethod
    def default(cls, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.year(today.year, today=today)

    # -- derived ----------------------------------------------------------------------------
    @property
    def effective_end(self) -> datetime.date:
        """The last day measured: the period's end, or today while the period is running."""
        return min(self.end, self.today) if self.start <= self.today else self.end

    @property
    def is_running(self) -> bool:
        return self.start <= self.today < self.end

    @property
    def days(self) -> int:
        return (self.effective_end - self.start).days + 1

    @property
    def quarter_number(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        if self.kind == KIND_YEAR:
            text = f"{self.start.year}年"
        elif self.kind == KIND_QUARTER:
            text = f"{self.start.year}年第{self.quarter_number}季度"
        elif self.kind == KIND_MONTH:
            text = f"{self.start.year}年{self.start.month}月"
        else:
            text = f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"
        if self.is_running:
            text += f"(截至{self.today.month}月{self.today.day}日)"
        return text

    def previous(self) -> Period:
        """The period compared with: the previous year/quarter/month, or the equally long range
        just before a custom one; clipped to the same number of days while this one is running."""
        if self.kind == KIND_YEAR:
            prev = Period.year(self.start.year - 1, today=self.today)
        elif self.kind == KIND_QUARTER:
            start = _add_months(self.start, -3)
            prev = Period.quarter(start.year, (start.month - 1) // 3 + 1, today=self.today)
        elif self.kind == KIND_MONTH:
            start = _add_months(self.start, -1)
            prev = Period.month(start.year, start.month, today=self.today)
        else:
            length = self.end - self.start
            end = self.start - datetime.timedelta(days=1)
            prev = Period.custom(end - length, end, today=self.today)
        if self.is_running:
            clipped_end = min(prev.end, prev.start + datetime.timedelta(days=self.days - 1))
            prev = Period(prev.kind, prev.start, clipped_end, self.today)
        return prev

    def year_to_date(self) -> Period:
        """The period a yearly duty (五个一) is measured over: a whole year is itself; a shorter
        period is its year from 1 January to the period's end (年度累计)."""
        if self.kind == KIND_YEAR:
            return self
        return Period(KIND_CUSTOM, datetime.date(self.end.year, 1, 1), self.end, self.today)

    def as_query(self) -> dict[str, str]:
        """The GET parameters that select this period (for links that keep it)."""
        if self.kind == KIND_YEAR:
            return {"period": KIND_YEAR, "year": str(self.start.year)}
        if self.kind == KIND_QUARTER:
            return {
                "period": KIND_QUARTER,
                "year": str(self.start.year),
                "quarter": str(self.quarter_number),
            }
        if self.kind == KIND_MONTH:
            return {
                "period": KIND_MONTH,
                "year": str(self.start.year),
                "month": str(self.start.month),
            }
        return {"period": KIND_CUSTOM, "start": self.start.isoformat(), "end": self.end.isoformat()}


class PeriodForm(forms.Form):
    """The period picker above every dashboard, chart and report (GET)."""

    period = forms.ChoiceField(label="统计周期", choices=KIND_CHOICES, required=False)
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label="季度",
        choices=[("", "—")] + [(str(q), f"第{q}季度") for q in range(1, 5)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    month = forms.TypedChoiceField(
        label="月份",
        choices=[("", "—")] + [(str(m), f"{m}月") for m in range(1, 13)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start = forms.DateField(label="开始日期", required=False, widget=DateInput)
    end = forms.DateField(label="结束日期", required=False, widget=DateInput)

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["year"].initial = self.today.year
        # Bootstrap classes set here and the fields drawn by dashboards/_period_field.html:
        # the picker is on every dashboard page, and crispy's field rendering cost ~5 ms of it.
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    def clean(self):
        data = super().clean()
        kind = data.get("period") or KIND_YEAR
        if kind == KIND_CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None and "start" not in self.errors:
                self.add_error("start", "自定义周期请填写开始日期。")
            if end is None and "end" not in self.errors:
                self.add_error("end", "自定义周期请填写结束日期。")
            if start and end:
                if end < start:
                    self.add_error("end", "结束日期不能早于开始日期。")
                elif (end - start).days + 1 > MAX_CUSTOM_DAYS:
                    self.add_error("end", "自定义周期最长三年。")
        if kind == KIND_QUARTER and not data.get("quarter"):
            data["quarter"] = (self.today.month - 1) // 3 + 1
        if kind == KIND_MONTH and not data.get("month"):
            data["month"] = self.today.month
        data["period"] = kind
        return data

    def get_period(self) -> Period:
        """The chosen period; the default (this year) when the form is empty or invalid."""
        if not self.is_bound or not self.is_valid():
            return Period.default(self.today)
        data = self.cleaned_data
        year = data.get("year") or self.today.year
        kind = data["period"]
        if kind == KIND_QUARTER:
            return Period.quarter(year, data["quarter"], today=self.today)
        if kind == KIND_MONTH:
            return Period.month(year, data["month"], today=self.today)
        if kind == KIND_CUSTOM:
            return Period.custom(data["start"], data["end"], today=self.today)
        return Period.year(year, today=self.today)


def period_from_request(
    request, *, today: datetime.date | None = None
) -> tuple[Period, PeriodForm]:
    """Read the period from the query string; an invalid one falls back to this year and the
    form carries the errors to show next to the fields."""
    form = PeriodForm(request.GET or None, today=today)
    return form.get_period(), form
