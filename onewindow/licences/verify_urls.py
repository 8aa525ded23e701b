"""Public verification of a licence: the page, the QR short link and the published public keys."""

from django.urls import path

from onewindow.licences import verify_views

app_name = "licence_verify"
urlpatterns = [
    path("licences/verify/", verify_views.verify_form, name="form"),
    path("licences/verify-number/", verify_views.verify_by_number, name="by_number"),
    path("licences/verify/<str:identifier>/", verify_views.verify_result, name="result"),
    # Printed as the licence's QR code: kept short so the code stays small and easy to read.
    path("v/<str:code>/", verify_views.verify_short, name="short"),
    path("licences/keys/", verify_views.keys, name="keys"),
    path("licences/keys/<str:key_id>.pem", verify_views.key_pem, name="key_pem"),
]
