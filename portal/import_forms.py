"""The upload form of the import pages."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings

from consult_portal.importing.reader import XLS_MAGIC
from platforms.models import Area, AreaLevel

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


class ImportUploadForm(forms.Form):
    area = forms.ModelChoiceField(
        label="导入到",
        queryset=Area.objects.none(),
        empty_label=None,
        help_text="表格中的区划、阵地和委员都在这一区划范围内查找;未填写区划的行归入这一区划。",
    )
    file = forms.FileField(
        label="表格文件",
        help_text="支持 .xlsx、旧版 .xls 和 .csv(UTF-8 或 GBK 编码),不超过 5 MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )

    def __init__(self, *args, user, initial_area_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        field.queryset = Area.objects.visible_to(user).filter(level__lte=AreaLevel.SUBDISTRICT)
        field.label_from_instance = lambda a: "\u3000" * max(0, a.depth - 1) + a.name
        if initial_area_id:
            field.initial = initial_area_id
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("submit", "上传并预览"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError("只支持 .xlsx、.xls 和 .csv 文件。")
        limit = max_upload_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                "文件不能超过 %(limit)s MB(当前 %(size).1f MB)。",
                params={"limit": limit // (1024 * 1024), "size": upload.size / (1024 * 1024)},
            )
        head = upload.read(8)
        upload.seek(0)
        if name.endswith(".xlsx") and not head.startswith(b"PK"):
            raise forms.ValidationError("文件内容不是 .xlsx 表格,请检查后重新上传。")
        if name.endswith(".xls") and not head.startswith(XLS_MAGIC):
            raise forms.ValidationError("文件内容不是 .xls 表格,请检查后重新上传。")
        if not head:
            raise forms.ValidationError("文件是空的。")
        return upload
