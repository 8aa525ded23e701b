"""我的账户 → 委托代理 (行政许可法 art. 29): authorise another person to apply in my name, see what they did,
revoke; and, as an agent, switch to acting in a principal's name."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.core.errors import DomainError, NotFound
from onewindow.identity.models import PERSON_AGENCY_SCOPES, AgencyScope, Person
from onewindow.identity.selectors import (
    person_agency_get_for_actor,
    person_agents_of,
    person_principals_of,
)
from onewindow.identity.services.representation import (
    person_act_for_person,
    person_agency_grant,
    person_agency_revoke,
)
from onewindow.identity.views_profile import (
    _safe_next,
    agency_grant_from_form,
    agency_revoke_with_message,
    person_required,
)

# The company scopes' labels speak of a company; a person's agent acts for the person.
PERSON_SCOPE_LABELS = {
    AgencyScope.APPLY: _("apply for services and submit materials in my name"),
    AgencyScope.TRACK: _("track my cases and receive notices"),
    AgencyScope.LICENCES: _("view and use my e-licences"),
}


class PersonAgencyGrantForm(forms.Form):
    agent = forms.CharField(
        label=_("Your agent's mobile phone or citizen ID number"),
        max_length=18,
        help_text=_("Your agent must have registered and verified their identity (L2)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the agent may do in my name"),
        choices=[(scope.value, PERSON_SCOPE_LABELS[scope]) for scope in PERSON_AGENCY_SCOPES],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        help_text=_("At most three years from today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _labelled(rows: Any) -> list[Any]:
    rows = list(rows)
    for row in rows:
        row.scope_labels = [str(PERSON_SCOPE_LABELS[s]) for s in row.scopes if s in PERSON_SCOPE_LABELS]
    return rows


@require_http_methods(["GET", "HEAD", "POST"])
@person_required
def representatives(request: HttpRequest, person: Person) -> HttpResponse:
    """My agents (委托代理人): grant, list with everything they did in my name, revoke."""
    form = PersonAgencyGrantForm(request.POST or None)
    agency, status = agency_grant_from_form(
        request, form, partial(person_agency_grant, principal_user=request.user)
    )
    if agency is not None:
        messages.success(request, _("%(agent)s may now act in your name.") % {"agent": agency.agent})
        return redirect("identity:representatives")
    return render(
        request,
        "identity/profile/representatives.html",
        {
            "person": person,
            "form": form,
            "agents": _labelled(person_agents_of(person=person)),
            "principals": _labelled(person_principals_of(person=person)),
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@person_required
def representative_revoke(request: HttpRequest, person: Person, agency_id: Any) -> HttpResponse:
    agency = person_agency_get_for_actor(user=request.user, agency_id=agency_id)
    agency_revoke_with_message(request, partial(person_agency_revoke, actor=request.user, agency=agency))
    return redirect("identity:representatives")


@require_POST
@person_required
def act_for_person(request: HttpRequest, person: Person) -> HttpResponse:
    """Switch between acting for myself and in the name of a person who authorised me."""
    principal_id = request.POST.get("principal") or ""
    principal = None
    try:
        if principal_id:
            principal = Person.objects.select_related("user").filter(pk=uuid.UUID(principal_id)).first()
            if principal is None:
                raise NotFound("未找到该委托人。")
        person_act_for_person(person=person, principal=principal)
    except (NotFound, ValueError):
        messages.error(request, _("You cannot act for that person."))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if principal is None:
            messages.success(request, _("You are now acting for yourself."))
        else:
            messages.success(request, _("You are now acting in the name of %(name)s.") % {"name": principal})
    return redirect(_safe_next(request) or reverse("identity:account"))
