"""Citizen and staff accounts under /accounts/: sign-in, registration, identity, agents, sessions, my data."""

from django.urls import include, path

app_name = "identity"
urlpatterns = [
    path("", include("onewindow.identity.urls_auth")),
    path("", include("onewindow.identity.urls_profile")),
]
