"""Citizen pages: the wallet 我的证照 (download, share codes, look-up records), reuse in applications."""

from django.urls import path

from onewindow.licences import views

app_name = "licences"
urlpatterns = [
    path("licences/", views.wallet_list, name="wallet"),
    path("licences/access-log/", views.wallet_accesses, name="accesses"),
    path("licences/consent/", views.wallet_consent, name="consent"),
    path("licences/shared/<str:code>/", views.shared, name="shared"),
    path("licences/pick/<uuid:case_id>/<slug:material_key>/", views.pick, name="pick"),
    path("licences/pick/<uuid:case_id>/<slug:material_key>/upload/", views.pick_upload, name="pick_upload"),
    path("licences/<uuid:licence_id>/", views.wallet_licence, name="licence"),
    path("licences/<uuid:licence_id>/pdf/", views.wallet_pdf, name="pdf"),
    path("licences/<uuid:licence_id>/shares/", views.share_create, name="share_create"),
    path(
        "licences/<uuid:licence_id>/shares/<uuid:share_id>/revoke/", views.share_revoke, name="share_revoke"
    ),
]
