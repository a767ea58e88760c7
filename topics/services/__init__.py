"""Topic and session services: every write to topics goes through a function here.

One module per family (transitions, sessions, referrals ...); callers import from the module
that owns the function. The lifecycle basics are re-exported for the callers that predate the split.
"""

from .transitions import TransitionError, topic_create, topic_transition

__all__ = ["TransitionError", "topic_create", "topic_transition"]
