from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from onewindow.catalogue.models import Audience, Bundle
from onewindow.catalogue.public_cache import public_generation
from onewindow.catalogue.public_pages import public_page
from onewindow.catalogue.selectors import items_published, themes_list
from onewindow.core.context_processors import LARGE_TEXT_COOKIE
from onewindow.organisations.selectors import departments_list

# A portal page lists a bounded number of records; the API pages through the rest.
SEARCH_MAX_RESULTS = 50
HOME_POPULAR = 8


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    """The citizen portal's front page: what people apply for most, life events, themes, and departments
    grouped by region, each leading into the service catalogue."""
    # Everything below is lazy (querysets, callables): the page's lists are a fragment cached under the
    # catalogue's publication generation (home.html), and a cached fragment reads none of them. Rendering
    # them (some ninety {% url %} tags) was 91 % of the view (issue #18).
    themes = SimpleLazyObject(lambda: list(themes_list()))
    return render(
        request,
        "portal/home.html",
        {
            "public_generation": public_generation(),
            "departments": departments_list()[:60],
            "popular": items_published()[:HOME_POPULAR],
            "bundles": Bundle.objects.filter(is_published=True)[:HOME_POPULAR],
            "person_themes": SimpleLazyObject(lambda: [t for t in themes if t.audience == Audience.PERSON]),
            "company_themes": SimpleLazyObject(lambda: [t for t in themes if t.audience == Audience.COMPANY]),
        },
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search departments by name, short name or credit code."""
    q = (request.GET.get("q") or "").strip()[:100]
    departments = list(departments_list(q=q)[:SEARCH_MAX_RESULTS]) if q else []
    return render(request, "portal/search.html", {"q": q, "departments": departments})


@require_POST
def large_text(request: HttpRequest) -> HttpResponse:
    """Switch the elderly-friendly large-text mode on or off (a cookie, so it works without signing in)."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("on") == "1":
        response.set_cookie(
            LARGE_TEXT_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE)
    return response
