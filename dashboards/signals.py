"""The one mechanism that keeps the dashboard's derived tables in step with the records: receivers
of the records' own writes, connected in ``DashboardsConfig.ready()``.

- ``save()`` / ``delete()`` anywhere (services, admin, forms, imports, factories, the shell):
  Django's ``post_save`` / ``post_delete``;
- ``bulk_create()`` and ``QuerySet.update()`` on the tracked models: the signals of
  ``consult_portal.tracking`` (their querysets send them);
- treebeard's moves of an area (raw SQL): ``platforms.signals.area_moved``;
- ``loaddata`` (raw saves): skipped here, and followed by one rebuild (this app's ``loaddata``
  command); inside ``summaries.bulk_changes()`` (demo data): skipped, one rebuild at the end.

The lower apps never call the dashboards: they write their records and the dashboards follow,
so a write cannot forget its upkeep. Each write refreshes the records it touched, in its own
transaction: the summaries (``dashboards.summaries``: a snapshot per topic and session, the
difference applied to the counts) and the day bitmaps (``dashboards.bits``: the venues and
members whose days may have changed, old and new).

A topic's bitmaps read its venue and resolution day, which its summary snapshot holds too: the
snapshots' difference says which venues to refresh, without reading the row before the save. A
session's, duty's, attendance row's and "六有" record's are read in ``pre_save`` (one small
query) and compared after it. A ``save(update_fields=...)`` naming no field that either reads
costs nothing.
"""

from __future__ import annotations

import threading

from django.db.models.signals import post_delete, post_save, pre_save

from consult_portal.tracking import rows_created, rows_updating
from members import rules as five_ones
from members.models import Duty, Member
from platforms.models import Venue, VenueStandardRecord
from platforms.signals import area_moved
from topics.models import Attendance, AttendanceStatus, Consultation, Referral, Topic

from . import bits, summaries
from .models import MemberYear, VenueYear

# The fields the bitmaps read of each record (read before a save, compared after it).
TRACKED = {
    Consultation: ("venue_id", "held_at", "outcome"),
    Topic: ("venue_id", "status", "resolved_on"),
    Duty: ("member_id", "kind", "status", "date"),
    Attendance: ("member_id", "consultation_id", "status"),
    VenueStandardRecord: ("venue_id", "item", "met_on"),
}
# Every field the summaries or the bitmaps read, by model: a save or update naming none of
# them changes nothing derived.
WATCHED = {
    Topic: {"status", "raised_on", "resolved_on", "rating", "deadline", "area", "venue"},
    Referral: {"topic", "replied_on", "returned_on", "deadline", "referred_on", "role"},
    Consultation: {"venue", "held_at", "outcome", "residents_count"},
    Attendance: {"consultation", "member", "status"},
    Duty: {"member", "kind", "status", "date"},
    VenueStandardRecord: {"venue", "item", "met_on"},
    Venue: {"area"},
}


def _names(fields) -> set[str]:
    """Field names, whether given as ``venue`` or ``venue_id``."""
    return {f[:-3] if f.endswith("_id") else f for f in fields}


def _watched(model, update_fields) -> bool:
    return update_fields is None or bool(_names(update_fields) & WATCHED[model])


# -- loaddata --------------------------------------------------------------------------------
_raw = threading.local()


def raw_rows_seen(reset: bool = False) -> bool:
    """True once a tracked record was saved raw (``loaddata``) since the last reset."""
    seen = getattr(_raw, "seen", False)
    if reset:
        _raw.seen = False
    return seen


# -- what the bitmaps see of a record ------------------------------------------------------------
def _relevant(sender, values: dict | None):
    """What the bitmaps see of a record (None: nothing, or no record)."""
    if values is None:
        return None
    v = values
    if sender is Consultation:
        return (v["venue_id"], v["held_at"], bool(v["outcome"]))
    if sender is Duty:
        counted = five_ones.duty_counts(v["kind"], v["status"])
        return (v["member_id"], v["kind"], v["date"]) if counted else (v["member_id"],)
    if sender is Attendance:
        present = v["status"] == AttendanceStatus.PRESENT
        return (v["member_id"], v["consultation_id"] if present else None)
    return (v["venue_id"], v["item"], v["met_on"])


