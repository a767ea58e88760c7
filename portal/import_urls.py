from django.urls import path

from . import import_views as views

app_name = "imports"

urlpatterns = [
    path("", views.ImportIndexView.as_view(), name="index"),
    path("<slug:kind>/template.xlsx", views.ImportTemplateView.as_view(), name="template"),
    path("<slug:kind>/upload/", views.ImportUploadView.as_view(), name="upload"),
    path("preview/<str:token>/", views.ImportPreviewView.as_view(), name="preview"),
    path("preview/<str:token>/confirm/", views.ImportConfirmView.as_view(), name="confirm"),
    path("done/", views.ImportDoneView.as_view(), name="done"),
]
