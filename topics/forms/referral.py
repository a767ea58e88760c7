"""Forms of a referral's steps (the unit's page, and the office's review on the topic page).

Forms only parse and lay out input; the rules live in ``topics.services.referrals``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ..models import ReplyClass
from .consultation import MultipleFileField, sniff_attachment
from .topic import DATE_WIDGET, _ActionForm


class ReturnForm(_ActionForm):
    reason = forms.CharField(
        label="退回原因",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="如不属于本单位职责,请写明建议的承办单位。",
        error_messages={"required": "请填写退回原因。"},
    )


class ExtensionForm(_ActionForm):
    new_deadline = forms.DateField(
        label="申请延至",
        widget=DATE_WIDGET,
        help_text="最长不超过一年。",
        error_messages={"required": "请填写申请延至的日期。", "invalid": "请填写有效的日期。"},
    )
    reason = forms.CharField(
        label="延期理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写延期理由。"},
    )


class UnitReplyForm(_ActionForm):
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
        label="答复内容",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="C 类请写明不能解决的原因和向群众所作的解释。",
        error_messages={"required": "请填写答复内容。"},
    )
    attachments = MultipleFileField(
        label="附件",
        required=False,
        help_text=(
            "可多选:照片(JPG/PNG/WEBP)、PDF、Word(.docx),每个不超过 %(limit)s。"
            "如页面提示错误,需要重新选择附件。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = self.fields["attachments"].help_text
        self.fields["attachments"].help_text = help_text % {
            "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }

    def clean_attachments(self):
        typed, errors = [], []
        for upload in self.cleaned_data.get("attachments") or []:
            try:
                typed.append((upload, sniff_attachment(upload)))
            except forms.ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return typed


class ExtensionDecisionForm(_ActionForm):
    note = forms.CharField(
        label="审核意见(不同意时必填)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewContinueForm(_ActionForm):
    planned_on = forms.DateField(
        label="计划完成日期",
        widget=DATE_WIDGET,
        error_messages={"required": "请填写计划完成日期。", "invalid": "请填写有效的日期。"},
    )
    note = forms.CharField(
        label="说明(可选)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["planned_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class ReviewReturnForm(_ActionForm):
    reason = forms.CharField(
        label="退回重办原因",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写退回重办的原因。"},
    )
