"""Workbench pages for issuing departments: licences issued, their lifecycle, licence types and signing keys."""

from django.urls import path

from onewindow.licences import staff_views

app_name = "licence_staff"
urlpatterns = [
    path("", staff_views.licence_list, name="licence_list"),
    path("types/", staff_views.licence_types, name="types"),
    path("types/<uuid:type_id>/active/", staff_views.licence_type_toggle, name="type_toggle"),
    path("keys/", staff_views.signing_keys, name="keys"),
    path("<uuid:licence_id>/", staff_views.licence_detail, name="licence_detail"),
    path("<uuid:licence_id>/<slug:action>/", staff_views.licence_action, name="licence_action"),
]
