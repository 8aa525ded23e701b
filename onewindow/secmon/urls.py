from django.urls import path

from onewindow.secmon import views

app_name = "secmon"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/<uuid:pk>/acknowledge", views.alert_acknowledge, name="alert_acknowledge"),
    path("incidents/new", views.incident_create, name="incident_create"),
    path("incidents/<uuid:pk>/", views.incident_detail, name="incident"),
]