def _snapshot_venue(snapshot) -> int | None:
    for node in (snapshot.nodes if snapshot else "").split():
        if node.startswith("v"):
            return int(node[1:])
    return None


def _topic_changes(changes: list[tuple]) -> None:
    """Refresh the bitmaps of the venues whose resolved topics changed (from the summaries'
    snapshots: a topic counts for its venue's bitmaps on its resolution day)."""
    venues = set()
    for _pk, *snapshots in changes:
        counted = [
            (_snapshot_venue(s), s.resolved_on) if s and s.resolved_on else None for s in snapshots
        ]
        if counted[0] != counted[1]:
            venues.update(c[0] for c in counted if c)
    for venue_id in sorted(v for v in venues if v is not None):
        bits.refresh_venue(venue_id)


def _refresh_after(sender, old: dict | None, new: dict | None, instance=None) -> None:
    """A record of ``sender`` went from ``old`` to ``new`` (each: its TRACKED values, or None)."""
    if _relevant(sender, old) == _relevant(sender, new):
        return
    old, new = old or {}, new or {}
    if sender is Consultation:
        for venue_id in sorted({old.get("venue_id"), new.get("venue_id")} - {None}):
            bits.refresh_venue(venue_id)
        if instance is not None and old and new and old.get("held_at") != new["held_at"]:
            bits.refresh_members(
                instance.attendances.filter(status=AttendanceStatus.PRESENT).values_list(
                    "member_id", flat=True
                )
            )
    elif sender is VenueStandardRecord:
        for venue_id in sorted({old.get("venue_id"), new.get("venue_id")} - {None}):
            bits.refresh_venue(venue_id)
    else:  # Duty, Attendance
        bits.refresh_members({old.get("member_id"), new.get("member_id")})


# -- save() and delete() ---------------------------------------------------------------------
def _remember(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    old = None
    if (
        not raw
        and sender in TRACKED
        and sender is not Topic
        and _watched(sender, update_fields)
        and instance.pk is not None
        and not instance._state.adding
    ):
        old = sender._base_manager.filter(pk=instance.pk).values(*TRACKED[sender]).first()
    instance._bits_old = old


def _saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs) -> None:
    old = instance.__dict__.pop("_bits_old", None)
    if raw:
        _raw.seen = True
        return
    if summaries.paused() or not _watched(sender, update_fields):
        return
    if sender is Topic:
        _topic_changes(summaries.refresh_topics([instance.pk]))
        return
    if sender is Referral:
        _topic_changes(summaries.refresh_topics([instance.topic_id]))
        return
    if sender is Venue:  # a venue moved to another area takes its topics and sessions along
        _venue_moved([instance.pk])
        return
    if sender is Consultation:
        summaries.refresh_sessions([instance.pk])
    elif sender is Attendance:
        summaries.refresh_sessions([instance.consultation_id])
    new = {name: getattr(instance, name) for name in TRACKED[sender]}
    _refresh_after(sender, old, new, instance)


def _deleted(sender, instance, **kwargs) -> None:
    if summaries.paused():
        return
    if sender is Topic:
        summaries.refresh_topics([instance.pk])
        bits.refresh_venue(instance.venue_id)
    elif sender is Referral:
        _topic_changes(summaries.refresh_topics([instance.topic_id]))
    elif sender is Consultation:
        summaries.refresh_sessions([instance.pk])
        bits.refresh_venue(instance.venue_id)
    elif sender is Attendance:
        summaries.refresh_sessions([instance.consultation_id])
        bits.refresh_member(instance.member_id)
    elif sender is VenueStandardRecord:
        bits.refresh_venue(instance.venue_id)
    else:  # Duty
        bits.refresh_member(instance.member_id)


def _entity_deleted(sender, instance, **kwargs) -> None:
    """A deleted venue's or member's rows go with it: the cascade removed them first, but the
    post_delete of its cascaded records (deleted before it) may have written them back."""
    if sender is Venue:
        VenueYear.objects.filter(venue_id=instance.pk).delete()
    else:
        MemberYear.objects.filter(member_id=instance.pk).delete()


def _venue_moved(venue_ids) -> None:
    _topic_changes(
        summaries.refresh_topics(
            Topic.objects.filter(venue__in=venue_ids).values_list("pk", flat=True)
        )
    )
    summaries.refresh_sessions(
        Consultation.objects.filter(venue__in=venue_ids).values_list("pk", flat=True)
    )


