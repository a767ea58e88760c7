"""What happened to a topic, for whoever wants to know (the mails, in ``notifications``).

The services send these explicitly, in the code of the write, inside its transaction; receivers
that act outside the database (mail) defer to ``transaction.on_commit`` themselves. Topics does
not know who listens: ``notifications`` connects in its ``AppConfig.ready()``.

The dashboard summaries do not listen here: they follow every write of the records they count
(``post_save``/``post_delete`` and ``consult_portal.tracking`` for bulk writes), whoever makes it.
"""

from django.dispatch import Signal

# sender=Topic, topic=the new Topic, actor=the user who entered it (or None/anonymous).
# Not sent for imported rows (``topic_create(notify_staff=False)``).
topic_raised = Signal()

# sender=Topic, event=the TopicEvent that records the change of state, actor=the user.
topic_status_changed = Signal()

# sender=Referral, event=the TopicEvent of a unit's step on a referral (签收, 退回, 申请延期,
# 答复), actor=the user (a unit's account, or staff entering it for a unit without a login).
referral_unit_acted = Signal()
