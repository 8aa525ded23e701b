"""The authorisation endpoint: django-oauth-toolkit's view, telling the validator who is signed in so that
``prompt=none`` (advertised in discovery) answers with a code, or with ``login_required`` /
``consent_required`` sent back to the system (OpenID Connect Core §3.1.2.6) — never with a page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from oauth2_provider import views as dot

from onewindow.identity.oidc.validator import authorising_user


class AuthorizationView(dot.AuthorizationView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user if request.user.is_authenticated else None
        token = authorising_user.set(user)
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            authorising_user.reset(token)
