"""Sign-in, registration, passwords, the staff second factor and the list of signed-in browsers.

One sign-in page for everyone: a password (with a phone number, citizen ID number or a staff user name) or
an SMS code. Staff who must use an authenticator pass a second page before their session exists.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from onewindow.core.errors import DomainError
from onewindow.core.identifiers import mobile_phone_check
from onewindow.core.plugins import plugin
from onewindow.core.ratelimit import client_address
from onewindow.identity import selectors
from onewindow.identity.forms_auth import (
    PasswordChangeForm,
    PasswordLoginForm,
    PasswordResetForm,
    RegisterForm,
    SmsLoginForm,
    TotpForm,
)
from onewindow.identity.models import SmsPurpose
from onewindow.identity.services import accounts, sessions, totp
from onewindow.identity.sms import SandboxSmsGateway

TEMPLATES = "identity/auth/"
# Statuses a form page answers with as they are; other refusals re-show the form with 200 (plain bad input).
PASSED_THROUGH = {423, 429, 503}


def _next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _home(user: Any) -> str:
    return reverse("workbench:home") if user.is_staff else reverse("identity:account")


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], error: DomainError | None = None
) -> HttpResponse:
    context.setdefault("next", _next(request))
    response = render(request, TEMPLATES + template, context)
    if error is not None and error.status in PASSED_THROUGH:
        response.status_code = error.status
    if error is not None and error.retry_after:
        response["Retry-After"] = str(error.retry_after)
    return response


def _sandbox_code(phone: str) -> str | None:
    """The last code sent to this phone, shown on screen only in the sandbox (quick start, tests)."""
    if not settings.ONEWINDOW_SANDBOX or not isinstance(plugin("sms"), SandboxSmsGateway):
        return None
    try:
        return SandboxSmsGateway.last_code(mobile_phone_check(phone))
    except DomainError:
        return None


def _code_send(request: HttpRequest, form: Any, purpose: str) -> DomainError | None:
    """Handle the "获取验证码" button: send (or pretend to, for unknown numbers) and say so."""
    if not form.is_valid():
        return None
    try:
        accounts.sms_code_send(
            phone=form.cleaned_data["phone"], purpose=purpose, address=client_address(request)
        )
    except DomainError as error:
        form.add_domain_error(error)
        return error
    if purpose == SmsPurpose.REGISTER:
        messages.success(request, _("A code has been sent to your phone. It is valid for 5 minutes."))
    else:
        messages.success(
            request, _("If the number is registered, a code is on its way. It is valid for 5 minutes.")
        )
    return None


def _signed_in(request: HttpRequest, sign_in: accounts.SignIn) -> HttpResponse:
    next_url = _next(request)
    if sign_in.next_step == "totp":
        return redirect(_with_next(reverse("identity:login_totp"), next_url))
    if sign_in.next_step == "totp_enrol":
        return redirect(_with_next(reverse("identity:totp_enrol"), next_url))
    return HttpResponseRedirect(next_url or _home(sign_in.user))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """密码登录 and 短信验证码登录 on one page; the tab is a plain link so it works without JavaScript."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(_next(request) or _home(request.user))
    method = "sms" if (request.POST or request.GET).get("method") == "sms" else "password"
    action = request.POST.get("action", "")
    error: DomainError | None = None
    password_form = PasswordLoginForm(request.POST if method == "password" and request.POST else None)
    sms_form = SmsLoginForm(
        request.POST if method == "sms" and request.POST else None, code_required=action == "sms_login"
    )
    if request.method == "POST" and method == "password" and password_form.is_valid():
        try:
            return _signed_in(
                request,
                accounts.login_with_password(
                    request=request,
                    identifier=password_form.cleaned_data["username"],
                    password=password_form.cleaned_data["password"],
                ),
            )
        except DomainError as refused:
            error = refused
            password_form.add_domain_error(refused)
    elif request.method == "POST" and action == "sms_send":
        error = _code_send(request, sms_form, SmsPurpose.LOGIN)
    elif request.method == "POST" and method == "sms" and sms_form.is_valid():
        try:
            return _signed_in(
                request,
                accounts.login_with_sms(
                    request=request, phone=sms_form.cleaned_data["phone"], code=sms_form.cleaned_data["code"]
                ),
            )
        except DomainError as refused:
            error = refused
            sms_form.add_domain_error(refused)
    phone = sms_form.data.get("phone", "") if sms_form.is_bound else ""
    context = {
        "method": method,
        "form": password_form if method == "password" else sms_form,
        "sandbox_code": _sandbox_code(phone) if phone else None,
    }
    return _render(request, "login.html", context, error)


def _pending_or_login(request: HttpRequest) -> tuple[Any, str] | HttpResponse:
    pending = accounts.login_pending_user(request)
    if pending is None:
        messages.error(request, _("Sign-in timed out. Enter your password again."))
        return redirect(_with_next(reverse("identity:login"), _next(request)))
    return pending


