"""Citizen pages: the wallet 我的证照 (download, share codes, look-up records), reuse in applications."""

from django.urls import path  # noqa: F401

app_name = "licences"
urlpatterns: list = []
