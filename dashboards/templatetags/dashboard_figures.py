"""Showing figures: "—" for a figure with nothing to count, one decimal for rates and days."""

from django import template

register = template.Library()


@register.filter
def figure(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@register.filter
def field(row: dict, key: str):
    """``row[key]`` in a template (the ranking table walks the figure keys)."""
    return row.get(key)
