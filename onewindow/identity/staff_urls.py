"""Workbench pages for identity: counter verification, person look-up with reasoned reveal."""

from django.urls import path

from onewindow.identity import staff_views

app_name = "identity_staff"
urlpatterns = [
    path("", staff_views.lookup, name="lookup"),
]
