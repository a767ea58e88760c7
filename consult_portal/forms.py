"""Form bits every app shares: date inputs, area choices labelled with their level, and
putting a service's ValidationError on the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

DATE_WIDGET_FORMAT = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A native date picker; the value round-trips as YYYY-MM-DD so typed input is kept."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATE_WIDGET_FORMAT)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}({obj.get_level_display()})"


def attach_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
