from django.urls import path

from onewindow.sharing import views

app_name = "sharing"

urlpatterns = [
    path("", views.resource_list, name="resources"),
    path("resources/<slug:code>/", views.resource_detail, name="resource"),
    path("approvals/", views.approval_list, name="approvals"),
    path("approvals/<uuid:approval_id>/decide/", views.approval_decide, name="approval_decide"),
    path("log/", views.access_log, name="log"),
    path("query/", views.query, name="query"),
]
