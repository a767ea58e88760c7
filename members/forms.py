"""Forms for the one-person file (一人一档): the member's profile and their assignments."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from consult_portal.forms import AreaChoiceField, DateInput
from consult_portal.phones import normalize_phone
from platforms.models import Area, AreaLevel, Venue

from .models import Assignment, AssignmentRole, Member, MemberLeave
from .services import MEMBER_FIELDS

# Committees sit at these levels: a member belongs to a province's, city's or district's CPPCC.
COMMITTEE_LEVELS = (AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.DISTRICT)


WEEKDAY_CHOICES = [(str(i), label) for i, label in enumerate("一二三四五六日")]
WEEKDAY_CHOICES = [(value, f"周{label}") for value, label in WEEKDAY_CHOICES]


class MemberForm(forms.ModelForm):
    area = AreaChoiceField(label="所属政协", queryset=Area.objects.none())
    unavailable_weekdays = forms.MultipleChoiceField(
        label="不便值班的星期",
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="自动排班时不安排这些日子。",
    )
    term = forms.IntegerField(label="届次", required=False, min_value=1, max_value=50)

    class Meta:
        model = Member
        fields = MEMBER_FIELDS
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.visible_to(user).filter(
            level__in=COMMITTEE_LEVELS
        )
        self.fields["area"].help_text = Member._meta.get_field("area").help_text
        # The upper bound moves with the calendar, so the field is built per form.
        self.fields["birth_year"] = forms.IntegerField(
            label="出生年份", required=False, min_value=1900, max_value=timezone.localdate().year
        )
        self.fields["phone"].help_text = "手机号或带区号的固定电话。"
        if isinstance(self.initial.get("unavailable_weekdays"), str):
            self.initial["unavailable_weekdays"] = list(self.initial["unavailable_weekdays"])
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存"))

    def clean_phone(self):
        return normalize_phone(self.cleaned_data.get("phone"))

    def clean_unavailable_weekdays(self):
        return "".join(sorted(set(self.cleaned_data.get("unavailable_weekdays") or [])))

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in MEMBER_FIELDS}


class AssignmentForm(forms.Form):
    """Send a member to a venue (or a subdistrict liaison group) in the user's area."""

    venue = forms.ModelChoiceField(
        label="阵地", queryset=Venue.objects.none(), required=False, empty_label="(不选)"
    )
    area = AreaChoiceField(
        label="或 街道联络委",
        queryset=Area.objects.none(),
        required=False,
        empty_label="(不选)",
        help_text="编入街道联络委时选择街道,与阵地二选一。",
    )
    role = forms.ChoiceField(label="角色", choices=AssignmentRole.choices)
    started_on = forms.DateField(label="开始日期", widget=DateInput())
    ended_on = forms.DateField(
        label="结束日期", widget=DateInput(), required=False, help_text="仍在岗可留空。"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = (
            Venue.objects.visible_to(user).active().select_related("area").order_by("name")
        )
        self.fields["area"].queryset = Area.objects.visible_to(user).filter(
            level=AreaLevel.SUBDISTRICT
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存"))

    def clean(self):
        data = super().clean()
        venue, area = data.get("venue"), data.get("area")
        if not self.has_error("venue") and not self.has_error("area"):
            if venue is None and area is None:
                self.add_error("venue", "请选择一个阵地,或选择一个街道联络委。")
            elif venue is not None and area is not None:
                self.add_error("area", "阵地和街道联络委只能选一个。")
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", "结束日期不能早于开始日期。")
        return data


class AssignmentEndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DateInput())

    def __init__(self, *args, assignment: Assignment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment

    def clean_ended_on(self):
        day = self.cleaned_data["ended_on"]
        if self.assignment is not None and day < self.assignment.started_on:
            raise forms.ValidationError("结束日期不能早于开始日期。")
        return day


class MemberLeaveForm(forms.ModelForm):
    class Meta:
        model = MemberLeave
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {"starts_on": DateInput, "ends_on": DateInput}
        help_texts = {"reason": "可留空,例如“出差”“培训”。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存"))

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "结束日期不能早于开始日期。")
        return data
