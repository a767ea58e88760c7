from django.urls import path

from . import views
from .my_shifts import MyShiftsMonthView

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    # members:detail (the one-person file) lists sessions and topics too: ``portal.urls`` adds it.
]

# Member page writes (issue 4, item 3).
urlpatterns += [
    path("new/", views.MemberCreateView.as_view(), name="member_create"),
    path("<int:pk>/edit/", views.MemberEditView.as_view(), name="member_edit"),
    path("<int:pk>/assignments/new/", views.AssignmentAddView.as_view(), name="assignment_add"),
    path("assignments/<int:pk>/end/", views.AssignmentEndView.as_view(), name="assignment_end"),
    path("<int:pk>/leaves/new/", views.MemberLeaveAddView.as_view(), name="leave_add"),
    path("leaves/<int:pk>/delete/", views.MemberLeaveDeleteView.as_view(), name="leave_delete"),
    path("<int:pk>/deactivate/", views.MemberActiveView.as_view(active=False), name="deactivate"),
    path("<int:pk>/reactivate/", views.MemberActiveView.as_view(active=True), name="reactivate"),
]

# Duties and points (issue 5, item 3).
from . import point_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/duties/new/", point_views.DutyAddView.as_view(), name="duty_add"),
    path("duties/<int:pk>/edit/", point_views.DutyEditView.as_view(), name="duty_edit"),
    path("duties/<int:pk>/delete/", point_views.DutyDeleteView.as_view(), name="duty_delete"),
    path("points/rules/", point_views.PointRulesView.as_view(), name="point_rules"),
    path("points/ranking/", point_views.RankingView.as_view(), name="ranking"),
]

# Self-reported duties and their review (issue 5, item 3).
from . import duty_report_views as report_views  # noqa: E402

urlpatterns += [
    path("me/duties/", report_views.MyDutiesView.as_view(), name="my_duties"),
    path("me/duties/new/", report_views.MyDutyAddView.as_view(), name="my_duty_add"),
    path("me/duties/<int:pk>/edit/", report_views.MyDutyEditView.as_view(), name="my_duty_edit"),
    path(
        "me/duties/<int:pk>/withdraw/",
        report_views.MyDutyWithdrawView.as_view(),
        name="my_duty_withdraw",
    ),
    path("duties/review/", report_views.DutyReviewQueueView.as_view(), name="duty_review"),
]

# Duty rota (issue 5, item 2).
from . import rota_views  # noqa: E402

urlpatterns += [
    path("rota/<int:venue_pk>/", rota_views.RotaCurrentView.as_view(), name="rota_current"),
    path(
        "rota/<int:venue_pk>/<int:year>/<int:month>/",
        rota_views.RotaView.as_view(),
        name="rota",
    ),
    path(
        "shifts/<int:pk>/confirm/",
        rota_views.ShiftAnswerView.as_view(action="confirm"),
        name="shift_confirm",
    ),
    path(
        "shifts/<int:pk>/decline/",
        rota_views.ShiftDeclineView.as_view(),
        name="shift_decline",
    ),
    path("shifts/<int:pk>/take/", rota_views.ShiftTakeView.as_view(), name="shift_take"),
    # A member's month of shifts as a calendar (issue 16).
    path("me/shifts/", MyShiftsMonthView.as_view(), name="my_shifts"),
    path(
        "me/shifts/<int:year>/<int:month>/",
        MyShiftsMonthView.as_view(),
        name="my_shifts_month",
    ),
]
