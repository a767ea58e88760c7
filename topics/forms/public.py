"""Forms of the public pages: a resident raises an issue at a venue, and rates the outcome."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError

from consult_portal.phones import normalize_phone

from ..models import Rating, TopicCategory
from ..photos import PHOTO_MAX_COUNT, clean_photo
from .consultation import MultipleFileField

TITLE_MAX = 40
TEXT_MAX = 2000
# The honeypot's name looks like a field a bot wants to fill; humans never see it.
HONEYPOT_FIELD = "website"


class PublicRaiseForm(forms.Form):
    text = forms.CharField(
        label="您要反映的问题",
        max_length=TEXT_MAX,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "请说明什么地方、什么问题、希望怎样解决"}
        ),
        error_messages={"required": "请填写您要反映的问题。"},
    )
    category = forms.ModelChoiceField(
        label="问题类别",
        queryset=TopicCategory.objects.all(),
        empty_label="请选择",
        error_messages={"required": "请选择问题类别。", "invalid_choice": "请选择问题类别。"},
    )
    name = forms.CharField(label="您的称呼(选填)", max_length=32, required=False)
    phone = forms.CharField(
        label="联系电话(选填)",
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text="仅工作人员回访时使用,不会公开。",
    )
    consent = forms.BooleanField(label="同意工作人员电话回访", required=False)
    photos = MultipleFileField(
        label="照片(选填)",
        required=False,
        help_text=(
            f"最多 {PHOTO_MAX_COUNT} 张。照片经工作人员审核后才可能公开,拍摄位置等信息会被去除。"
        ),
    )
    website = forms.CharField(required=False, label="网址")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has its own token
        # The honeypot is rendered by the template, hidden from people (see public/venue.html).
        self.helper.layout = Layout("text", "category", "photos", "name", "phone", "consent")
        self.fields["photos"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if len(text) < 5:
            raise ValidationError("请把问题写具体一些(至少5个字)。", code="too_short")
        return text

    def clean_photos(self) -> list:
        files = self.cleaned_data.get("photos") or []
        if len(files) > PHOTO_MAX_COUNT:
            raise ValidationError(
                f"最多上传 {PHOTO_MAX_COUNT} 张照片,您选择了 {len(files)} 张。", code="too_many"
            )
        photos, errors = [], []
        for upload in files:
            try:
                photos.append(clean_photo(upload))
            except ValidationError as error:
                errors.append(error)
        if errors:
            errors.append(ValidationError("请重新选择照片。", code="photos_again"))
            raise ValidationError(errors)
        return photos

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone"))

    def clean(self):
        data = super().clean()
        # Only when the field was left empty: a number that failed validation has its own error.
        if data.get("consent") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", "同意回访时请留下联系电话。")
        return data

    def topic_fields(self) -> dict:
        """Title (the first line, shortened) and description (the whole text)."""
        text = self.cleaned_data["text"]
        first_line = text.splitlines()[0].strip()
        title = first_line if len(first_line) <= TITLE_MAX else first_line[: TITLE_MAX - 1] + "…"
        return {
            "title": title,
            "description": text,
            "category": self.cleaned_data["category"],
            "resident_name": self.cleaned_data["name"].strip(),
            "resident_phone": self.cleaned_data["phone"],
            "consents_contact": self.cleaned_data["consent"],
            "photos": self.cleaned_data.get("photos") or [],
        }


class PublicRateForm(forms.Form):
    rating = forms.ChoiceField(
        label="您对办理结果是否满意",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择满意、基本满意或不满意。",
            "invalid_choice": "请选择满意、基本满意或不满意。",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's <form> has its own token
