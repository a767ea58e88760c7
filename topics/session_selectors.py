"""Reads for the session form and the session's history page (协商活动修改记录).

The history is read from django-simple-history: the session's own rows (fields and departments)
and the rows of its attendance, topic links and attachments — deleted ones included, since their
history rows outlive them. Every change is shown as who, when, which field, old → new.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from consult_portal.people import person_name
from members.models import Member
from platforms.models import Venue

from .models import (
    Attendance,
    AttendanceStatus,
    Consultation,
    ConsultationAttachment,
    ConsultationForm,
    ConsultationTopic,
    Department,
    Topic,
)

ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
SAME_SAVE = datetime.timedelta(seconds=5)
# Fields of the session shown on the history page, in page order; the rest (timestamps) are not.
SESSION_FIELDS = [
    "venue",
    "held_at",
    "form",
    "title",
    "host",
    "residents_count",
    "enterprises_count",
    "experts_count",
    "departments_count",
    "minutes",
    "outcome",
    "departments",
]


def consultation_edit_queryset(*, user) -> QuerySet[Consultation]:
    """Sessions the user may open for editing: scoped first; 404 for the rest."""
    return Consultation.objects.visible_to(user).select_related("venue", "venue__area", "host")


def attachment_queryset(*, user) -> QuerySet[ConsultationAttachment]:
    """Attachments of the sessions the user may see."""
    return ConsultationAttachment.objects.filter(
        consultation__in=Consultation.objects.visible_to(user).values("pk")
    )


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime.datetime
    user: str
    part: str  # 活动信息 / 出席 / 议题 / 附件
    action: str  # 新建 / 修改 / 删除
    subject: str = ""
    changes: list[Change] = field(default_factory=list)


def consultation_history(*, consultation: Consultation) -> list[HistoryEntry]:
    """Every recorded change of ``consultation`` and its rows, newest first.

    A fixed number of queries: one per history table, one per kind of name looked up
    (members, topics, departments, venues), however long the history is.
    """
    session_rows = list(
        Consultation.history.filter(id=consultation.pk)
        .select_related("history_user", "history_user__profile")
        .order_by("history_date", "history_id")
    )
    # The departments present, as they were at each history row (simple-history's m2m table).
    m2m_model = (
        Consultation.history.model._meta.get_field("historicalconsultation_departments")
    ).related_model
    departments_at: dict[int, list[int]] = {r.history_id: [] for r in session_rows}
    for history_id, department_id in m2m_model.objects.filter(
        history_id__in=list(departments_at)
    ).values_list("history_id", "department_id"):
        departments_at[history_id].append(department_id)
    for row in session_rows:
        row.department_ids = sorted(departments_at[row.history_id])
    attendance_rows = list(
        Attendance.history.filter(consultation_id=consultation.pk)
        .select_related("history_user", "history_user__profile")
        .order_by("history_date", "history_id")
    )
    link_rows = list(
        ConsultationTopic.history.filter(consultation_id=consultation.pk)
        .select_related("history_user", "history_user__profile")
        .order_by("history_date", "history_id")
    )
    attachment_rows = list(
        ConsultationAttachment.history.filter(consultation_id=consultation.pk)
        .select_related("history_user", "history_user__profile")
        .order_by("history_date", "history_id")
    )

    member_ids = {r.member_id for r in attendance_rows}
    member_ids |= {r.host_id for r in session_rows if r.host_id}
    department_ids = {pk for r in session_rows for pk in r.department_ids}
    names = _Names(
        members=_name_map(Member.objects.filter(pk__in=member_ids), "name"),
        topics=_name_map(Topic.objects.filter(pk__in={r.topic_id for r in link_rows}), "title"),
        departments=_name_map(Department.objects.filter(pk__in=department_ids), "name"),
        venues=_name_map(Venue.objects.filter(pk__in={r.venue_id for r in session_rows}), "name"),
    )

    entries: list[HistoryEntry] = []
    entries += _session_entries(session_rows, names)
    entries += _row_entries(
        attendance_rows,
        part="出席",
        subject=lambda r: f"委员 {names.members.get(r.member_id, '(已删除)')}",
        fields={"status": ("出席情况", lambda v: AttendanceStatus(v).label if v else "")},
    )
    entries += _row_entries(
        link_rows,
        part="议题",
        subject=lambda r: f"议题“{names.topics.get(r.topic_id, '(已删除)')}”",
        fields={"note": ("讨论情况", str)},
    )
    entries += _row_entries(
        attachment_rows,
        part="附件",
        subject=lambda r: f"附件“{r.original_name}”",
        fields={"original_name": ("文件名", str)},
    )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


@dataclass
class _Names:
    members: dict[int, str]
    topics: dict[int, str]
    departments: dict[int, str]
    venues: dict[int, str]


def _name_map(qs, attr: str) -> dict[int, str]:
    return dict(qs.values_list("pk", attr))


def _who(row) -> str:
    return person_name(row.history_user)


def _session_value(name: str, row, names: _Names) -> str:
    if name == "departments":
        return "、".join(names.departments.get(pk, "?") for pk in row.department_ids) or "(无)"
    value = getattr(row, f"{name}_id" if name in ("venue", "host") else name)
    if value in (None, ""):
        return "(空)"
    if name == "venue":
        return names.venues.get(value, "?")
    if name == "host":
        return names.members.get(value, "?")
    if name == "form":
        try:
            return ConsultationForm(value).label
        except ValueError:
            return str(value)
    if name == "held_at":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _session_entries(rows, names: _Names) -> list[HistoryEntry]:
    labels = {
        f.name: str(f.verbose_name)
        for f in Consultation._meta.get_fields()
        if f.name in SESSION_FIELDS and hasattr(f, "verbose_name")
    }
    entries = []
    previous = None
    for row in rows:
        values = {name: _session_value(name, row, names) for name in SESSION_FIELDS}
        if previous is None or row.history_type != "~":
            entry = HistoryEntry(
                at=row.history_date,
                user=_who(row),
                part="活动信息",
                action=ACTIONS.get(row.history_type, row.history_type),
                subject=row.title,
            )
        else:
            changes = [
                Change(labels.get(name, name), previous[name], values[name])
                for name in SESSION_FIELDS
                if previous[name] != values[name]
            ]
            entry = (
                HistoryEntry(
                    at=row.history_date,
                    user=_who(row),
                    part="活动信息",
                    action="修改",
                    subject=row.title,
                    changes=changes,
                )
                if changes
                else None
            )
        if entry is not None:
            last = entries[-1] if entries else None
            if (
                last is not None
                and entry.action == last.action == "修改"
                and entry.user == last.user
                and entry.at - last.at <= SAME_SAVE
            ):
                # One save writes the fields, then the departments: show them as one change.
                last.changes += entry.changes
                last.at = entry.at
            else:
                entries.append(entry)
        previous = values
    return entries


def _row_entries(rows, *, part: str, subject, fields: dict) -> list[HistoryEntry]:
    """Entries for the rows of one related table, diffing each row against its previous state."""
    last: dict[int, object] = {}
    entries = []
    for row in rows:
        before = last.get(row.id)
        action = ACTIONS.get(row.history_type, row.history_type)
        changes = []
        if row.history_type == "+":
            changes = [
                Change(label, "", show(getattr(row, name)))
                for name, (label, show) in fields.items()
                if getattr(row, name)
            ]
        elif row.history_type == "~" and before is not None:
            changes = [
                Change(label, show(getattr(before, name)), show(getattr(row, name)))
                for name, (label, show) in fields.items()
                if getattr(before, name) != getattr(row, name)
            ]
            if not changes:
                last[row.id] = row
                continue
        entries.append(
            HistoryEntry(
                at=row.history_date,
                user=_who(row),
                part=part,
                action=action,
                subject=subject(row),
                changes=changes,
            )
        )
        last[row.id] = row
    return entries
