"""``{% outcomes_block topic=topic %}`` / ``{% outcomes_block consultation=session %}``: the
outcomes drawn from a topic or a session, on its page (three queries: the outcomes, their items,
their 批示). A tag because ``topics`` sits below this app and cannot ask for them in its views;
the one template line is the whole change to the topic and session pages."""

from __future__ import annotations

from django import template

from ..permissions import outcome_policy
from ..selectors import outcomes_from

register = template.Library()


@register.inclusion_tag("proposals/includes/outcomes_block.html", takes_context=True)
def outcomes_block(context, topic=None, consultation=None):
    user = context["request"].user
    if not outcome_policy.user_has_permission(user, "read_list"):
        return {"outcomes": [], "can_add": False}
    outcomes = outcomes_from(user=user, topic=topic, consultation=consultation)
    query = f"topic={topic.pk}" if topic is not None else f"consultation={consultation.pk}"
    return {
        "outcomes": outcomes,
        "can_add": outcome_policy.user_has_permission(user, "change"),
        "add_query": query,
    }
