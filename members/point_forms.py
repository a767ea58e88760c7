"""Forms for duties, the yearly point rules and the ranking's filters (issue 5, item 3)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from consult_portal.forms import AreaChoiceField, DateInput
from platforms.models import Area

from .duty_services import check_outcome
from .forms import COMMITTEE_LEVELS
from .models import DutyKind, DutyOutcome, DutyStatus, PointKind

YEAR_MIN, YEAR_MAX = 2000, 2100


class DutyForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=DutyKind.choices)
    date = forms.DateField(label="日期", widget=DateInput())
    title = forms.CharField(label="标题", max_length=200)
    status = forms.ChoiceField(label="状态", choices=DutyStatus.choices, initial=DutyStatus.DONE)
    outcome = forms.ChoiceField(
        label="结果",
        required=False,
        choices=[("", "(无)"), *DutyOutcome.choices],
        help_text="提案填立案/办复情况,社情民意填采用级别;其他类型留空。",
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存"))

    def clean(self):
        data = super().clean()
        kind, outcome = data.get("kind"), data.get("outcome")
        if kind and outcome and not self.has_error("outcome"):
            try:
                check_outcome(kind, outcome)
            except forms.ValidationError as error:
                self.add_error("outcome", error.message_dict["outcome"])
        return data


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
