"""Form bits every app shares: date inputs, area choices labelled with their level."""

from __future__ import annotations

from django import forms

DATE_WIDGET_FORMAT = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A native date picker; the value round-trips as YYYY-MM-DD so typed input is kept."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATE_WIDGET_FORMAT)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}({obj.get_level_display()})"
