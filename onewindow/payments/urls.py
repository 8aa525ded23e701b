from django.urls import path

from onewindow.payments import views

app_name = "payments"
urlpatterns = [
    path("cases/<uuid:case_id>/", views.case_fee, name="case_fee"),
    path("cases/<uuid:case_id>/orders/", views.order_create, name="order_create"),
    path("orders/<str:reference>/", views.order_detail, name="order"),
    path("orders/<str:reference>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<str:reference>/receipt.pdf", views.receipt, name="receipt"),
    path("sandbox/cashier/<str:reference>/", views.sandbox_cashier, name="sandbox_cashier"),
    path("notify/<str:provider_name>/", views.provider_notify, name="notify"),
]
