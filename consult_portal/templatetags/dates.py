from django import template

from consult_portal.dates import day_label

register = template.Library()


@register.filter
def day(value):
    """``{{ shift.date|day }}`` → 1月18日(周一), with the year when it is not this year."""
    return day_label(value) if value else ""
