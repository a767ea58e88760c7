"""Forms for venues: create / edit, and recording a "六有" item."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import Q
from django.utils import timezone

from consult_portal.forms import AreaChoiceField, DateInput
from consult_portal.phones import normalize_phone

from .models import Area, PlatformBrand, StandardItem, Venue
from .services import VENUE_FIELDS


class VenueForm(forms.ModelForm):
    """Area and brand choices are limited to what the user may manage."""

    area = AreaChoiceField(label="服务区域", queryset=Area.objects.none())

    class Meta:
        model = Venue
        fields = VENUE_FIELDS
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.visible_to(user)
        self.fields["area"].queryset = areas
        self.fields["area"].help_text = Venue._meta.get_field("area").help_text
        self.fields["brand"].queryset = PlatformBrand.objects.filter(
            Q(area__isnull=True) | Q(area__in=areas)
        )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "保存"))

    def clean_contact_phone(self):
        return normalize_phone(self.cleaned_data.get("contact_phone"))

    def clean_established_on(self):
        day = self.cleaned_data.get("established_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("建成日期不能晚于今天。")
        return day

    def clean(self):
        data = super().clean()
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None) and not (
            self.has_error("latitude") or self.has_error("longitude")
        ):
            raise forms.ValidationError("纬度和经度需同时填写或同时留空。")
        if lat is not None and not -90 <= lat <= 90:
            self.add_error("latitude", "纬度应在 -90 到 90 之间。")
        if lng is not None and not -180 <= lng <= 180:
            self.add_error("longitude", "经度应在 -180 到 180 之间。")
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in VENUE_FIELDS}


class VenueStandardForm(forms.Form):
    item = forms.ChoiceField(label="六有项目", choices=StandardItem.choices)
    met_on = forms.DateField(label="达标日期", widget=DateInput())
    note = forms.CharField(
        label="说明", max_length=200, required=False, help_text="如标识牌位置、制度名称等。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "登记"))

    def clean_met_on(self):
        day = self.cleaned_data["met_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("达标日期不能晚于今天。")
        return day
