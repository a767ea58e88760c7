"""The one-page session form (登记协商活动): the session itself, attendance, topics, attachments.

The page is several parts that are validated together and saved by one service call:

- ``SessionForm`` — the session's own fields (a ModelForm used for validation only; the service
  writes);
- attendance rows — ``att_member`` (repeated member ids) and ``att_<member id>`` (a status each);
- linked topics — ``link_topic`` (repeated topic ids, the checkboxes) and ``link_note_<topic id>``;
- ``NewTopicFormSet`` — inline "new topic" rows (two at first, more added on the page, up to
  ``NEW_TOPIC_MAX``), blank rows ignored;
- ``attachments`` — several files, the type read from the content with ``filetype``.

Every choice list is scoped to the user first, so an id from another district is refused like an
unknown one.
"""

from __future__ import annotations

import copy
import zipfile
from dataclasses import dataclass

import filetype
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.utils import ErrorDict, ErrorList
from django.template.defaultfilters import filesizeformat

from members.models import Member
from platforms.models import Venue

from ..models import (
    AttendanceStatus,
    Consultation,
    Department,
    Topic,
    TopicCategory,
    TopicSource,
)

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"
COUNT_MAX = 100_000
NOTE_MAX = 500
NEW_TOPIC_ROWS = 2
NEW_TOPIC_MAX = 50
ADD_TOPIC_ROW = "new_topic"  # the no-JavaScript "再加一行" button's _reload value
LINKABLE_TOPICS_MAX = 60

# What may be attached, by the type read from the file's content.
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
ALLOWED_LABEL = "JPG、PNG、WEBP 图片,PDF 或 Word(.docx)文档"
EXTENSION_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FILES_AGAIN = "出现错误时已选择的附件不会保留,请修正后重新选择附件。"


# --- attachments --------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,.docx"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        # Each file is judged by ``sniff_attachment`` (so every bad file gets its own message);
        # here only "is there a file at all" is decided.
        files = [d for d in data if d] if isinstance(data, list | tuple) else [data] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


def sniff_attachment(upload) -> str:
    """Return the MIME type read from ``upload``'s content, or raise ValidationError (Chinese).

    The name only has to agree with the content: a "report.pdf" that is not a PDF is refused.
    """
    name = upload.name or ""
    limit = settings.ATTACHMENT_MAX_BYTES
    if not upload.size:
        raise forms.ValidationError("“%(name)s”是空文件。", code="empty", params={"name": name})
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            "“%(name)s”大小为 %(size)s,超过每个附件 %(limit)s 的上限。",
            code="too_big",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head) if head else None
    mime = kind.mime if kind else None
    if mime == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" or (
        mime == "application/zip"
    ):
        # A .docx is a zip holding word/...; filetype only looks at the first bytes, so open it.
        mime = _docx_or_none(upload)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = EXTENSION_TYPES.get(extension)
    if mime not in ALLOWED_TYPES:
        if claimed:
            raise forms.ValidationError(
                "“%(name)s”的扩展名是 .%(ext)s,但文件内容不是 %(label)s 文件,已拒收。",
                code="content_mismatch",
                params={"name": name, "ext": extension, "label": ALLOWED_TYPES[claimed].upper()},
            )
        raise forms.ValidationError(
            "“%(name)s”不是允许的文件类型。只能上传 %(allowed)s。",
            code="type",
            params={"name": name, "allowed": ALLOWED_LABEL},
        )
    if claimed != mime:
        # Content and name must agree: a PDF named .html (or with no extension) is refused, so
        # no file is ever stored that a browser or a desktop would open as something else.
        raise forms.ValidationError(
            "“%(name)s”的扩展名%(ext)s但文件内容是 %(actual)s,请改正文件名后重新上传。",
            code="content_mismatch",
            params={
                "name": name,
                "ext": f"是 .{extension}," if extension else "缺失,",
                "actual": ALLOWED_TYPES[mime].upper(),
            },
        )
    if mime == "application/pdf" and not _looks_like_a_whole_pdf(upload):
        raise forms.ValidationError(
            "“%(name)s”不是完整的 PDF 文件(缺少文件结尾),已拒收。",
            code="content_mismatch",
            params={"name": name},
        )
    return mime


