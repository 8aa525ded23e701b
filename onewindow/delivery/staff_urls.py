from django.urls import path

from onewindow.delivery import views

app_name = "delivery_staff"
urlpatterns = [
    path("", views.shipment_list, name="shipments"),
    path("cases/<uuid:case_id>/send/", views.shipment_send, name="send"),
    path("<uuid:shipment_id>/receive/", views.shipment_receive, name="receive"),
    path("<uuid:shipment_id>/sandbox-advance/", views.sandbox_advance, name="sandbox_advance"),
]
