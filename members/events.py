"""What happened to a member's records, for whoever wants to know (the mails, in
``notifications``, connected in its ``AppConfig.ready()``). Sent by the services, explicitly,
inside the write's transaction; see ``topics.events``."""

from django.dispatch import Signal

# sender=Duty, duty=the Duty just confirmed or returned (reviewed_at set), actor=the reviewer.
duty_reviewed = Signal()
