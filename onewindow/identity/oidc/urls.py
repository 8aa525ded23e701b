"""OpenID Connect provider endpoints and the workbench pages for registered department systems."""

app_name = "oidc"
urlpatterns: list = []
