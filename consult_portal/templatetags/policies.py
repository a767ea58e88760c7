"""``{% user_can "consultation" "change" as can_edit %}`` (optionally ``obj=row``): templates ask
the same policy the views and services ask (``consult_portal.policies``)."""

from django import template

from consult_portal.policies import policy_named

register = template.Library()


@register.simple_tag(takes_context=True)
def user_can(context, policy: str, action: str, obj=None) -> bool:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    if user is None:
        return False
    return policy_named(policy).user_can(user, action, obj)
