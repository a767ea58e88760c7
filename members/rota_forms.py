"""Plain forms behind the rota grid (issue 5, item 2): each posts one change of one cell."""

from __future__ import annotations

import datetime
import re

from django import forms

from .models import Member, ShiftSlot


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ShiftReassignForm(forms.Form):
    member = MemberChoiceField(
        label="值日委员",
        queryset=Member.objects.none(),
        error_messages={"required": "请选择委员。", "invalid_choice": "请从列表中选择委员。"},
    )
    override = forms.BooleanField(label="仍然安排", required=False)

    def __init__(self, *args, members_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members_qs is not None:
            self.fields["member"].queryset = members_qs


class ShiftAddForm(ShiftReassignForm):
    date = forms.DateField(label="日期", error_messages={"invalid": "请输入有效的日期。"})
    slot = forms.ChoiceField(label="时段", choices=ShiftSlot.choices, initial=ShiftSlot.FULL_DAY)


SKIP_SEPARATORS = re.compile(r"[\s,,、;;]+")
SKIP_FORMATS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("year", "month", "day")),
    (re.compile(r"^(\d{1,2})[-/](\d{1,2})$"), ("month", "day")),
    (re.compile(r"^(\d{1,2})月(\d{1,2})日?$"), ("month", "day")),
    (re.compile(r"^(\d{1,2})日?$"), ("day",)),
)


class RotaGenerateForm(forms.Form):
    """Generate a month's draft; ``skip`` lists days off (public holidays) the draft leaves empty.

    There is no holiday table on purpose: the State Council publishes the holidays and make-up
    workdays each December, so staff type the month's days off here."""

    replace = forms.BooleanField(label="覆盖本月的草稿班次", required=False)
    skip = forms.CharField(
        label="不排班的日期",
        required=False,
        max_length=200,
        help_text="节假日等不排班的日子,如“1日、2日”或“1月1日”“2027-01-01”,用逗号或顿号分隔。",
    )

    def __init__(self, *args, year: int, month: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year, self.month = year, month

    def clean_skip(self) -> list[datetime.date]:
        text = self.cleaned_data["skip"].strip()
        days = set()
        for token in SKIP_SEPARATORS.split(text) if text else []:
            days.add(self._parse(token))
        return sorted(days)

    def _parse(self, token: str) -> datetime.date:
        for pattern, parts in SKIP_FORMATS:
            match = pattern.match(token)
            if match is None:
                continue
            values = {"year": self.year, "month": self.month}
            values.update(zip(parts, (int(g) for g in match.groups()), strict=True))
            try:
                day = datetime.date(values["year"], values["month"], values["day"])
            except ValueError:
                raise forms.ValidationError(f"“{token}”不是有效的日期。", code="invalid") from None
            if (day.year, day.month) != (self.year, self.month):
                raise forms.ValidationError(
                    f"“{token}”不在{self.year}年{self.month}月之内。", code="outside"
                )
            return day
        raise forms.ValidationError(
            f"无法识别“{token}”;请写成“1日”“1月1日”或“2027-01-01”。", code="invalid"
        )
