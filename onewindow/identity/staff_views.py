"""身份核验 for staff at a service window: find a person by exact phone or ID number, see them masked, see a
full identifier only with a reason (kept for the person), and raise a person to L4 after checking their ID card."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.identity.models import Person
from onewindow.identity.selectors import (
    person_find_for_staff,
    person_get_for_staff,
    staff_may_look_up,
    verifications_of,
)
from onewindow.identity.services.personal_data import person_identifier_reveal
from onewindow.identity.services.verification import person_verify_at_counter
from onewindow.identity.views_profile import form_apply_error
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_has_role

FIELD_LABELS = {"id_number": _("Citizen ID number"), "phone": _("Mobile phone")}


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("Identifier"), choices=list(FIELD_LABELS.items()))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("At least 4 characters. The person can read it under “Who viewed my data”."),
    )


class CounterVerifyForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number on the card presented"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    document_checked = forms.BooleanField(
        label=_("I have checked the original resident ID card and the person in front of me"), required=False
    )


def staff_lookup_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff holding a role in a department; others 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_may_look_up(user=request.user):
            raise HttpForbidden
        with refusals_as_http():
            return view(request, *args, **kwargs)

    return wrapped


def _person_param(request: HttpRequest) -> Person | None:
    raw = request.POST.get("person") or request.GET.get("person") or ""
    try:
        person_id = uuid.UUID(raw)
    except ValueError:
        return None
    return person_get_for_staff(user=request.user, person_id=person_id)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_lookup_required
def lookup(request: HttpRequest) -> HttpResponse:
    """Find a person and, at the window, reveal an identifier with a reason or verify them in person."""
    # The identifier is posted, never put in a URL: URLs end up in access logs and browser history.
    query = (request.POST.get("q") or "").strip() if request.POST.get("action") == "find" else ""
    if query:
        found = person_find_for_staff(user=request.user, identifier=query)
        if found is not None:
            return redirect(reverse("identity_staff:lookup") + "?" + urlencode({"person": str(found.pk)}))
    person = None if query else _person_param(request)
    reveal_form, counter_form = RevealForm(), CounterVerifyForm()
    revealed: dict[str, str] | None = None
    status = 200
    if request.method == "POST" and person is not None:
        action = request.POST.get("action")
        if action == "reveal":
            reveal_form = RevealForm(request.POST)
            if reveal_form.is_valid():
                try:
                    value = person_identifier_reveal(
                        viewer=request.user,
                        person=person,
                        field=reveal_form.cleaned_data["field"],
                        reason=reveal_form.cleaned_data["reason"],
                    )
                except DomainError as error:
                    form_apply_error(reveal_form, error)
                    status = 400
                else:
                    revealed = {
                        "field": str(FIELD_LABELS[reveal_form.cleaned_data["field"]]),
                        "value": value,
                    }
                    reveal_form = RevealForm()
            else:
                status = 400
        elif action == "counter":
            counter_form = CounterVerifyForm(request.POST)
            if counter_form.is_valid():
                try:
                    person_verify_at_counter(
                        clerk=request.user,
                        person=person,
                        id_number=counter_form.cleaned_data["id_number"],
                        document_checked=counter_form.cleaned_data["document_checked"],
                    )
                except DomainError as error:
                    if error.status == 403:
                        raise
                    form_apply_error(counter_form, error)
                    status = 400 if error.status < 500 else error.status
                else:
                    messages.success(request, _("Verified in person: the account is now at level L4."))
                    return redirect(
                        reverse("identity_staff:lookup") + "?" + urlencode({"person": str(person.pk)})
                    )
            else:
                status = 400
    response = render(
        request,
        "identity/staff/lookup.html",
        {
            "query": query,
            "person": person,
            "verifications": verifications_of(person=person)[:10] if person else [],
            "reveal_form": reveal_form,
            "counter_form": counter_form,
            "revealed": revealed,
            "is_window_clerk": staff_has_role(user=request.user, role=Role.WINDOW_CLERK),
        },
        status=status,
    )
    # A revealed identifier is shown once: never kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response