@require_http_methods(["GET", "POST"])
def login_totp_view(request: HttpRequest) -> HttpResponse:
    """The second step for staff: the code from their authenticator app."""
    pending = _pending_or_login(request)
    if isinstance(pending, HttpResponse):
        return pending
    user, _method = pending
    form = TotpForm(request.POST or None)
    error = None
    if form.is_valid():
        try:
            totp.totp_verify(user=user, code=form.cleaned_data["code"])
            signed_in = accounts.login_pending_complete(request=request)
            return HttpResponseRedirect(_next(request) or _home(signed_in))
        except DomainError as refused:
            error = refused
            form.add_domain_error(refused)
    context = {"form": form, "sandbox_code": totp.totp_current_code(user=user)}
    return _render(request, "login_totp.html", context, error)


@require_http_methods(["GET", "POST"])
def totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: right after the password when staff must have one, or later by choice."""
    if request.user.is_authenticated and request.user.is_staff:
        user, pending = request.user, False
    else:
        found = _pending_or_login(request)
        if isinstance(found, HttpResponse):
            return found
        (user, _method), pending = found, True
    error = None
    try:
        secret, uri = totp.totp_enrol_start(user=user)
    except DomainError as refused:
        messages.info(request, refused.message)
        return HttpResponseRedirect(_next(request) or _home(user))
    form = TotpForm(request.POST or None)
    if form.is_valid():
        try:
            totp.totp_enrol_confirm(user=user, code=form.cleaned_data["code"])
            if pending:
                accounts.login_pending_complete(request=request)
            messages.success(request, _("Your authenticator app is set up. Sign-in will ask for its code."))
            return HttpResponseRedirect(_next(request) or _home(user))
        except DomainError as refused:
            error = refused
            form.add_domain_error(refused)
    context = {
        "form": form,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": segno.make(uri, error="m").svg_data_uri(scale=5, dark="#1d1d1f"),
        "sandbox_code": totp.totp_current_code(user=user),
    }
    return _render(request, "totp_enrol.html", context, error)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django's): the browser's entry in the sessions list is closed too. The OIDC
    RP-initiated logout ends in the same Django logout."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        sessions.session_mark_ended(session_key=request.session.session_key)
        return super().post(request, *args, **kwargs)


@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    """Register with name, phone (confirmed by SMS code) and a password; signed in straight after."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(_home(request.user))
    action = request.POST.get("action", "")
    form = RegisterForm(request.POST or None, sending=action == "sms_send")
    error = None
    if action == "sms_send":
        error = _code_send(request, form, SmsPurpose.REGISTER)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = accounts.person_register(
                name=data["name"],
                phone=data["phone"],
                sms_code=data["code"],
                password=data["password"],
                address=client_address(request),
            )
            accounts.login_complete(request=request, user=person.user, method="register")
            messages.success(request, _("Welcome! Your account is registered and you are signed in."))
            return HttpResponseRedirect(_next(request) or reverse("identity:account"))
        except DomainError as refused:
            error = refused
            form.add_domain_error(refused)
    phone = form.data.get("phone", "") if form.is_bound else ""
    return _render(
        request,
        "register.html",
        {"form": form, "sandbox_code": _sandbox_code(phone) if phone else None},
        error,
    )


@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    """Forgotten password: a code to the registered phone, then a new password."""
    action = request.POST.get("action", "")
    form = PasswordResetForm(request.POST or None, sending=action == "sms_send")
    error = None
    if action == "sms_send":
        error = _code_send(request, form, SmsPurpose.PASSWORD_RESET)
    elif request.method == "POST" and form.is_valid():
        try:
            accounts.password_reset(
                phone=form.cleaned_data["phone"],
                sms_code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password"],
            )
            messages.success(request, _("Your password is reset. Sign in with the new password."))
            return redirect("identity:login")
        except DomainError as refused:
            error = refused
            form.add_domain_error(refused)
    phone = form.data.get("phone", "") if form.is_bound else ""
    return _render(
        request,
        "password_reset.html",
        {"form": form, "sandbox_code": _sandbox_code(phone) if phone else None},
        error,
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    error = None
    if form.is_valid():
        try:
            accounts.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key or "",
            )
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Your password is changed. Other browsers have been signed out."))
            return redirect("identity:sessions")
        except DomainError as refused:
            error = refused
            form.add_domain_error(refused)
    return _render(request, "password_change.html", {"form": form}, error)


@login_required
@require_http_methods(["GET", "POST"])
def sessions_view(request: HttpRequest) -> HttpResponse:
    """My signed-in browsers: end one, or every one but this."""
    current = request.session.session_key or ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "end_others":
                count = sessions.sessions_end_others(user=request.user, keep_session_key=current)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d other browser signed out.", "%(count)d other browsers signed out.", count
                    )
                    % {"count": count},
                )
            else:
                sessions.session_end(user=request.user, session_id=request.POST.get("session_id", ""))
                messages.success(request, _("That browser is signed out."))
        except DomainError as refused:
            response = _render(
                request,
                "sessions.html",
                {
                    "rows": selectors.session_rows(user=request.user, current_key=current),
                    "error": refused.message,
                },
            )
            response.status_code = refused.status
            return response
        return redirect("identity:sessions")
    return _render(
        request, "sessions.html", {"rows": selectors.session_rows(user=request.user, current_key=current)}
    )
