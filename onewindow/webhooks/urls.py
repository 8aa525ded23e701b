from django.urls import path

from onewindow.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhook_home, name="home"),
    path("subscriptions/<uuid:subscription_id>/deactivate/", views.webhook_deactivate, name="deactivate"),
    path("deliveries/<uuid:delivery_id>/", views.webhook_delivery, name="delivery"),
    path("deliveries/<uuid:delivery_id>/redeliver/", views.webhook_redeliver, name="redeliver"),
]
