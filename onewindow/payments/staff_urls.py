from django.urls import path

from onewindow.payments import staff_views

app_name = "payments_staff"
urlpatterns = [
    path("", staff_views.order_list, name="orders"),
    path("orders/<str:reference>/", staff_views.order_detail, name="order"),
    path("orders/<str:reference>/refunds/", staff_views.refund_create, name="refund_create"),
    path("cases/<uuid:case_id>/", staff_views.case_fee, name="case_fee"),
    path("cases/<uuid:case_id>/waivers/", staff_views.fee_waive, name="fee_waive"),
    path("reconciliation/", staff_views.reconciliation_list, name="reconciliations"),
    path("reconciliation/run/", staff_views.reconciliation_run, name="reconciliation_run"),
    path("reconciliation/<uuid:report_id>/", staff_views.reconciliation_detail, name="reconciliation"),
]
