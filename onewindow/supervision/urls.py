from django.urls import path

from onewindow.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.alerts, name="alerts"),
    path("alerts/<uuid:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<uuid:alert_id>/acknowledge", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<uuid:alert_id>/close", views.alert_close, name="alert_close"),
    path("alerts/<uuid:alert_id>/order", views.order_issue, name="order_issue"),
    path("cases/", views.cases, name="cases"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case"),
    path("tasks/", views.tasks, name="tasks"),
    path("orders/", views.orders, name="orders"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order"),
    path("rules/", views.rules, name="rules"),
]
