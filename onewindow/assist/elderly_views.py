"""The elderly-friendly mode 长辈版 (适老化): a few large choices — the items older people need most, tracking,
a family member acting for them, and "请给我回电话" — instead of the full portal."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from onewindow.assist import selectors, services
from onewindow.assist.forms import CallbackForm
from onewindow.assist.models import FeaturedList
from onewindow.core.context_processors import LARGE_TEXT_COOKIE
from onewindow.core.errors import DomainError
from onewindow.core.ratelimit import client_address

# The mode stays on for a year on this browser; the standard site is one tap away.
COOKIE_MAX_AGE = 365 * 24 * 3600


@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    """长辈版 home: the featured items as big tiles, then tracking, family help and a call back."""
    response = render(
        request,
        "assist/elderly/home.html",
        {
            "featured": list(selectors.featured_items(listing=FeaturedList.ELDERLY)),
            "callback_form": CallbackForm(),
        },
    )
    # Entering the mode turns the large text on for the rest of the site too.
    response.set_cookie(
        LARGE_TEXT_COOKIE, "1", max_age=COOKIE_MAX_AGE, samesite="Lax", secure=request.is_secure()
    )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def callback(request: HttpRequest) -> HttpResponse:
    """请给我回电话: leave a name and phone number; staff call back on working days."""
    form = CallbackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.callback_request_create(
                    **form.cleaned_data, user=request.user, address=client_address(request)
                )
            except DomainError as error:
                for problem in error.problems:
                    form.add_error(problem.field if problem.field in form.fields else None, problem.message)
                if not error.problems:
                    form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(
                    request,
                    gettext("We have your request. Staff will call you back within one working day."),
                )
                return redirect("elderly:home")
        else:
            status = 400
    return render(request, "assist/elderly/callback.html", {"callback_form": form}, status=status)
