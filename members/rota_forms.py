"""Plain forms behind the rota grid (issue 5, item 2): each posts one change of one cell."""

from __future__ import annotations

from django import forms

from .models import Member, ShiftSlot


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ShiftReassignForm(forms.Form):
    member = MemberChoiceField(
        label="值日委员",
        queryset=Member.objects.none(),
        error_messages={"required": "请选择委员。", "invalid_choice": "请从列表中选择委员。"},
    )
    override = forms.BooleanField(label="仍然安排", required=False)

    def __init__(self, *args, members_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members_qs is not None:
            self.fields["member"].queryset = members_qs


class ShiftAddForm(ShiftReassignForm):
    date = forms.DateField(label="日期", error_messages={"invalid": "请输入有效的日期。"})
    slot = forms.ChoiceField(label="时段", choices=ShiftSlot.choices, initial=ShiftSlot.FULL_DAY)
