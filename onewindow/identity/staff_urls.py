"""Workbench pages for identity: counter verification, person look-up with reasoned reveal."""

app_name = "identity_staff"
urlpatterns: list = []
