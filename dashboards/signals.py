"""Keep the day bitmaps (``dashboards.models``) in step with every save()/delete() of a record
they are computed from — services, admin, forms and factories alike. Bulk paths send no signals:
they call ``dashboards.bits.rebuild_bits()`` (or ``refresh_members``) themselves.

Each handler compares the fields the bitmaps read before and after the save (one small query in
pre_save) and recomputes only the entities whose days may have changed, old and new: a session
moved to another venue refreshes both venues.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from members.models import Duty, Member
from platforms.models import Venue, VenueStandardRecord
from topics.models import Attendance, AttendanceStatus, Consultation, Topic

from . import bits

# The fields each record's bitmaps read.
TRACKED = {
    Consultation: ("venue_id", "held_at", "outcome"),
    Topic: ("venue_id", "status", "resolved_on"),
    Duty: ("member_id", "kind", "status", "date"),
    Attendance: ("member_id", "consultation_id", "status"),
    VenueStandardRecord: ("venue_id", "item", "met_on"),
}


def _remember(sender, instance, raw=False, **kwargs) -> None:
    old = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).values(*TRACKED[sender]).first()
    instance._bits_old = old


def _current(sender, instance) -> dict:
    return {name: getattr(instance, name) for name in TRACKED[sender]}


def _saved(sender, instance, created=False, **kwargs) -> None:
    old = instance.__dict__.pop("_bits_old", None)
    new = _current(sender, instance)
    if old == new:
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
    if sender in (Consultation, Topic, VenueStandardRecord):
        bits.refresh_venue(instance.venue_id)
    else:
        bits.refresh_member(instance.member_id)


def _entity_deleting(sender, instance, **kwargs) -> None:
    bits.deleting("venue" if sender is Venue else "member").add(instance.pk)


def _entity_deleted(sender, instance, **kwargs) -> None:
    bits.deleting("venue" if sender is Venue else "member").discard(instance.pk)


def connect() -> None:
    for model in TRACKED:
        uid = f"dashboards.bits.{model._meta.label_lower}"
        pre_save.connect(_remember, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    # Venue and Member fields (is_active, area) are read at query time, never stored in the
    # bitmaps; their deletion cascades to their rows. Only mark them while they are deleted so
    # their cascaded records do not write rows back for them.
    for model in (Venue, Member):
        uid = f"dashboards.bits.{model._meta.label_lower}"
        pre_delete.connect(_entity_deleting, sender=model, dispatch_uid=uid)
        post_delete.connect(_entity_deleted, sender=model, dispatch_uid=uid)
