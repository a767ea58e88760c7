"""履职档案: one member's year on one page (printable on A4) and as a workbook. Staff and leaders
open the members of their area; a member only their own (another's is 404, ``visible_to``)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from consult_portal import audit
from consult_portal.roles import Role
from consult_portal.views import RoleRequiredMixin
from members.models import Member

from .records import record_xlsx, year_record

FIRST_YEAR = 2000


class MemberRecordView(RoleRequiredMixin, TemplateView):
    allowed_roles = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.MEMBER)
    template_name = "members/member_record.html"

    def get(self, request, *args, **kwargs):
        member = get_object_or_404(
            Member.objects.visible_to(request.user).select_related("area", "sector"),
            pk=kwargs["pk"],
        )
        this_year = timezone.localdate().year
        year = kwargs.get("year") or this_year
        if not FIRST_YEAR <= year <= this_year:
            raise Http404("没有这一年的履职档案。")
        record = year_record(member=member, year=year)
        if request.GET.get("export") == "xlsx":
            audit.record_export(request, what="履职档案", rows=1, fmt="xlsx")
            return record_xlsx(record)
        context = self.get_context_data(
            record=record,
            member=member,
            years=range(this_year, max(FIRST_YEAR, this_year - 4) - 1, -1),
        )
        return self.render_to_response(context)
