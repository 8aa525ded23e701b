"""OpenID Connect provider endpoints and the workbench pages for registered department systems.

django-oauth-toolkit's views reverse their own URLs as ``oauth2_provider:<name>``, so that namespace is
top-level; this module therefore sets no ``app_name`` of its own and mounts two namespaces:
``oauth2_provider`` (the protocol endpoints) and ``oidc`` (the administrators' pages).

The discovery document sits at the site root, so the issuer is the site itself
(``https://host`` + ``/.well-known/openid-configuration``, OpenID Connect Discovery §4); the other
endpoints live under ``/o/``. DOT's own application-management pages, device flow and dynamic client
registration are deliberately not mounted: department systems are registered by administrators. The
consent and logout pages are the platform's own (``identity/oidc/``), named here rather than overriding
DOT's template names, which would depend on the order of INSTALLED_APPS.
"""

from django.urls import include, path, re_path
from oauth2_provider import views as dot

from onewindow.identity.oidc import staff_views
from onewindow.identity.oidc.authorize import AuthorizationView

provider_patterns = [
    re_path(
        r"^\.well-known/openid-configuration/?$",
        dot.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    # RFC 8414 metadata at the origin, the same issuer as above.
    path(
        ".well-known/oauth-authorization-server",
        dot.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path(
        "o/authorize/",
        AuthorizationView.as_view(template_name="identity/oidc/authorize.html"),
        name="authorize",
    ),
    path("o/token/", dot.TokenView.as_view(), name="token"),
    path("o/revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("o/introspect/", dot.IntrospectTokenView.as_view(), name="introspect"),
    path("o/userinfo/", dot.UserInfoView.as_view(), name="user-info"),
    path("o/.well-known/jwks.json", dot.JwksInfoView.as_view(), name="jwks-info"),
    path(
        "o/logout/",
        dot.RPInitiatedLogoutView.as_view(template_name="identity/oidc/logout_confirm.html"),
        name="rp-initiated-logout",
    ),
]

staff_patterns = [
    path("", staff_views.client_list, name="client_list"),
    path("register/", staff_views.client_register, name="client_register"),
    path("<int:pk>/rotate-secret/", staff_views.client_secret_rotate, name="client_secret_rotate"),
    path("<int:pk>/disable/", staff_views.client_disable, name="client_disable"),
]

urlpatterns = [
    path("", include((provider_patterns, "oauth2_provider"))),
    path("workbench/sso/", include((staff_patterns, "oidc"))),
]
