"""Writes to venues: create, edit, record a "六有" item, deactivate and reactivate.

Every function checks the actor may do it (``platforms.permissions``), runs in a transaction,
re-reads contended rows under a lock and saves only the fields it changed. Venues are never
deleted: a venue that closes is deactivated, and its sessions, topics and history stay.
The acting user is put on the instance (``_history_user``) so django-simple-history records who
changed what even outside a request (commands, tests).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Area, StandardItem, Venue, VenueStandardRecord
from .permissions import can_edit_venue, can_manage_area

VENUE_FIELDS = (
    "name",
    "code",
    "kind",
    "brand",
    "area",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "contact_phone",
    "established_on",
)


def _check_area(actor, area: Area | None) -> None:
    if not can_manage_area(actor, area):
        raise PermissionDenied("您不能在该区域登记或修改阵地。")


@transaction.atomic
def venue_create(*, actor, **fields) -> Venue:
    """Create a venue; ``fields`` are among ``VENUE_FIELDS``."""
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown venue fields: {sorted(unknown)}")
    _check_area(actor, fields.get("area"))
    venue = Venue(**fields)
    venue.full_clean()
    venue._history_user = actor
    venue.save()
    return venue


@transaction.atomic
def venue_update(*, actor, venue: Venue, **fields) -> Venue:
    """Change some of ``VENUE_FIELDS``; moving a venue needs rights on both areas."""
    unknown = set(fields) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"unknown venue fields: {sorted(unknown)}")
    locked = Venue.objects.select_for_update().select_related("area").get(pk=venue.pk)
    if not can_edit_venue(actor, locked):
        raise PermissionDenied("您没有权限修改该阵地。")
    if "area" in fields:
        _check_area(actor, fields["area"])
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name in changed:
        setattr(locked, name, fields[name])
    if changed:
        locked.full_clean()
        locked._history_user = actor
        locked.save(update_fields=[*changed, "updated_at"])
    return locked


@transaction.atomic
def venue_record_standard(
    *, actor, venue: Venue, item: str, met_on: datetime.date, note: str = ""
) -> VenueStandardRecord:
    """Record (or correct) when a venue met one of the four recorded "六有" items."""
    if not can_edit_venue(actor, venue):
        raise PermissionDenied("您没有权限登记该阵地的“六有”情况。")
    if item not in StandardItem.values:
        raise ValidationError({"item": "请选择“六有”中的一项。"})
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": "达标日期不能晚于今天。"})
    Venue.objects.select_for_update().filter(pk=venue.pk).exists()  # serialise per venue
    record, _ = VenueStandardRecord.objects.get_or_create(
        venue=venue, item=item, defaults={"met_on": met_on, "note": note, "recorded_by": actor}
    )
    record.met_on, record.note, record.recorded_by = met_on, note, actor
    record.full_clean()
    record.save(update_fields=["met_on", "note", "recorded_by"])
    return record


def _set_active(*, actor, venue: Venue, active: bool) -> Venue:
    locked = Venue.objects.select_for_update().select_related("area").get(pk=venue.pk)
    if not can_edit_venue(actor, locked):
        raise PermissionDenied("您没有权限停用或启用该阵地。")
    if locked.is_active != active:
        locked.is_active = active
        locked._history_user = actor
        locked.save(update_fields=["is_active", "updated_at"])
    return locked


@transaction.atomic
def venue_deactivate(*, actor, venue: Venue) -> Venue:
    """Mark a venue as no longer in use; nothing about it is deleted."""
    return _set_active(actor=actor, venue=venue, active=False)


@transaction.atomic
def venue_reactivate(*, actor, venue: Venue) -> Venue:
    return _set_active(actor=actor, venue=venue, active=True)
