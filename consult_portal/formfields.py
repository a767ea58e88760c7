"""Choices by primary key that the database can hold, checked before the database sees them.

Django's ``ModelMultipleChoiceField`` (every multi-select: the session form's units, list
filters, the admin's many-to-many fields) sends each submitted key to the database. A key past
the 64-bit range (a 20-digit number typed into a URL) makes SQLite raise ``OverflowError``: a
server error instead of "选择一个有效的选项". ``guard_key_ranges`` (called once from the base
app's ``ready``) makes such a key an ordinary invalid choice, on every such field at once;
there is no per-form place that would also cover the admin's and django-filter's fields.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.models import ModelMultipleChoiceField

_INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}


def key_out_of_range(model, field_name: str | None, value) -> bool:
    """True when ``value`` is an integer that the key column of ``model`` cannot hold."""
    field = model._meta.pk if field_name in (None, "pk") else model._meta.get_field(field_name)
    internal = field.get_internal_type()
    if internal not in _INTEGER_KEYS:
        return False
    try:
        number = int(str(value).strip())
    except ValueError:
        return False  # not a number at all: Django's own check answers it
    low, high = connection.ops.integer_field_range(internal)
    return (low is not None and number < low) or (high is not None and number > high)


def guard_key_ranges() -> None:
    if getattr(ModelMultipleChoiceField, "_key_ranges_guarded", False):
        return
    check_values = ModelMultipleChoiceField._check_values

    def _check_values(self, value):
        for item in value if isinstance(value, list | tuple) else ():
            if key_out_of_range(self.queryset.model, self.to_field_name, item):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return check_values(self, value)

    ModelMultipleChoiceField._check_values = _check_values
    ModelMultipleChoiceField._key_ranges_guarded = True
