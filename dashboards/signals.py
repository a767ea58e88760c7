"""Keep the day bitmaps (``dashboards.models``) in step with every save()/delete() of a record
they are computed from — services, admin, forms and factories alike. Bulk paths send no signals:
they call ``dashboards.bits.rebuild_bits()`` (or ``refresh_members``) themselves.

Each save compares what the bitmaps read of the record before and after (one small query in
pre_save) and recomputes only the entities whose days may have changed, old and new: a session
moved to another venue refreshes both venues; a topic edited without its resolution changing
refreshes nothing.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from members import rules as five_ones
from members.models import Duty, Member
from platforms.models import Venue, VenueStandardRecord
from topics.lifecycle import RESOLVED_STATES
from topics.models import Attendance, AttendanceStatus, Consultation, Topic

from . import bits, summaries
from .models import MemberYear, VenueYear

# The fields each record's bitmaps read.
TRACKED = {
    Consultation: ("venue_id", "held_at", "outcome"),
    Topic: ("venue_id", "status", "resolved_on"),
    Duty: ("member_id", "kind", "status", "date"),
    Attendance: ("member_id", "consultation_id", "status"),
    VenueStandardRecord: ("venue_id", "item", "met_on"),
}


def _relevant(sender, values: dict | None):
    """What the bitmaps see of a record (None: nothing, or no record)."""
    if values is None:
        return None
    v = values
    if sender is Consultation:
        return (v["venue_id"], v["held_at"], bool(v["outcome"]))
    if sender is Topic:
        return (v["venue_id"], v["resolved_on"] if v["status"] in RESOLVED_STATES else None)
    if sender is Duty:
        counted = five_ones.duty_counts(v["kind"], v["status"])
        return (v["member_id"], v["kind"], v["date"]) if counted else (v["member_id"],)
    if sender is Attendance:
        present = v["status"] == AttendanceStatus.PRESENT
        return (v["member_id"], v["consultation_id"] if present else None)
    return (v["venue_id"], v["item"], v["met_on"])


def _remember(sender, instance, raw=False, **kwargs) -> None:
    old = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).values(*TRACKED[sender]).first()
    instance._bits_old = old


def _saved(sender, instance, created=False, **kwargs) -> None:
    old = instance.__dict__.pop("_bits_old", None)
    if summaries.paused():
        return
    new = {name: getattr(instance, name) for name in TRACKED[sender]}
    if _relevant(sender, old) == _relevant(sender, new):
        return
    old = old or {}
    if sender is Consultation:
        for venue_id in {old.get("venue_id"), new["venue_id"]}:
            bits.refresh_venue(venue_id)
        if old and old.get("held_at") != new["held_at"]:
            bits.refresh_members(
                instance.attendances.filter(status=AttendanceStatus.PRESENT).values_list(
                    "member_id", flat=True
                )
            )
    elif sender in (Topic, VenueStandardRecord):
        for venue_id in {old.get("venue_id"), new["venue_id"]}:
            bits.refresh_venue(venue_id)
    else:  # Duty, Attendance
        bits.refresh_members({old.get("member_id"), new["member_id"]})


def _deleted(sender, instance, **kwargs) -> None:
    if summaries.paused():
        return
    if sender in (Consultation, Topic, VenueStandardRecord):
        bits.refresh_venue(instance.venue_id)
    else:
        bits.refresh_member(instance.member_id)


def _entity_deleted(sender, instance, **kwargs) -> None:
    """A deleted venue's or member's rows go with it: the cascade removed them first, but the
    post_delete of its cascaded records (deleted before it) may have written them back."""
    if sender is Venue:
        VenueYear.objects.filter(venue_id=instance.pk).delete()
    else:
        MemberYear.objects.filter(member_id=instance.pk).delete()


def connect() -> None:
    for model in TRACKED:
        uid = f"dashboards.bits.{model._meta.label_lower}"
        pre_save.connect(_remember, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    # Venue and Member fields (is_active, area) are read at query time, never stored in the
    # bitmaps, so saving them changes no row.
    for model in (Venue, Member):
        uid = f"dashboards.bits.{model._meta.label_lower}"
        post_delete.connect(_entity_deleted, sender=model, dispatch_uid=uid)
