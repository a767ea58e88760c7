"""Logging and editing a consultation session (协商活动): one transaction per save.

A session is saved with everything that hangs off it — attendance, departments present, the topics
discussed (existing ones linked with a note, new ones raised through ``topic_create`` so their
timeline starts), and attachments. If any part fails, nothing is stored: the database rolls back
and the files already written for this save are removed.

django-simple-history records every row written here (the request middleware, or ``actor`` when
called outside a request), which is what the session's history page reads.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from members.models import Member
from platforms.models import Venue

from ..models import (
    Attendance,
    AttendanceStatus,
    Consultation,
    ConsultationAttachment,
    ConsultationTopic,
    Department,
    Topic,
    TopicSource,
)
from ..permissions import can_log_consultation
from .transitions import topic_create

SESSION_FIELDS = (
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
)
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}

AttendanceInput = Sequence[tuple[Member, str]]
TopicLinkInput = Sequence[tuple[Topic, str]]
AttachmentInput = Sequence[tuple[object, str]]  # (uploaded file, MIME type read from content)


def _check_actor(actor, venue: Venue) -> None:
    if not can_log_consultation(actor):
        raise PermissionDenied("您没有登记协商活动的权限。")
    if not Venue.objects.visible_to(actor).filter(pk=venue.pk).exists():
        raise PermissionDenied("该阵地不在您的管辖范围内。")


def _check_rows_in_scope(
    actor,
    *,
    departments,
    attendance: AttendanceInput,
    topic_links: TopicLinkInput,
    consultation: Consultation | None = None,
) -> None:
    """The form offers only rows in the actor's scope; a caller that bypasses it is refused.
    Rows the session already holds stay acceptable (a member who has since moved away)."""
    known_members: set[int] = set()
    known_topics: set[int] = set()
    if consultation is not None:
        known_members = set(consultation.attendances.values_list("member_id", flat=True))
        known_topics = set(consultation.topic_links.values_list("topic_id", flat=True))
    checks = (
        (Department, {d.pk for d in departments}, "参加单位"),
        (Member, {m.pk for m, _ in attendance} - known_members, "出席委员"),
        (Topic, {t.pk for t, _ in topic_links} - known_topics, "协商议题"),
    )
    for model, ids, label in checks:
        if ids and model.objects.visible_to(actor).filter(pk__in=ids).count() != len(ids):
            raise PermissionDenied(f"{label}中有不在您管辖范围内的记录。")


def consultation_log(
    *,
    actor,
    fields: dict,
    departments: Iterable[Department] = (),
    attendance: AttendanceInput = (),
    topic_links: TopicLinkInput = (),
    new_topics: Sequence[dict] = (),
    attachments: AttachmentInput = (),
) -> Consultation:
    """Create a session and everything logged with it, all or nothing."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            _check_actor(actor, fields["venue"])
            departments = list(departments)
            _check_rows_in_scope(
                actor, departments=departments, attendance=attendance, topic_links=topic_links
            )
            consultation = Consultation(
                **{k: fields[k] for k in SESSION_FIELDS if k in fields}, created_by=actor
            )
            consultation.full_clean()
            consultation._history_user = actor
            consultation.save()
            consultation.departments.set(departments)
            _sync_attendance(consultation=consultation, actor=actor, rows=attendance)
            _sync_topic_links(
                consultation=consultation,
                actor=actor,
                links=list(topic_links) + _raise_topics(consultation, actor, new_topics),
            )
            _store_attachments(consultation, actor, attachments, stored)
    except BaseException:
        _remove_files(stored)
        raise
    return consultation


def consultation_update(
    *,
    actor,
    consultation: Consultation,
    fields: dict,
    departments: Iterable[Department] = (),
    attendance: AttendanceInput = (),
    topic_links: TopicLinkInput = (),
    new_topics: Sequence[dict] = (),
    attachments: AttachmentInput = (),
    remove_attachment_ids: Iterable[int] = (),
) -> Consultation:
    """Save an edited session: fields changed, attendance and topic links made to match the page,
    new topics raised, attachments added or removed — all or nothing, under a row lock."""
    stored: list[str] = []
    removed_files: list[str] = []
    try:
        with transaction.atomic():
            _check_actor(actor, consultation.venue)
            _check_actor(actor, fields["venue"])
            locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
            departments = list(departments)
            _check_rows_in_scope(
                actor,
                departments=departments,
                attendance=attendance,
                topic_links=topic_links,
                consultation=locked,
            )
            changed = [k for k in SESSION_FIELDS if k in fields and getattr(locked, k) != fields[k]]
            for name in changed:
                setattr(locked, name, fields[name])
            locked.full_clean()
            locked._history_user = actor
            if changed:
                locked.save(update_fields=[*changed, "updated_at"])
            new_departments = {d.pk for d in departments}
            if new_departments != set(locked.departments.values_list("pk", flat=True)):
                locked.departments.set(list(new_departments))
            _sync_attendance(consultation=locked, actor=actor, rows=attendance)
            _sync_topic_links(
                consultation=locked,
                actor=actor,
                links=list(topic_links) + _raise_topics(locked, actor, new_topics),
            )
            for attachment in locked.attachments.filter(pk__in=list(remove_attachment_ids)):
                removed_files.append(attachment.file.name)
                attachment._history_user = actor
                attachment.delete()
            _store_attachments(locked, actor, attachments, stored)
            transaction.on_commit(lambda: _remove_files(removed_files))
    except BaseException:
        _remove_files(stored)
        raise
    return locked


