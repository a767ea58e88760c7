"""Forms of the topic page (refer, reply, resolve, rate, merge, comment) and of creating a topic.

Forms only parse and lay out input; the rules live in ``topics.services.topic_actions``.
Each action form renders inside a ``<form>`` the template writes (``form_tag = False``), so the
template adds the CSRF token and the state the user saw (``from``).
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils import timezone

from platforms.models import Area, Venue

from ..models import (
    Consultation,
    Department,
    Rating,
    RedirectChannel,
    ReplyClass,
    Topic,
    TopicCategory,
    VisitMethod,
)
from ..services.practice import agenda_sessions
from ..services.topic_actions import MAX_WORKDAYS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class _ActionForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


# A unit that is not offered (another district's, or a forged POST) is refused in these words.
OUT_OF_SCOPE_CHOICE = {
    "invalid_choice": "只能交办本区划及上级区划在用的承办单位,不能交办其他区划的单位。",
    "invalid_pk_value": "只能交办本区划及上级区划在用的承办单位,不能交办其他区划的单位。",
}


def _unit_label(unit: Department) -> str:
    return f"{unit.name}({unit.area.name})"


class _DeadlineFields(forms.Form):
    """A referral's deadline: N working days (the default ``REFERRAL_WORKDAYS``) or a date."""

    workdays = forms.IntegerField(
        label="办理时限(工作日)",
        required=False,
        min_value=1,
        max_value=MAX_WORKDAYS,
        help_text="按国务院节假日和调休安排计算工作日。",
    )
    deadline = forms.DateField(
        label="或指定办理期限",
        required=False,
        widget=DATE_WIDGET,
        help_text="填写日期时以日期为准。",
    )

    def _init_deadline(self):
        self.fields["workdays"].initial = settings.REFERRAL_WORKDAYS
        self.fields["workdays"].error_messages.update(
            {
                "min_value": f"办理时限应为 1 至 {MAX_WORKDAYS} 个工作日。",
                "max_value": f"办理时限应为 1 至 {MAX_WORKDAYS} 个工作日。",
            }
        )


