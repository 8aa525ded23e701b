"""Administrators' process pages (mounted at /workbench/processes/)."""

from django.urls import path

from onewindow.workflow import admin_views

app_name = "workflow_admin"
urlpatterns = [
    path("", admin_views.process_list, name="process_list"),
    path("upload/", admin_views.process_upload, name="process_upload"),
    path("generate/", admin_views.process_generate, name="process_generate"),
    path("assign/", admin_views.process_assign, name="process_assign"),
    path("<str:key>/", admin_views.process_detail, name="process_detail"),
    path("<str:key>/v<int:version>.bpmn", admin_views.process_download, name="process_download"),
]