# --- the parts ------------------------------------------------------------------------------


def _sync_attendance(*, consultation: Consultation, actor, rows: AttendanceInput) -> None:
    wanted: dict[int, str] = {}
    for member, status in rows:
        if status not in AttendanceStatus.values:
            raise ValidationError("出席情况无效。", code="attendance_status")
        wanted[member.pk] = status
    existing = {a.member_id: a for a in consultation.attendances.all()}
    for member_id, row in existing.items():
        if member_id not in wanted:
            row._history_user = actor
            row.delete()
        elif row.status != wanted[member_id]:
            row.status = wanted[member_id]
            row._history_user = actor
            row.save(update_fields=["status"])
    new_rows = [
        Attendance(consultation=consultation, member_id=member_id, status=status)
        for member_id, status in wanted.items()
        if member_id not in existing
    ]
    if new_rows:
        # Attendance's bulk_create announces the rows (consult_portal.tracking): the dashboard
        # summaries catch up in this transaction.
        bulk_create_with_history(new_rows, Attendance, default_user=actor)


def _sync_topic_links(*, consultation: Consultation, actor, links: TopicLinkInput) -> None:
    wanted: dict[int, str] = {}
    for topic, note in links:
        wanted[topic.pk] = (note or "").strip()
    existing = {link.topic_id: link for link in consultation.topic_links.all()}
    for topic_id, link in existing.items():
        if topic_id not in wanted:
            link._history_user = actor
            link.delete()
        elif link.note != wanted[topic_id]:
            link.note = wanted[topic_id]
            link._history_user = actor
            link.save(update_fields=["note"])
    new_links = [
        ConsultationTopic(consultation=consultation, topic_id=topic_id, note=note)
        for topic_id, note in wanted.items()
        if topic_id not in existing
    ]
    if new_links:
        bulk_create_with_history(new_links, ConsultationTopic, default_user=actor)


def _raise_topics(consultation: Consultation, actor, rows: Sequence[dict]) -> list[tuple]:
    """Create the topics typed inline; each starts its timeline with a "raised" event."""
    venue = consultation.venue
    held_on = timezone.localdate(consultation.held_at)
    raised_on = min(held_on, timezone.localdate())
    created = []
    for row in rows:
        title = (row.get("title") or "").strip()
        if not title:
            continue
        source = row.get("source") or TopicSource.MEMBER
        topic = topic_create(
            actor=actor,
            title=title,
            description=(row.get("description") or "").strip(),
            category=row["category"],
            source=source,
            area=venue.area,
            venue=venue,
            raised_by_member=consultation.host if source == TopicSource.MEMBER else None,
            raised_on=raised_on,
            note=f"在协商活动“{consultation.title}”中提出",
        )
        created.append((topic, ""))
    return created


def _store_attachments(
    consultation: Consultation, actor, attachments: AttachmentInput, stored: list[str]
) -> None:
    for upload, mime in attachments:
        attachment = ConsultationAttachment(consultation=consultation)
        attachment_store(attachment=attachment, upload=upload, mime=mime, actor=actor)
        stored.append(attachment.file.name)
        attachment.save()


def attachment_store(*, attachment: ConsultationAttachment, upload, mime: str, actor) -> None:
    """Fill ``attachment`` from an upload whose type ``sniff_attachment`` read from its content,
    and store the file under a random name (the original name is kept for display). The caller
    saves the row: the session form and the admin's 添加 alike."""
    attachment.original_name = (getattr(upload, "name", "") or "附件")[-200:]
    attachment.content_type = mime
    attachment.size = upload.size
    attachment.uploaded_by = actor
    upload.name = f"{uuid.uuid4().hex}.{EXTENSIONS[mime]}"
    attachment.file.save(upload.name, upload, save=False)
    attachment._history_user = actor


def _remove_files(names: list[str]) -> None:
    storage = ConsultationAttachment._meta.get_field("file").storage
    for name in names:
        with contextlib.suppress(OSError):  # a file already gone is fine
            storage.delete(name)