class ReferForm(_ActionForm, _DeadlineFields):
    lead = forms.ModelChoiceField(
        label="主办单位",
        queryset=Department.objects.none(),
        empty_label="请选择主办单位",
        error_messages=OUT_OF_SCOPE_CHOICE,
    )
    assisting = forms.ModelMultipleChoiceField(
        label="协办单位(可多选)",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=OUT_OF_SCOPE_CHOICE,
    )
    note = forms.CharField(
        label="交办说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["lead", "assisting", "workdays", "deadline", "note"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = Department.objects.referable_by(user).select_related("area").order_by("name")
        self.fields["lead"].queryset = units
        self.fields["assisting"].queryset = units
        self.fields["lead"].label_from_instance = _unit_label
        self.fields["assisting"].label_from_instance = _unit_label
        self._init_deadline()
        self.helper.form_id = "refer-form"

    def clean(self):
        data = super().clean()
        lead, assisting = data.get("lead"), data.get("assisting") or []
        if lead and lead in assisting:
            self.add_error("assisting", "主办单位不能同时作为协办单位。")
        return data


class AddAssistingForm(_ActionForm, _DeadlineFields):
    departments = forms.ModelMultipleChoiceField(
        label="追加协办单位(可多选)",
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages=OUT_OF_SCOPE_CHOICE,
    )
    note = forms.CharField(
        label="追加说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = (
            Department.objects.referable_by(user)
            .exclude(referrals__topic=topic)
            .select_related("area")
            .order_by("name")
        )
        self.fields["departments"].label_from_instance = _unit_label
        self._init_deadline()
        self.helper.form_id = "assist-form"


class ReplyForm(_ActionForm):
    """Staff entering a unit's reply (a unit without a login): the class, the text, the day."""

    reply_class = forms.ChoiceField(
        label="答复类别",
        choices=ReplyClass.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择答复类别(A 已解决 / B 正在解决 / C 暂不能解决)。",
            "invalid_choice": "请选择答复类别(A 已解决 / B 正在解决 / C 暂不能解决)。",
        },
    )
    reply = forms.CharField(
        label="答复内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    replied_on = forms.DateField(label="答复日期", widget=DATE_WIDGET)

    def __init__(self, *args, referral, **kwargs):
        kwargs.setdefault("prefix", f"reply-{referral.pk}")
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["replied_on"].initial = timezone.localdate()


class ResolveForm(_ActionForm):
    summary = forms.CharField(
        label="办理结果(公开,群众可见)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_note = forms.CharField(
        label="内部备注(不公开)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    resolved_on = forms.DateField(label="办结日期", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].initial = timezone.localdate()


class RateForm(_ActionForm):
    """回访: who called or visited, when, how, and the resident's rating."""

    method = forms.ChoiceField(
        label="回访方式",
        choices=[(VisitMethod.CALL, VisitMethod.CALL.label), (VisitMethod.VISIT, "上门回访")],
        initial=VisitMethod.CALL,
        required=False,
        widget=forms.RadioSelect,
    )
    visitor = forms.CharField(label="回访人", required=False, max_length=32)
    rating = forms.ChoiceField(label="群众评价", choices=Rating.choices, widget=forms.RadioSelect)
    rated_on = forms.DateField(label="回访日期", widget=DATE_WIDGET)
    note = forms.CharField(
        label="回访记录", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rated_on"].initial = timezone.localdate()

    def clean_method(self):
        return self.cleaned_data.get("method") or VisitMethod.CALL


class AcceptForm(_ActionForm):
    reason = forms.CharField(
        label="受理意见(可选)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(_ActionForm):
    reason = forms.CharField(
        label="不予受理的原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    channel = forms.ChoiceField(
        label="分流渠道",
        required=False,
        choices=[("", "不分流"), *RedirectChannel.choices],
        help_text="问题属于其他渠道办理时,选择已引导群众去的渠道。",
    )
    channel_note = forms.CharField(label="分流说明", required=False, max_length=200)


class ConsultForm(_ActionForm):
    session = forms.ModelChoiceField(
        label="协商活动",
        queryset=Consultation.objects.none(),
        required=False,
        empty_label="暂不选择,列入下次协商",
    )
    note = forms.CharField(label="说明(可选)", required=False, max_length=1000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = agenda_sessions(user)
        self.fields["session"].label_from_instance = lambda c: (
            f"{timezone.localtime(c.held_at):%Y-%m-%d} {c.venue.name} · {c.title}"
        )


class ReasonForm(_ActionForm):
    """A move that must say why (提级, 重新办理)."""

    reason = forms.CharField(
        label="理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(_ActionForm):
    checked_on = forms.DateField(label="跟踪日期", widget=DATE_WIDGET)
    progress = forms.IntegerField(label="进度(%)", min_value=0, max_value=100, initial=0)
    text = forms.CharField(
        label="跟踪情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate()


class TopicEditForm(forms.ModelForm):
    """Staff correct a topic's title, category, description and area (history kept)."""

    class Meta:
        model = Topic
        fields = ["title", "category", "description", "area"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.visible_to(user).order_by("path")
        self.fields["area"].label_from_instance = lambda a: f"{'  ' * max(a.depth - 1, 0)}{a.name}"
        self.fields["category"].queryset = TopicCategory.objects.all()
        self.helper = _helper()
        self.helper.form_id = "edit-form"


class MergeForm(_ActionForm):
    survivor = forms.CharField(
        label="合并到议题(编号或查询码)",
        max_length=12,
        help_text="填写保留议题的编号(详情页地址中的数字)或 8 位查询码。",
    )
    note = forms.CharField(
        label="合并说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.topic = topic

    def clean_survivor(self) -> Topic:
        raw = self.cleaned_data["survivor"].strip().lstrip("#")
        topics = Topic.objects.visible_to(self.user).select_related("area")
        found = (
            topics.filter(pk=int(raw)).first()
            if raw.isdigit()
            else topics.filter(tracking_code=raw.upper()).first()
        )
        if found is None:
            raise forms.ValidationError("在您的辖区内找不到该议题,请核对编号或查询码。")
        if found.pk == self.topic.pk:
            raise forms.ValidationError("不能把议题合并到它自己。")
        return found


class CommentForm(_ActionForm):
    note = forms.CharField(
        label="备注(记入办理进程)", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TopicCreateForm(forms.ModelForm):
    """Staff enter a topic (from a phone call, a visit, a letter); it starts as 征集."""

    note = forms.CharField(
        label="登记说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Topic
        fields = [
            "title",
            "description",
            "source",
            "category",
            "priority",
            "area",
            "venue",
            "resident_name",
            "resident_phone",
            "resident_consents_contact",
            "raised_on",
            "deadline",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "raised_on": DATE_WIDGET,
            "deadline": DATE_WIDGET,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.visible_to(user)
        self.fields["area"].label_from_instance = lambda a: f"{'  ' * max(a.depth - 1, 0)}{a.name}"
        self.fields["venue"].queryset = (
            Venue.objects.visible_to(user).active().select_related("area").order_by("name")
        )
        self.fields["category"].queryset = TopicCategory.objects.all()
        self.fields["raised_on"].initial = timezone.localdate()
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        venue, area = data.get("venue"), data.get("area")
        if venue and area and not venue.area.path.startswith(area.path):
            self.add_error("venue", "阵地不在所选区划内。")
        raised_on = data.get("raised_on")
        if raised_on and raised_on > timezone.localdate():
            self.add_error("raised_on", "提出日期不能晚于今天。")
        deadline = data.get("deadline")
        if deadline and raised_on and deadline < raised_on:
            self.add_error("deadline", "办理期限不能早于提出日期。")
        return data
