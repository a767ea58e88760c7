"""Navigation that fits the signed-in user's role."""

from django.urls import reverse

from .people import header_name
from .roles import ROLE_LABELS, Role, scope_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_role": None}
    scope = scope_for(user)
    items = [("home", "首页", reverse("home"))]
    if scope.role in (Role.ADMIN, Role.OFFICE, Role.LEADER):
        items.append(("dashboard", "看板", reverse("dashboards:home")))
        items += [
            ("topics", "议题", reverse("topics:list")),
            ("consultations", "协商活动", reverse("topics:consultation_list")),
            ("venues", "协商阵地", reverse("platforms:venue_list")),
            ("members", "委员", reverse("members:list")),
            ("departments", "承办单位", reverse("topics:department_list")),
            ("opinions", "社情民意", reverse("proposals:report_list")),
            ("outcomes", "协商成果", reverse("proposals:outcome_list")),
        ]
        if scope.role in (Role.ADMIN, Role.OFFICE):
            items.append(("imports", "导入", reverse("imports:index")))
    elif scope.role == Role.UNIT and scope.unit_id:
        items = [("unit", "我的交办", reverse("topics:unit_home"))]
    elif scope.role == Role.MEMBER and scope.member_id:
        items += [
            ("my_duties", "我的履职", reverse("members:my_duties")),
            ("my_reports", "社情民意", reverse("proposals:my_reports")),
            ("profile", "我的档案", reverse("members:detail", args=[scope.member_id])),
        ]
    return {
        "nav_items": items,
        "user_role": scope.role,
        "user_role_label": ROLE_LABELS[scope.role],
        "user_display_name": header_name(user, scope),
        "user_is_admin": scope.role == Role.ADMIN,
    }
