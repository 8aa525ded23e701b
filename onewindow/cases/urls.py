"""Citizen pages for cases: apply, my cases (我的办件), and public tracking (全程一码)."""

from django.urls import path

from onewindow.cases import bundle_views, files, my_cases_views, views

app_name = "cases"
urlpatterns = [
    path("cases/", my_cases_views.my_cases, name="mine"),
    path("cases/messages/", my_cases_views.case_messages, name="messages"),
    path("cases/apply/<str:code>/", views.apply, name="apply"),
    path("cases/apply-bundle/<slug:code>/", bundle_views.apply_bundle, name="apply_bundle"),
    # A bundle's parent case shows the bundle page; every other case its own page.
    path("cases/<uuid:case_id>/", bundle_views.case_page, name="case"),
    path("cases/<uuid:case_id>/submit-all/", bundle_views.bundle_submit, name="bundle_submit"),
    path("cases/<uuid:case_id>/withdraw-all/", bundle_views.bundle_withdraw, name="bundle_withdraw"),
    path("cases/<uuid:case_id>/materials-all/", bundle_views.bundle_material_upload, name="bundle_material"),
    path("cases/<uuid:case_id>/materials/", views.material_upload, name="material_upload"),
    path("cases/<uuid:case_id>/pledge/", views.material_pledge, name="material_pledge"),
    path("cases/<uuid:case_id>/form.pdf", files.form_pdf, name="form_pdf"),
    path("cases/<uuid:case_id>/materials/<uuid:material_id>/", files.material_file, name="material_file"),
    path(
        "cases/<uuid:case_id>/materials/<uuid:material_id>/remove/",
        views.material_remove,
        name="material_remove",
    ),
    path("cases/<uuid:case_id>/resubmit/", views.case_resubmit, name="resubmit"),
    path("cases/<uuid:case_id>/withdraw/", views.case_withdraw, name="withdraw"),
    path("cases/<uuid:case_id>/notices/<slug:kind>.pdf", views.case_notice, name="notice"),
    path("cases/<uuid:case_id>/password/", bundle_views.password_reissue, name="password_reissue"),
    path("track/", my_cases_views.track, name="track"),
    path("track/<str:case_number>/", my_cases_views.track, name="track_number"),
]