def _looks_like_a_whole_pdf(upload) -> bool:
    """A PDF ends with its cross-reference pointer and ``%%EOF``: a "%PDF" header followed by
    HTML or a script is not a PDF, whatever its first bytes say."""
    size = upload.size or 0
    upload.seek(max(size - 2048, 0))
    tail = upload.read(2048)
    upload.seek(0)
    return b"%%EOF" in tail and b"startxref" in tail


def _docx_or_none(upload) -> str | None:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload.file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


# --- the session's own fields -------------------------------------------------------------

COUNT_KWARGS = {
    "min_value": 0,
    "max_value": COUNT_MAX,
    "required": False,
    "initial": 0,
    "widget": forms.NumberInput(attrs={"min": 0, "max": COUNT_MAX, "inputmode": "numeric"}),
}


class SessionForm(forms.ModelForm):
    held_at = forms.DateTimeField(
        label="举办时间",
        input_formats=[DATETIME_INPUT_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT_FORMAT),
        help_text="北京时间",
    )
    residents_count = forms.IntegerField(label="群众代表人数", **COUNT_KWARGS)
    enterprises_count = forms.IntegerField(label="企业代表人数", **COUNT_KWARGS)
    experts_count = forms.IntegerField(label="专家人数", **COUNT_KWARGS)
    departments_count = forms.IntegerField(label="部门人数", **COUNT_KWARGS)
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text=(
            "可多选:照片(JPG/PNG/WEBP)、PDF、Word(.docx),每个不超过 %(limit)s。"
            "如页面提示错误,需要重新选择附件。"
        ),
    )

    class Meta:
        model = Consultation
        fields = [
            "venue",
            "held_at",
            "form",
            "title",
            "host",
            "residents_count",
            "enterprises_count",
            "experts_count",
            "departments_count",
            "departments",
            "minutes",
            "outcome",
        ]
        widgets = {
            # A checkbox list (filtered as typed by consultation_form.js), not a Ctrl-click select.
            "departments": forms.CheckboxSelectMultiple(),
            "minutes": forms.Textarea(attrs={"rows": 6}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        venues = Venue.objects.visible_to(user).select_related("area")
        if self.instance.pk:
            venues = venues.filter(Q(is_active=True) | Q(pk=self.instance.venue_id))
        else:
            venues = venues.filter(is_active=True)
        self.fields["venue"].queryset = venues.order_by("name", "pk")
        self.fields["venue"].empty_label = "请选择阵地"
        self.fields["host"].queryset = (
            Member.objects.visible_to(user).active().order_by("name", "pk")
        )
        self.fields["host"].empty_label = "(不指定)"
        self.fields["departments"].queryset = (
            Department.objects.visible_to(user).filter(is_active=True).order_by("name", "pk")
        )
        self.fields["departments"].help_text = "可勾选多个;在上方输入名称可筛选。"
        self.fields["form"].choices = [("", "请选择协商形式"), *self.fields["form"].choices[1:]]
        self.fields["attachments"].help_text = self.fields["attachments"].help_text % {
            "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_residents_count(self):
        return self.cleaned_data.get("residents_count") or 0

    def clean_enterprises_count(self):
        return self.cleaned_data.get("enterprises_count") or 0

    def clean_experts_count(self):
        return self.cleaned_data.get("experts_count") or 0

    def clean_departments_count(self):
        return self.cleaned_data.get("departments_count") or 0

    def clean_title(self):
        return (self.cleaned_data.get("title") or "").strip()

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        errors = []
        typed = []
        for upload in files:
            try:
                typed.append((upload, sniff_attachment(upload)))
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            errors.append(forms.ValidationError(FILES_AGAIN, code="files_again"))
            raise forms.ValidationError(errors)
        return typed


# --- inline new topics --------------------------------------------------------------------


NEW_TOPIC_SOURCES = [
    (TopicSource.MEMBER, TopicSource.MEMBER.label),
    (TopicSource.GOVERNMENT, TopicSource.GOVERNMENT.label),
    (TopicSource.RESIDENT, TopicSource.RESIDENT.label),
    (TopicSource.RESEARCH, TopicSource.RESEARCH.label),
]


class NewTopicForm(forms.Form):
    """One inline row: a topic raised in the session. A row left blank is ignored."""

    # Not required: a blank row is ignored; a row with anything typed needs a title (clean).
    title = forms.CharField(label="新议题标题", max_length=200, required=False)
    category = forms.ModelChoiceField(
        label="类别", queryset=TopicCategory.objects.none(), empty_label="请选择类别"
    )
    source = forms.ChoiceField(label="来源", choices=NEW_TOPIC_SOURCES, initial=TopicSource.MEMBER)
    description = forms.CharField(
        label="问题描述", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        field.queryset = TopicCategory.objects.all()
        # The rows share one prefetched list of categories: no query per row when rendering.
        field.choices = [("", "请选择类别")] + [(c.pk, c.name) for c in categories]

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and not cleaned.get("title") and "title" not in self.errors:
            self.add_error("title", "请填写新议题标题;不需要这一行请清空它。")
        return cleaned


class BaseNewTopicFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        self.categories = list(TopicCategory.objects.all())
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"categories": self.categories}

    @property
    def filled(self) -> list[dict]:
        """The rows with something typed in (a blank row is ignored), after validation."""
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


NewTopicFormSet = forms.formset_factory(
    NewTopicForm,
    formset=BaseNewTopicFormSet,
    extra=NEW_TOPIC_ROWS,
    max_num=NEW_TOPIC_MAX,
    absolute_max=NEW_TOPIC_MAX,
    validate_max=True,
)


# --- attendance and topic links: parsed from the POST, one query each ------------------------


@dataclass
class AttendanceRow:
    member: Member
    status: str
    fixed: bool  # listed because assigned to the venue (or already recorded); cannot be removed


@dataclass
class TopicChoice:
    topic: Topic
    checked: bool
    note: str


class SessionPage:
    """Everything on the page, bound or not: validates the parts together.

    ``venue`` decides which members and topics are listed; on a bound page it is the venue in
    the POST when that is a valid choice, so a changed venue reloads the lists while the typed
    values are kept (``att_*``, ``link_*`` are read back from the data).
    """

    def __init__(self, *, user, data=None, files=None, instance=None, venue=None):
        self.user = user
        self.data = data
        self.instance = instance or Consultation()
        self.is_bound = data is not None
        initial = {}
        if venue is not None and not self.instance.pk:
            initial["venue"] = venue.pk
        # The ModelForm writes what was typed onto its instance while validating; give it a copy
        # so the page keeps showing the stored session (title in the breadcrumb, venue ...).
        self.form = SessionForm(
            data=data, files=files, instance=copy.copy(self.instance), user=user, initial=initial
        )
        if data is not None and data.get("_reload") == ADD_TOPIC_ROW:
            # Without JavaScript, "再加一行" posts the page back: one more blank row.
            data = data.copy()
            try:
                total = int(data.get("new-TOTAL_FORMS", NEW_TOPIC_ROWS))
            except ValueError:
                total = NEW_TOPIC_ROWS
            data["new-TOTAL_FORMS"] = str(min(max(total, 0) + 1, NEW_TOPIC_MAX))
        self.new_topics = NewTopicFormSet(data=data, prefix="new")
        # Attachments chosen in this post: only then is "choose them again" worth saying.
        self.files_posted = bool(files and [f for f in files.getlist("attachments") if f])
        self.venue = self._venue(venue)
        self.members_in_scope = Member.objects.visible_to(user).active()
        self.attendance_errors: list[str] = []
        self.topic_errors: list[str] = []
        self.venue_member_ids: set[int] = set()
        self.attendance = self._attendance_rows()
        self.topic_choices = self._topic_choices()
        self.addable_members = self._addable_members()
        self.removable_attachments = (
            list(self.instance.attachments.all()) if self.instance.pk else []
        )
        self.remove_attachment_ids = self._remove_attachment_ids()

    # venue -----------------------------------------------------------------------------
    def _venue(self, venue):
        if self.is_bound:
            raw = self.data.get("venue")
            if raw:
                try:
                    return self.form.fields["venue"].queryset.get(pk=int(raw))
                except (ValueError, Venue.DoesNotExist):
                    return None
            return None
        if venue is not None:
            return venue
        if self.instance.pk:
            return self.instance.venue
        return None

    # attendance ------------------------------------------------------------------------
    def _attendance_rows(self) -> list[AttendanceRow]:
        assigned: list[Member] = []
        if self.venue is not None:
            assigned = list(
                self.members_in_scope.filter(assignments__in=self.venue.assignments.current())
                .select_related("sector")
                .distinct()
                .order_by("name", "pk")
            )
        self.venue_member_ids = {m.pk for m in assigned}
        recorded: dict[int, str] = {}
        recorded_members: list[Member] = []
        if self.instance.pk:
            for a in self.instance.attendances.select_related("member", "member__sector"):
                recorded[a.member_id] = a.status
                recorded_members.append(a.member)

        # A new session lists the venue's members as present; an edited one lists what was
        # recorded (others are added with "添加委员"), unless the venue is changed on the page.
        list_assigned = not self.instance.pk or self.venue != self.instance.venue
        if not self.is_bound:
            rows = [AttendanceRow(m, recorded[m.pk], True) for m in recorded_members]
            if list_assigned:
                rows += [
                    AttendanceRow(m, AttendanceStatus.PRESENT, True)
                    for m in assigned
                    if m.pk not in recorded
                ]
            return rows

        # Bound: the rows the page posted, plus the venue's members if the venue changed.
        posted_ids: list[int] = []
        for raw in self.data.getlist("att_member"):
            try:
                pk = int(raw)
            except (TypeError, ValueError):
                self.attendance_errors.append("出席名单中有无法识别的委员,请重新选择。")
                continue
            if pk not in posted_ids:
                posted_ids.append(pk)
        added = self.data.get("add_member", "")
        if added:
            try:
                pk = int(added)
            except ValueError:
                self.attendance_errors.append("所选的委员无法识别,请重新选择。")
            else:
                if pk not in posted_ids:
                    posted_ids.append(pk)
        by_id = {
            m.pk: m
            for m in self.members_in_scope.filter(pk__in=posted_ids).select_related("sector")
        }
        for m in recorded_members:
            by_id.setdefault(m.pk, m)
        rows = []
        fixed_ids = {m.pk for m in assigned} | set(recorded)
        for pk in posted_ids:
            member = by_id.get(pk)
            if member is None:
                self.attendance_errors.append("出席名单中有不在您管辖范围内的委员,已拒收。")
                continue
            status = self.data.get(f"att_{pk}", AttendanceStatus.PRESENT)
            if status not in AttendanceStatus.values:
                self.attendance_errors.append(
                    f"委员“{member.name}”的出席情况无效,请在出席/缺席/请假中选择。"
                )
                status = AttendanceStatus.PRESENT
            rows.append(AttendanceRow(member, status, pk in fixed_ids))
        if list_assigned:
            listed = {r.member.pk for r in rows}
            rows += [
                AttendanceRow(m, AttendanceStatus.PRESENT, True)
                for m in assigned
                if m.pk not in listed
            ]
        return rows

    def order_hosts(self) -> None:
        """主持委员: the venue's members first, then every other member in scope (one query,
        the one rendering the select would have made; called before the page is rendered)."""
        field = self.form.fields["host"]
        members = list(field.queryset)
        here = [(m.pk, m.name) for m in members if m.pk in self.venue_member_ids]
        others = [(m.pk, m.name) for m in members if m.pk not in self.venue_member_ids]
        if here:
            field.choices = [("", field.empty_label), ("本阵地委员", here), ("其他委员", others)]
        else:
            field.choices = [("", field.empty_label), *others]

    # topics ----------------------------------------------------------------------------
    def _topic_choices(self) -> list[TopicChoice]:
        visible = Topic.objects.visible_to(self.user)
        linked: dict[int, str] = {}
        if self.instance.pk:
            linked = dict(self.instance.topic_links.values_list("topic_id", "note"))
        checked_ids: list[int] = []
        if self.is_bound:
            for raw in self.data.getlist("link_topic"):
                try:
                    checked_ids.append(int(raw))
                except (TypeError, ValueError):
                    self.topic_errors.append("所选议题无法识别,请重新勾选。")
        else:
            checked_ids = list(linked)
        candidates = Q(pk__in=set(checked_ids) | set(linked))
        if self.venue is not None:
            candidates |= Q(status__in=_open_states()) & (
                Q(venue=self.venue) | Q(area__path__startswith=self.venue.area.path)
            )
        topics = list(
            visible.filter(candidates)
            .select_related("category")
            .order_by("-raised_on", "-pk")[:LINKABLE_TOPICS_MAX]
        )
        found = {t.pk for t in topics}
        missing = [pk for pk in checked_ids if pk not in found]
        if missing:
            # Either another district's topic or beyond the list: recheck precisely.
            extra = list(visible.filter(pk__in=missing).select_related("category"))
            topics.extend(extra)
            if len(extra) != len(set(missing)):
                self.topic_errors.append("所选议题中有不在您管辖范围内的议题,已拒收。")
        choices = []
        for t in topics:
            if self.is_bound:
                note = (self.data.get(f"link_note_{t.pk}") or "").strip()
                checked = t.pk in checked_ids
            else:
                note = linked.get(t.pk, "")
                checked = t.pk in linked
            if len(note) > NOTE_MAX:
                self.topic_errors.append(
                    f"议题“{t.title}”的讨论情况不能超过 {NOTE_MAX} 个字(现有 {len(note)} 个)。"
                )
            choices.append(TopicChoice(t, checked, note))
        return choices

    def _remove_attachment_ids(self) -> list[int]:
        if not self.is_bound or not self.instance.pk:
            return []
        allowed = {a.pk for a in self.removable_attachments}
        ids = []
        for raw in self.data.getlist("remove_attachment"):
            try:
                pk = int(raw)
            except (TypeError, ValueError):
                continue
            if pk in allowed:
                ids.append(pk)
        return ids

    @property
    def venue_changed_unseen(self) -> bool:
        """The page lists attendance for the venue in ``listed_venue``; true when the POST names
        another venue, whose members the user has not seen yet."""
        if not self.is_bound or "listed_venue" not in self.data or self.venue is None:
            return False
        return self.data.get("listed_venue") != str(self.venue.pk)

    # validation ------------------------------------------------------------------------
    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        topics_ok = self.new_topics.is_valid()
        if self.venue is None and form_ok:
            self.form.add_error("venue", "请选择阵地。")
            form_ok = False
        return form_ok and topics_ok and not self.attendance_errors and not self.topic_errors

    def hide_errors(self) -> None:
        """For a reload (new venue, added member): show what was typed, without the errors of
        fields the user has not reached yet."""
        self.form._errors = ErrorDict()
        for form in self.new_topics.forms:
            form._errors = ErrorDict()
        self.new_topics._errors = [form._errors for form in self.new_topics.forms]
        self.new_topics._non_form_errors = ErrorList()

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or any(f.errors for f in self.new_topics.forms)
            or self.new_topics.non_form_errors()
            or self.attendance_errors
            or self.topic_errors
        )

    def service_kwargs(self) -> dict:
        """What the session services take, from the cleaned page."""
        data = dict(self.form.cleaned_data)
        attachments = data.pop("attachments", [])
        departments = list(data.pop("departments", []))
        return {
            "fields": data,
            "departments": departments,
            "attendance": [(r.member, r.status) for r in self.attendance],
            "topic_links": [(c.topic, c.note) for c in self.topic_choices if c.checked],
            "new_topics": self.new_topics.filled,
            "attachments": attachments,
        }

    def _addable_members(self) -> list[Member]:
        listed = {r.member.pk for r in self.attendance}
        members = self.members_in_scope.select_related("sector").order_by("name", "pk")
        return [m for m in members if m.pk not in listed]


def _open_states():
    from ..lifecycle import OPEN_STATES

    return OPEN_STATES


__all__ = [
    "ALLOWED_TYPES",
    "FILES_AGAIN",
    "NewTopicFormSet",
    "SessionForm",
    "SessionPage",
    "sniff_attachment",
]