def _area_moved(sender, area_id: int, **kwargs) -> None:
    """An area moved in the tree (treebeard rewrites the paths with raw SQL): its topics and
    sessions, and those of every area below it, now add to other ancestors."""
    from platforms.models import Area

    if summaries.paused():
        return
    path = Area.objects.filter(pk=area_id).values_list("path", flat=True).first()
    if path is None:
        return
    summaries.refresh_topics(
        Topic.objects.filter(area__path__startswith=path).values_list("pk", flat=True)
    )
    summaries.refresh_sessions(
        Consultation.objects.filter(venue__area__path__startswith=path).values_list("pk", flat=True)
    )


# -- bulk_create() and update() ----------------------------------------------------------------
# What to read of the rows of a bulk write to know which records and entities to refresh.
KEYS = {
    Topic: ("pk",),
    Referral: ("topic_id",),
    Consultation: ("pk", "venue_id"),
    Attendance: ("consultation_id", "member_id"),
    Duty: ("member_id",),
    VenueStandardRecord: ("venue_id",),
    Venue: ("pk",),
}


def _refresh_rows(sender, rows: list[dict]) -> None:
    """Refresh everything derived from the records described by ``rows`` (their KEYS)."""

    def ids(key):
        return sorted({row[key] for row in rows if row[key] is not None})

    if sender is Topic:
        _topic_changes(summaries.refresh_topics(ids("pk")))
    elif sender is Referral:
        _topic_changes(summaries.refresh_topics(ids("topic_id")))
    elif sender is Consultation:
        summaries.refresh_sessions(ids("pk"))
        for venue_id in ids("venue_id"):
            bits.refresh_venue(venue_id)
        bits.refresh_members(
            Attendance.objects.filter(
                consultation__in=ids("pk"), status=AttendanceStatus.PRESENT
            ).values_list("member_id", flat=True)
        )
    elif sender is Attendance:
        summaries.refresh_sessions(ids("consultation_id"))
        bits.refresh_members(ids("member_id"))
    elif sender is Duty:
        bits.refresh_members(ids("member_id"))
    elif sender is VenueStandardRecord:
        for venue_id in ids("venue_id"):
            bits.refresh_venue(venue_id)
    elif sender is Venue:
        _venue_moved(ids("pk"))


def _created(sender, objs, **kwargs) -> None:
    if summaries.paused() or sender not in KEYS or not objs:
        return
    keys = KEYS[sender]
    rows = [{key: getattr(obj, key) for key in keys} for obj in objs]
    if any(row.get("pk") is None for row in rows if "pk" in keys):
        raise RuntimeError(
            f"{sender.__name__}: bulk_create gave rows without ids, so the dashboard summaries "
            "cannot follow them; load inside dashboards.summaries.bulk_changes()."
        )
    _refresh_rows(sender, rows)


def _updating(sender, queryset, fields, **kwargs):
    """Before ``queryset.update(**fields)``: read which records and entities it touches, and
    refresh them (the rows as they were and as they are) once it has run."""
    if summaries.paused() or sender not in KEYS or not (_names(fields) & WATCHED[sender]):
        return None
    keys = KEYS[sender]
    before = list(queryset.values("pk", *(k for k in keys if k != "pk")))
    if not before:
        return None
    pks = [row["pk"] for row in before]

    def after() -> None:
        now = list(sender._base_manager.filter(pk__in=pks).values("pk", *keys))
        _refresh_rows(sender, before + now)

    return after


def connect() -> None:
    for model in (*TRACKED, Referral, Venue):
        uid = f"dashboards.{model._meta.label_lower}"
        if model in TRACKED:
            pre_save.connect(_remember, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        if model is not Venue:
            post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
        rows_created.connect(_created, sender=model, dispatch_uid=uid)
        rows_updating.connect(_updating, sender=model, dispatch_uid=uid)
    # Venue and Member fields (is_active, area) are read at query time, never stored in the
    # bitmaps, so saving them changes no bitmap row.
    for model in (Venue, Member):
        uid = f"dashboards.bits.{model._meta.label_lower}"
        post_delete.connect(_entity_deleted, sender=model, dispatch_uid=uid)
    area_moved.connect(_area_moved, dispatch_uid="dashboards.area_moved")
