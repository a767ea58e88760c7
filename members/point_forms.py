"""Forms for duties, the yearly point rules and the ranking's filters (issue 5, item 3)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from consult_portal.forms import AreaChoiceField, DateInput
from platforms.models import Area

from .duty_services import SELF_REPORT_KINDS, check_outcome, report_venues
from .forms import COMMITTEE_LEVELS
from .models import STAFF_DUTY_STATUSES, DutyKind, DutyOutcome, DutyStatus, PointKind

YEAR_MIN, YEAR_MAX = 2000, 2100


class DutyForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=DutyKind.choices)
    date = forms.DateField(label="日期", widget=DateInput())
    title = forms.CharField(label="标题", max_length=200)
    status = forms.ChoiceField(
        label="状态",
        choices=[(s.value, s.label) for s in STAFF_DUTY_STATUSES],
        initial=DutyStatus.DONE,
        help_text="委员自报的记录选“已完成”即为认定。",
    )
    outcome = forms.ChoiceField(
        label="结果",
        required=False,
        choices=[("", "(无)"), *DutyOutcome.choices],
        help_text="提案填立案/办复情况,社情民意填采用级别;其他类型留空。",
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # The member's report as staff saw it (edit of a 待审核 / 已退回 report only).
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    submit_label = "保存"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))

    def clean(self):
        data = super().clean()
        kind, outcome = data.get("kind"), data.get("outcome")
        if kind and outcome and not self.has_error("outcome"):
            try:
                check_outcome(kind, outcome)
            except forms.ValidationError as error:
                self.add_error("outcome", error.message_dict["outcome"])
        return data


class DutyReportForm(DutyForm):
    """A member reports a duty of their own (委员自报); the office reviews it."""

    submit_label = "提交审核"

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["status"]
        del self.fields["version"]
        self.fields["kind"].choices = [(k.value, k.label) for k in SELF_REPORT_KINDS]
        self.fields["kind"].help_text = "出席协商活动和驻站值日由系统自动统计,无需填报。"
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["title"].help_text = "例如提案题目、调研主题、社情民意标题或实事内容。"
        self.fields["venue"] = forms.ModelChoiceField(
            label="阵地",
            queryset=report_venues(member),
            required=False,
            empty_label="(不涉及阵地)",
        )
        self.order_fields(["kind", "date", "title", "venue", "outcome", "note"])


class DutyReviewForm(forms.Form):
    review_note = forms.CharField(
        label="审核意见",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="退回时必填,委员会看到。",
    )


class PointRuleForm(forms.Form):
    kind = forms.ChoiceField(choices=PointKind.choices, widget=forms.HiddenInput)
    points = forms.IntegerField(label="每次分值", min_value=0, max_value=1000)
    cap = forms.IntegerField(
        label="年度上限", min_value=0, max_value=1000, required=False, help_text="留空为不设上限"
    )

    @property
    def kind_label(self) -> str:
        kind = self.initial.get("kind") or self.data.get(self.add_prefix("kind"))
        try:
            return PointKind(kind).label
        except ValueError:
            return str(kind)


class BasePointRuleFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kinds = [form.cleaned_data.get("kind") for form in self.forms]
        if sorted(kinds) != sorted(PointKind.values):
            raise forms.ValidationError("积分项不完整,请刷新页面后重试。")


PointRuleFormSet = forms.formset_factory(
    PointRuleForm, formset=BasePointRuleFormSet, extra=0, max_num=len(PointKind), absolute_max=50
)


BAND_LOWEST_MAX = 1000
BAND_LABEL_MAX = 20


class PointBandForm(forms.Form):
    """One band row. A row left wholly blank is no band (the extra rows, or a band cleared to
    remove it); a half-filled row is an error next to the missing field."""

    label = forms.CharField(
        label="等次名称",
        max_length=BAND_LABEL_MAX,
        required=False,
        error_messages={"max_length": f"等次名称不能超过 {BAND_LABEL_MAX} 个字。"},
    )
    lowest = forms.IntegerField(
        label="最低分(含)",
        required=False,
        min_value=0,
        max_value=BAND_LOWEST_MAX,
        error_messages={
            "invalid": "最低分请填写整数。",
            "min_value": "最低分不能小于 0。",
            "max_value": f"最低分不能大于 {BAND_LOWEST_MAX}。",
        },
    )

    def clean(self):
        data = super().clean()
        label, lowest = data.get("label", ""), data.get("lowest")
        if self.has_error("label") or self.has_error("lowest"):
            return data
        if label and lowest is None:
            self.add_error("lowest", "请填写该等次的最低分。")
        elif lowest is not None and not label:
            self.add_error("label", "请填写等次名称。")
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("label") and data.get("lowest") is None


class BasePointBandFormSet(forms.BaseFormSet):
    def clean(self):
        # Duplicates are flagged among the rows that are otherwise fine, so every row's error shows
        # at once; the set-wide checks wait until no row has an error.
        rows_ok = [form for form in self.forms if form.is_valid()]
        filled = [form for form in rows_ok if not form.is_blank]
        seen_labels: set[str] = set()
        seen_lowest: set[int] = set()
        for form in filled:
            label, lowest = form.cleaned_data["label"], form.cleaned_data["lowest"]
            if label in seen_labels:
                form.add_error("label", f"等次名称“{label}”重复了,请换一个名称。")
            if lowest in seen_lowest:
                form.add_error("lowest", f"已有等次的最低分是 {lowest},最低分不能重复。")
            seen_labels.add(label)
            seen_lowest.add(lowest)
        if len(rows_ok) < len(self.forms):
            return
        if not filled:
            raise forms.ValidationError("请至少设置一个等次,并且其中一个的最低分为 0。")
        if 0 not in seen_lowest:
            raise forms.ValidationError(
                "必须有一个最低分为 0 的等次,这样每位委员都有等次(例如“不称职”最低分 0)。"
            )

    def bands(self) -> list[tuple[int, str]]:
        """The filled rows as (lowest, label), highest first (after ``is_valid()``)."""
        rows = [
            (form.cleaned_data["lowest"], form.cleaned_data["label"])
            for form in self.forms
            if not form.is_blank
        ]
        return sorted(rows, reverse=True)


PointBandFormSet = forms.formset_factory(
    PointBandForm, formset=BasePointBandFormSet, extra=2, max_num=20, absolute_max=40
)


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year


class RankingFilterForm(YearForm):
    area = AreaChoiceField(
        label="所属政协", queryset=Area.objects.none(), required=False, empty_label="(全部)"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.visible_to(user).filter(
            level__in=COMMITTEE_LEVELS
        )
        self.fields["area"].widget.attrs["class"] = "form-select"
