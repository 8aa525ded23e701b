"""Workbench pages where platform administrators register department systems (OIDC clients), give them a
new secret, or disable them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from oauth2_provider.settings import oauth2_settings

from onewindow.core.errors import DomainError, NotFound
from onewindow.identity.oidc.forms import OidcClientForm
from onewindow.identity.oidc.selectors import oidc_client_get, oidc_clients_list
from onewindow.identity.oidc.services import (
    oidc_client_disable,
    oidc_client_is_active,
    oidc_client_register,
    oidc_client_secret_rotate,
)
from onewindow.organisations.selectors import staff_is_platform_admin


def platform_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in platform administrators only; anyone else signed in gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_is_platform_admin(user=request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _client(request: HttpRequest, pk: int) -> Any:
    try:
        return oidc_client_get(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404(error.message) from error


def _secret_page(request: HttpRequest, application: Any, secret: str, *, new: bool) -> HttpResponse:
    response = render(
        request,
        "identity/oidc/client_secret.html",
        {
            "application": application,
            "secret": secret,
            "new": new,
            "issuer": oauth2_settings.oidc_issuer(request),
            "is_platform_admin": True,
        },
    )
    # The secret is shown once: no cache may keep the page.
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET"])
@platform_admin_required
def client_list(request: HttpRequest) -> HttpResponse:
    """The registered department systems, and the discovery address to give their developers."""
    clients = [
        (application, oidc_client_is_active(application))
        for application in oidc_clients_list(user=request.user)
    ]
    return render(
        request,
        "identity/oidc/client_list.html",
        {"clients": clients, "issuer": oauth2_settings.oidc_issuer(request), "is_platform_admin": True},
    )


@require_http_methods(["GET", "POST"])
@platform_admin_required
def client_register(request: HttpRequest) -> HttpResponse:
    """Register a department system; its secret is shown on the next page, once."""
    form = OidcClientForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            application, secret = oidc_client_register(actor=request.user, **form.cleaned_data)
        except DomainError as refused:
            error = refused
            for problem in refused.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
        else:
            return _secret_page(request, application, secret, new=True)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "identity/oidc/client_register.html",
        {"form": form, "error": error, "is_platform_admin": True},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@platform_admin_required
def client_secret_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then give the system a new secret; the old one stops working at once."""
    application = _client(request, pk)
    if request.method == "POST":
        try:
            secret = oidc_client_secret_rotate(actor=request.user, application=application)
        except DomainError as refused:
            messages.error(request, refused.message)
            return redirect("oidc:client_list")
        return _secret_page(request, application, secret, new=False)
    return render(
        request,
        "identity/oidc/client_confirm.html",
        {"application": application, "action": "rotate", "is_platform_admin": True},
    )


@require_http_methods(["GET", "POST"])
@platform_admin_required
def client_disable(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then stop the system signing anyone in and revoke its tokens."""
    application = _client(request, pk)
    if request.method == "POST":
        try:
            oidc_client_disable(actor=request.user, application=application)
        except DomainError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request,
                _("%(name)s is disabled: it can no longer sign anyone in.") % {"name": application.name},
            )
        return redirect("oidc:client_list")
    return render(
        request,
        "identity/oidc/client_confirm.html",
        {"application": application, "action": "disable", "is_platform_admin": True},
    )
