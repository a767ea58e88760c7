"""Change history ("修改记录") read from django-simple-history tables, for any page.

``change_history`` takes one or more *historical* querysets (``venue.history.all()``,
``Assignment.history.filter(venue_id=...)``), merges them newest first, keeps the last ``limit``
versions and says for each: who, when, what (created / changed / deleted) and, for a change,
every tracked field as old → new in words (choice labels, related objects' names).

Queries are fixed whatever the length of the history: per source, one query for the versions
(with the id of each version's predecessor annotated by a subquery) and one for those
predecessors; related objects and the acting user come through ``select_related``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

# Bookkeeping fields a reader does not care about.
IGNORED_FIELDS = frozenset({"id", "created_at", "updated_at"})

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Version:
    when: datetime.datetime
    who: str
    action: str
    subject: str
    changes: list[FieldChange] = field(default_factory=list)


def _tracked(history_model) -> list[models.Field]:
    return [f for f in history_model.tracked_fields if f.name not in IGNORED_FIELDS]


def _display(record, model_field: models.Field) -> str:
    if model_field.is_relation:
        related = getattr(record, model_field.name, None)
        return str(related) if related is not None else "—"
    value = getattr(record, model_field.attname)
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def person_name(user) -> str:
    """How pages name a user: the profile's display name, else the full name, else the login
    name. Select ``profile`` with the user to keep this free of queries."""
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.get_full_name() or user.username


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return "系统"
    return person_name(user)


def _versions(history_qs, limit: int, describe: Callable | None) -> list[Version]:
    model = history_qs.model
    tracked = _tracked(model)
    related = [f.name for f in tracked if f.is_relation]
    previous = (
        model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        history_qs.select_related("history_user", "history_user__profile", *related)
        .annotate(previous_id=Subquery(previous))
        .order_by("-history_date", "-history_id")[:limit]
    )
    prev_ids = [r.previous_id for r in rows if r.previous_id]
    prevs = model.objects.select_related(*related).in_bulk(prev_ids) if prev_ids else {}
    versions = []
    for row in rows:
        changes = []
        before = prevs.get(row.previous_id)
        if row.history_type == "~" and before is not None:
            for f in tracked:
                if getattr(before, f.attname) != getattr(row, f.attname):
                    changes.append(
                        FieldChange(str(f.verbose_name), _display(before, f), _display(row, f))
                    )
        versions.append(
            Version(
                when=row.history_date,
                who=_who(row),
                action=ACTIONS.get(row.history_type, row.history_type),
                subject=describe(row) if describe else str(model._meta.verbose_name),
                changes=changes,
            )
        )
    return versions


def change_history(
    *sources: tuple[models.QuerySet, Callable | None], limit: int = 30
) -> list[Version]:
    """Merge the last ``limit`` versions of each ``(historical queryset, describe)`` source.

    ``describe(record)`` names the object a version is about (it may use the record's foreign
    keys, which are loaded); ``None`` uses the model's verbose name. A save that changed nothing
    tracked (only timestamps) is left out.
    """
    versions: list[Version] = []
    for history_qs, describe in sources:
        versions.extend(_versions(history_qs, limit, describe))
    versions = [v for v in versions if v.action != "修改" or v.changes]
    versions.sort(key=lambda v: v.when, reverse=True)
    return versions[:limit]
