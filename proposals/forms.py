"""Forms for reports and outcomes; the services validate the rules, the forms the input."""

from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from consult_portal.forms import DateInput
from members.models import Member
from topics.models import Consultation, Department, Topic

from .models import Level, OutcomeKind, Recipient


class _Form(forms.Form):
    submit_label = "保存"
    form_id = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        if self.form_id:
            # One of several forms on a detail page: ``action`` says which one was sent.
            self.fields["action"] = forms.CharField(
                widget=forms.HiddenInput, initial=self.form_id, required=False
            )
            self.helper.form_id = self.form_id
            self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit(f"submit_{self.form_id or 'form'}", self.submit_label))


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}({obj.work_unit})" if obj.work_unit else obj.name


class ReportSubmitForm(_Form):
    """A member's report from their phone: title, text, and co-signers of the same committee."""

    submit_label = "提交"
    title = forms.CharField(label="标题", max_length=200)
    category = forms.CharField(
        label="类别", max_length=32, required=False, help_text="如:养老服务、营商环境(可不填)"
    )
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="反映的情况、存在的问题、建议。",
    )
    cosigners = MemberChoices(
        label="联名委员",
        required=False,
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="与您同属本级政协的委员;不联名请不选。",
    )

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cosigners"].queryset = (
            Member.objects.active().filter(area_id=member.area_id).exclude(pk=member.pk)
        ).order_by("name", "pk")


class ReportEnterForm(_Form):
    """The office enters a report (received on paper or by mail, or its own)."""

    title = forms.CharField(label="标题", max_length=200)
    category = forms.CharField(label="类别", max_length=32, required=False)
    submitted_on = forms.DateField(label="提交日期", widget=DateInput())
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}))
    authors = MemberChoices(
        label="作者",
        required=False,
        queryset=Member.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="按署名顺序以第一作者为先;办公室自行编写的不选。",
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authors"].queryset = members
        self.fields["submitted_on"].initial = timezone.localdate()


class IssueForm(_Form):
    form_id = "issue"
    submit_label = "编入本期"
    issue_year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    issue_number = forms.IntegerField(label="期号", min_value=1, max_value=999)


class SendForm(_Form):
    form_id = "send"
    submit_label = "登记报送"
    sent_on = forms.DateField(label="报送日期", widget=DateInput())
    sent_to = forms.CharField(
        label="报送单位", max_length=100, help_text="如:市政协办公室、区委办公室"
    )


class RejectForm(_Form):
    form_id = "reject"
    submit_label = "不予编发"
    reason = forms.CharField(label="理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class AdoptionForm(_Form):
    form_id = "adopt"
    submit_label = "登记采用"
    level = forms.ChoiceField(label="采用层级", choices=Level.choices)
    adopted_on = forms.DateField(label="采用日期", widget=DateInput())
    adopted_by = forms.CharField(
        label="采用单位", max_length=100, required=False, help_text="如:市政协《社情民意》"
    )
    note = forms.CharField(label="说明", max_length=300, required=False)


class InstructionForm(_Form):
    form_id = "instruction"
    submit_label = "登记批示"
    leader = forms.CharField(
        label="批示领导", max_length=64, help_text="姓名及职务,如“张某某 副市长”"
    )
    level = forms.ChoiceField(label="层级", choices=Level.choices)
    given_on = forms.DateField(label="批示日期", widget=DateInput())
    text = forms.CharField(label="批示内容", widget=forms.Textarea(attrs={"rows": 3}))


class OutcomeForm(_Form):
    kind = forms.ChoiceField(label="类型", choices=OutcomeKind.choices)
    title = forms.CharField(label="标题", max_length=200)
    date = forms.DateField(label="成文日期", widget=DateInput())
    summary = forms.CharField(
        label="内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    file = forms.FileField(label="文件", required=False, help_text="成果原文(PDF 或 Word)。")
    consultations = forms.ModelMultipleChoiceField(
        label="来源协商活动",
        required=False,
        queryset=Consultation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    topics = forms.ModelMultipleChoiceField(
        label="来源议题",
        required=False,
        queryset=Topic.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    recipient = forms.ChoiceField(label="报送对象", choices=Recipient.choices)
    recipient_unit = forms.ModelChoiceField(
        label="报送单位",
        required=False,
        queryset=Department.objects.none(),
        help_text="报送对象为承办单位时选择。",
    )
    sent_on = forms.DateField(label="报送日期", required=False, widget=DateInput())

    ALLOWED_FILE_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd")
    MAX_FILE_SIZE = 20 * 1024 * 1024

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The last two years' sessions and topics: what an outcome is drawn from.
        since = timezone.localdate() - datetime.timedelta(days=730)
        self.fields["consultations"].queryset = (
            Consultation.objects.visible_to(user)
            .filter(held_at__date__gte=since)
            .select_related("venue")
            .order_by("-held_at", "-pk")
        )
        self.fields["topics"].queryset = (
            Topic.objects.visible_to(user)
            .filter(raised_on__gte=since)
            .order_by("-raised_on", "-pk")
        )
        self.fields["recipient_unit"].queryset = Department.objects.visible_to(user).filter(
            is_active=True
        )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            name = upload.name.lower()
            if not name.endswith(self.ALLOWED_FILE_EXTENSIONS):
                raise forms.ValidationError("只能上传 PDF、Word、WPS 或 OFD 文件。")
            if upload.size > self.MAX_FILE_SIZE:
                raise forms.ValidationError("文件不能超过 20 MB。")
        return upload


class OutcomeItemForm(_Form):
    form_id = "item"
    submit_label = "添加采纳事项"
    text = forms.CharField(label="采纳事项", max_length=300)
    unit = forms.ModelChoiceField(label="责任单位", queryset=Department.objects.none())
    due_on = forms.DateField(label="完成时限", widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Department.objects.visible_to(user).filter(is_active=True)


class FollowUpForm(_Form):
    """One per item on the outcome page; the template writes the ``<form>`` (action, item)."""

    submit_label = "保存落实情况"
    progress = forms.CharField(label="落实情况", widget=forms.Textarea(attrs={"rows": 2}))
    done_on = forms.DateField(
        label="落实日期", required=False, widget=DateInput(), help_text="已落实时填写。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
