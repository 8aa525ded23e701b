"""Workbench pages for department processing: the inbox and one task (mounted at /workbench/tasks/)."""

from django.urls import path

from onewindow.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<uuid:task_id>/", views.task_detail, name="task_detail"),
    path("<uuid:task_id>/<slug:action>/", views.task_action, name="task_action"),
    path("<uuid:task_id>/materials/<uuid:material_id>/", views.task_material, name="task_material"),
]
