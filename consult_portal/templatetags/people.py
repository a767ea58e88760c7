from django import template

from consult_portal.people import person_name

register = template.Library()


@register.filter
def person(user, default: str = "系统") -> str:
    """``{{ event.actor|person:"群众" }}``: a user's name by the portal's one rule."""
    return person_name(user, default)
