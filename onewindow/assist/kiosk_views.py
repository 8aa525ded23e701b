"""Kiosk mode (自助终端): the hall's self-service machines — large touch targets, the main flows only (find a
service and print its guide, track a case, sign in with the ID card and print one's notices), and an
automatic sign-out after inactivity (middleware.KioskIdleMiddleware on the server, static/assist/kiosk.js in
the browser)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.assist.forms import SandboxCardForm, TrackForm
from onewindow.assist.middleware import KIOSK_SESSION_KEY, kiosk_session_end, kiosk_session_start
from onewindow.cases import selectors as case_selectors
from onewindow.cases.notices import notice_links
from onewindow.catalogue import search as catalogue_search
from onewindow.catalogue.selectors import item_published_get, items_published
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.plugins import plugin
from onewindow.core.ratelimit import client_address
from onewindow.identity.card_readers import SandboxIdCardReader
from onewindow.identity.services.card_login import login_with_id_card

TERMINAL_COOKIE = "ow_kiosk_terminal"
RESULTS = 12
MY_CASES = 10


def _terminal(request: HttpRequest) -> str:
    """Which machine this is: set when the machine is installed (a cookie), else the hall's default."""
    return (request.COOKIES.get(TERMINAL_COOKIE) or "kiosk-1")[:40]


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "kiosk_idle_seconds": settings.ONEWINDOW_KIOSK_IDLE_SECONDS,
        "kiosk_signed_in": request.user.is_authenticated and KIOSK_SESSION_KEY in request.session,
        **extra,
    }


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, f"assist/kiosk/{template}", _context(request, **context), status=status)
    # A shared machine: nothing personal stays in the browser's cache for the next person.
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "HEAD"])
def home(request: HttpRequest) -> HttpResponse:
    """The start screen: a few large choices."""
    return _render(request, "home.html", {"ended": request.GET.get("ended") == "idle"})


@require_http_methods(["GET", "HEAD"])
def services(request: HttpRequest) -> HttpResponse:
    """Find a service: search, or the most asked-for ones."""
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        result = catalogue_search.search_catalogue(q, RESULTS)
        refs = [hit.ref for hit in result.hits if hit.kind == "item"]
        found = {i.implementation_code: i for i in items_published().filter(implementation_code__in=refs)}
        items = [found[ref] for ref in refs if ref in found]
    else:
        items = list(items_published()[:RESULTS])
    return _render(request, "services.html", {"q": q, "items": items})


@require_http_methods(["GET", "HEAD"])
def guide(request: HttpRequest, code: str) -> HttpResponse:
    """A guide in large print, with a button that prints it (the same guide as the PDF)."""
    try:
        item = item_published_get(implementation_code=code)
    except NotFound:
        raise Http404 from None
    version = item.published_version
    assert version is not None  # item_published_get finds published items only
    materials = [m for m in version.materials.all() if m.asked_as_upload]
    return _render(request, "guide.html", {"item": item, "version": version, "materials": materials})


@require_http_methods(["GET", "HEAD", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Track a case with its number and query password (全程一码), as on the portal."""
    form = TrackForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["case_number"].strip()
        try:
            case_selectors.tracking_attempt_hit(number, address=client_address(request))
            context["tracking"] = case_selectors.case_track(
                case_number=number, password=form.cleaned_data["password"]
            )
        except DomainError as refused:
            context["error"] = refused.message
            status = refused.status
    return _render(request, "track.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def card(request: HttpRequest) -> HttpResponse:
    """Sign in with the ID card on the machine's reader."""
    sandbox = isinstance(plugin("id_card_reader"), SandboxIdCardReader)
    context: dict[str, Any] = {"sandbox": sandbox, "card_form": SandboxCardForm(prefix="card")}
    status = 200
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "sandbox_card" and sandbox:
        form = SandboxCardForm(request.POST, prefix="card")
        context["card_form"] = form
        if form.is_valid():
            try:
                SandboxIdCardReader.place(terminal=_terminal(request), **form.cleaned_data)
            except DomainError as error:
                form.add_error("id_number", error.message)
            else:
                return redirect("kiosk:card")
        status = 400
    elif step == "read":
        try:
            login_with_id_card(request=request, terminal=_terminal(request))
        except DomainError as error:
            context["error"] = error.message
            status = error.status
        else:
            kiosk_session_start(request)
            return redirect("kiosk:mine")
    return _render(request, "card.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in resident's latest cases, each with its notices to print."""
    if not (request.user.is_authenticated and KIOSK_SESSION_KEY in request.session):
        return redirect("kiosk:card")
    cases = list(case_selectors.cases_for_applicant(user=request.user, top_level=True)[:MY_CASES])
    rows = [{"case": case, "notices": notice_links(case)} for case in cases]
    return _render(request, "mine.html", {"rows": rows})


@require_POST
def end(request: HttpRequest) -> HttpResponse:
    """ "退出" or the idle timer: the session ends and the machine is back at its start screen."""
    timed_out = request.POST.get("reason") == "idle"
    if KIOSK_SESSION_KEY in request.session or request.user.is_authenticated:
        kiosk_session_end(request)
    if not timed_out:
        messages.info(request, gettext("You have signed out. Please take your ID card."))
    return redirect(reverse("kiosk:home") + ("?ended=idle" if timed_out else ""))
