from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "基层协商平台 · 管理后台"
admin.site.site_title = "协商平台管理"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("platforms/", include("platforms.urls")),
    path("members/", include("members.urls")),
    path("topics/", include("topics.urls")),
    path("imports/", include("portal.import_urls")),
    path("dashboard/", include("dashboards.urls")),
    path("admin/", admin.site.urls),
    path("", include("portal.public_urls")),  # public pages: /v/<code>/, /t/<code>/
]
urlpatterns += [path("", include("portal.calendar_urls"))]  # issue 5: calendar feeds
