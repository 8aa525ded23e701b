"""The personal space 我的待办: what is due for the signed-in person, with links to apply, and their choices
of reminders per kind."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.proactive import selectors, services
from onewindow.proactive.forms import PreferenceForm

PAGE_SIZE = 20


@login_required
def due(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.recommendations_due(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    preferences = selectors.preferences_of(user=request.user)
    return render(request, "proactive/due.html", {"page": page, "preferences": preferences})


@login_required
@require_POST
def preference(request: HttpRequest, kind: str) -> HttpResponse:
    form = PreferenceForm(request.POST)
    form.is_valid()
    try:
        services.preference_set(
            actor=request.user,
            kind=kind,
            in_site=bool(form.cleaned_data.get("in_site")),
            sms=bool(form.cleaned_data.get("sms")),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your reminder choices have been saved."))
    return redirect("proactive:due")


@login_required
@require_POST
def dismiss(request: HttpRequest, recommendation_id: str) -> HttpResponse:
    with refusals_as_http():
        services.recommendation_dismiss(actor=request.user, recommendation_id=recommendation_id)
    messages.success(request, _("The reminder has been removed from your list."))
    return redirect("proactive:due")
