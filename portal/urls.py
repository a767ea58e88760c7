"""The root URLconf. The URL names and paths are the apps' own; the pages that gather several
apps (``portal.venue_views``, ``portal.member_views``) are added to the namespace of the app
they are about, so ``platforms:venue_detail`` and ``members:detail`` keep their names."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from members import urls as members_urls
from platforms import urls as platforms_urls

from . import account_views, member_views, record_views, search_views, venue_views, views

admin.site.site_header = "基层协商平台 · 管理后台"
admin.site.site_title = "协商平台管理"
admin.site.index_title = "数据管理"

platforms_patterns = [
    path("venues/<int:pk>/", venue_views.VenueDetailView.as_view(), name="venue_detail"),
    # Printables (issue 5, item 5): A4 poster and member contact cards.
    path("venues/<int:pk>/poster/", venue_views.VenuePosterView.as_view(), name="venue_poster"),
    path("venues/<int:pk>/cards/", venue_views.VenueCardsView.as_view(), name="venue_cards"),
    *platforms_urls.urlpatterns,
]
members_patterns = [
    path("<int:pk>/", member_views.MemberDetailView.as_view(), name="detail"),
    # Issue 15: the member's yearly record (履职档案).
    path("<int:pk>/record/", record_views.MemberRecordView.as_view(), name="record"),
    path(
        "<int:pk>/record/<int:year>/", record_views.MemberRecordView.as_view(), name="record_year"
    ),
    *members_urls.urlpatterns,
]

urlpatterns = [
    # Browsers and the admin ask for /favicon.ico whatever the page links: send them to the icon.
    path("favicon.ico", views.favicon),
    path("", views.HomeView.as_view(), name="home"),
    path("search/", search_views.SearchView.as_view(), name="search"),  # issue 16: header box
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/sessions/", account_views.SessionListView.as_view(), name="sessions"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("platforms/", include((platforms_patterns, platforms_urls.app_name))),
    path("members/", include((members_patterns, members_urls.app_name))),
    path("topics/", include("topics.urls")),
    path("imports/", include("portal.import_urls")),
    path("jobs/", include("portal.job_urls")),  # issue 18: queued jobs, failed jobs
    path("dashboard/", include("dashboards.urls")),
    path("", include("proposals.urls")),  # issue 15: 社情民意, 协商成果
    path("admin/", admin.site.urls),
    path("", include("portal.public_urls")),  # public pages: /v/<code>/, /t/<code>/
]
urlpatterns += [path("", include("portal.calendar_urls"))]  # issue 5: calendar feeds

# A 500 caused by the database being away is answered as a friendly 503 (consult_portal.health).
handler500 = "consult_portal.health.server_error"
