"""Public verification of a licence: the page, the QR short link and the published public keys."""

from django.urls import path  # noqa: F401

app_name = "licence_verify"
urlpatterns: list = []
