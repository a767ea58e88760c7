"""Forms of the topic page (refer, reply, resolve, rate, merge, comment) and of creating a topic.

Forms only parse and lay out input; the rules live in ``topics.services.topic_actions``.
Each action form renders inside a ``<form>`` the template writes (``form_tag = False``), so the
template adds the CSRF token and the state the user saw (``from``).
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from platforms.models import Area, Venue

from ..models import (
    Consultation,
    Department,
    Rating,
    RedirectChannel,
    Topic,
    TopicCategory,
    VisitMethod,
)
from ..services.practice import agenda_sessions
from ..services.topic_actions import referral_default_deadline

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


class ReferForm(_ActionForm):
    lead = forms.ModelChoiceField(
        label="主办部门", queryset=Department.objects.none(), empty_label="请选择主办部门"
    )
    assisting = forms.ModelMultipleChoiceField(
        label="协办部门(可多选)",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(label="办理期限", widget=DATE_WIDGET)
    note = forms.CharField(
        label="交办说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.visible_to(user).filter(is_active=True).order_by("name")
        self.fields["lead"].queryset = departments
        self.fields["assisting"].queryset = departments
        self.fields["deadline"].initial = referral_default_deadline()
        self.helper.form_id = "refer-form"

    def clean(self):
        data = super().clean()
        lead, assisting = data.get("lead"), data.get("assisting") or []
        if lead and lead in assisting:
            self.add_error("assisting", "主办部门不能同时作为协办部门。")
        return data


class AddAssistingForm(_ActionForm):
    departments = forms.ModelMultipleChoiceField(
        label="追加协办部门(可多选)",
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(label="办理期限", widget=DATE_WIDGET)
    note = forms.CharField(
        label="追加说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, topic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = (
            Department.objects.visible_to(user)
            .filter(is_active=True)
            .exclude(referrals__topic=topic)
            .order_by("name")
        )
        self.fields["deadline"].initial = referral_default_deadline()
        self.helper.form_id = "assist-form"


class ReplyForm(_ActionForm):
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
