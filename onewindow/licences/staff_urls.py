"""Workbench pages for issuing departments: licences issued, their lifecycle, licence types and signing keys."""

from django.urls import path  # noqa: F401

app_name = "licence_staff"
urlpatterns: list = []
