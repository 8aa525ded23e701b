"""我的账户: a signed-in person's identity and assurance level, identity verification (step-up), the companies
they represent and their agents, whom they act for, their personal data and who looked at it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, time
from functools import partial, wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.core.errors import DomainError, NotFound
from onewindow.core.plugins import plugin
from onewindow.core.view_helpers import refusals_as_http
from onewindow.identity.models import AgencyScope, AssuranceLevel, Person
from onewindow.identity.selectors import (
    LEVEL_ALLOWS,
    acting_for_choices,
    agencies_of,
    agency_get_for_actor,
    companies_represented,
    company_agents,
    company_may_manage_agents,
    company_related_get,
    data_views_of,
    person_agents_of,
    person_of,
    person_principals_of,
    verifications_of,
)
from onewindow.identity.services.companies import (
    agency_grant,
    agency_revoke,
    company_register,
    person_act_for,
)
from onewindow.identity.services.personal_data import person_data_export
from onewindow.identity.services.verification import person_verify_face, person_verify_online


class VerifyOnlineForm(forms.Form):
    name = forms.CharField(label=_("Name (as on your ID card)"), max_length=100)
    id_number = forms.CharField(
        label=_("Citizen ID number"),
        max_length=18,
        min_length=18,
        help_text=_("18 characters; the last one may be X."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )


class VerifyFaceForm(forms.Form):
    evidence = forms.CharField(
        label=_("Face check result"),
        max_length=4000,
        help_text=_("Filled in by the face-capture app on your phone."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class CompanyRegisterForm(forms.Form):
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        help_text=_("18 characters, as on the business licence."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AgencyGrantForm(forms.Form):
    agent = forms.CharField(
        label=_("Agent's mobile phone or citizen ID number"),
        max_length=18,
        help_text=_("The agent must have registered and verified their identity (L2)."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the agent may do"), choices=AgencyScope.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        help_text=_("At most three years from today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def form_apply_error(form: forms.Form, error: DomainError) -> None:
    """Show a refusal on the form: each problem next to its field, anything else at the top."""
    placed = False
    for problem in error.problems:
        if problem.field in form.fields:
            form.add_error(problem.field, str(problem.message))
            placed = True
    if not placed:
        form.add_error(None, str(error.message))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


def person_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in, with a citizen profile (a staff-only account has none); NotFound and PermissionDenied from
    selectors and services become 404 and 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = person_of(request.user)
        if person is None:
            return render(request, "identity/profile/no_person.html", status=403)
        with refusals_as_http():
            return view(request, person, *args, **kwargs)

    return wrapped


def _labelled(agencies: Any) -> list[Any]:
    """Agencies with ``scope_labels`` for display (the stored scopes are codes)."""
    rows = list(agencies)
    for agency in rows:
        agency.scope_labels = [str(AgencyScope(s).label) for s in agency.scopes if s in AgencyScope.values]
    return rows


@require_safe
@person_required
def account(request: HttpRequest, person: Person) -> HttpResponse:
    """我的账户: who I am, how well verified, whom I act for, my companies and my personal data."""
    return render(
        request,
        "identity/profile/account.html",
        {
            "person": person,
            "level_label": AssuranceLevel(person.assurance_level).label,
            "level_allows": LEVEL_ALLOWS[AssuranceLevel(person.assurance_level)],
            "levels": [(level, level.label, LEVEL_ALLOWS[level]) for level in AssuranceLevel],
            "can_step_up": person.assurance_level < AssuranceLevel.L3,
            "acting_choices": acting_for_choices(person=person),
            "principal_choices": list(person_principals_of(person=person)),
            "my_agents": list(person_agents_of(person=person)),
            "companies": companies_represented(person=person),
            "agencies": _labelled(agencies_of(person=person)),
            "data_view_count": data_views_of(person=person).count(),
            "sessions_url": reverse("identity:sessions"),
            "password_change_url": reverse("identity:password_change"),
            "now": timezone.now(),
        },
    )


def _target_level(request: HttpRequest) -> int:
    try:
        return min(max(int(request.POST.get("level") or request.GET.get("level") or 0), 0), AssuranceLevel.L4)
    except ValueError:
        return 0


@require_http_methods(["GET", "HEAD", "POST"])
@person_required
def verify(request: HttpRequest, person: Person) -> HttpResponse:
    """Raise my level online: name and ID number against the registry (L2), then a face check (L3)."""
    next_url, target = _safe_next(request), _target_level(request)
    online = VerifyOnlineForm(initial={"name": person.user.name, "id_number": person.id_number})
    face = VerifyFaceForm()
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        form: forms.Form = (
            VerifyOnlineForm(request.POST) if step == "registry" else VerifyFaceForm(request.POST)
        )
        if step == "registry":
            online = form  # type: ignore[assignment]
        else:
            face = form  # type: ignore[assignment]
        if form.is_valid():
            try:
                if step == "registry":
                    person_verify_online(
                        person=person,
                        name=form.cleaned_data["name"],
                        id_number=form.cleaned_data["id_number"],
                    )
                else:
                    person_verify_face(person=person, evidence=form.cleaned_data["evidence"])
            except DomainError as error:
                form_apply_error(form, error)
                status = error.status if error.status in (409, 429, 503) else 400
            else:
                person.refresh_from_db()
                messages.success(
                    request,
                    _("Identity verified: your account is now at level L%(level)s.")
                    % {"level": person.assurance_level},
                )
                # L4 cannot be reached online: once L3 is done, back to the service, which explains the rest.
                if next_url and person.assurance_level >= min(target, AssuranceLevel.L3):
                    return redirect(next_url)
                query = urlencode({k: v for k, v in (("next", next_url), ("level", target or "")) if v})
                return redirect(reverse("identity:verify") + (f"?{query}" if query else ""))
        else:
            status = 400
    verifier = plugin("identity_verifier")
    return render(
        request,
        "identity/profile/verify.html",
        {
            "person": person,
            "online_form": online,
            "face_form": face,
            "next": next_url,
            "target": target,
            "sandbox_face_token": getattr(verifier, "FACE_TOKEN", ""),
            "verifications": verifications_of(person=person)[:10],
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@person_required
def companies(request: HttpRequest, person: Person) -> HttpResponse:
    """Register a company I am the legal representative of; the companies I represent or work for."""
    form = CompanyRegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                company = company_register(person=person, credit_code=form.cleaned_data["credit_code"])
            except DomainError as error:
                form_apply_error(form, error)
                status = 400 if error.status < 500 else error.status
            else:
                messages.success(
                    request,
                    _("%(name)s is registered. You can now authorise agents.") % {"name": company.name},
                )
                return redirect("identity:agents", company_id=company.pk)
        else:
            status = 400
    return render(
        request,
        "identity/profile/companies.html",
        {
            "person": person,
            "form": form,
            "companies": companies_represented(person=person),
            "agencies": _labelled(agencies_of(person=person)),
            "now": timezone.now(),
        },
        status=status,
    )


def _end_of_day(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def agency_grant_from_form(
    request: HttpRequest, form: forms.Form, grant: Callable[..., Any]
) -> tuple[Any, int]:
    """Run a grant form (a company's agent or a person's): on a valid POST call ``grant(agent_identifier=,
    scopes=, expires_at=)``. Returns the agency made (or None) and the status to render with: 400 for a bad
    form, the refusal's own 403 or 409, else 400."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        agency = grant(
            agent_identifier=form.cleaned_data["agent"],
            scopes=form.cleaned_data["scopes"],
            expires_at=_end_of_day(form.cleaned_data["expires_on"]),
        )
    except DomainError as error:
        form_apply_error(form, error)
        return None, error.status if error.status in (403, 409) else 400
    return agency, 200


def agency_revoke_with_message(request: HttpRequest, revoke: Callable[[], Any]) -> None:
    """Revoke an authorisation and say how it went (a refusal's message, or that it is revoked)."""
    try:
        revoke()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The authorisation has been revoked."))


@require_http_methods(["GET", "HEAD", "POST"])
@person_required
def agents(request: HttpRequest, person: Person, company_id: Any) -> HttpResponse:
    """A company's agents: who may act for it, in what scope and until when; grant and revoke."""
    company = company_related_get(user=request.user, company_id=company_id)
    rows = company_agents(user=request.user, company=company)
    form = AgencyGrantForm(request.POST or None)
    agency, status = agency_grant_from_form(
        request, form, partial(agency_grant, grantor_user=request.user, company=company)
    )
    if agency is not None:
        messages.success(request, _("%(agent)s is now authorised.") % {"agent": agency.agent})
        return redirect("identity:agents", company_id=company.pk)
    return render(
        request,
        "identity/profile/agents.html",
        {
            "person": person,
            "company": company,
            "agencies": _labelled(rows),
            "form": form,
            "now": timezone.now(),
        },
        status=status,
    )


@require_POST
@person_required
def agent_revoke(request: HttpRequest, person: Person, agency_id: Any) -> HttpResponse:
    agency = agency_get_for_actor(user=request.user, agency_id=agency_id)
    agency_revoke_with_message(request, partial(agency_revoke, actor=request.user, agency=agency))
    if company_may_manage_agents(person=person, company=agency.company):
        return redirect("identity:agents", company_id=agency.company_id)
    return redirect("identity:account")


@require_POST
@person_required
def act_for(request: HttpRequest, person: Person) -> HttpResponse:
    """Switch between acting for myself and for a company I represent or am an agent of."""
    company_id = request.POST.get("company") or ""
    try:
        company = (
            company_related_get(user=request.user, company_id=uuid.UUID(company_id)) if company_id else None
        )
        person_act_for(person=person, company=company)
    except (NotFound, ValueError):
        messages.error(request, _("You cannot act for that company."))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if company is None:
            messages.success(request, _("You are now acting for yourself."))
        else:
            messages.success(request, _("You are now acting for %(company)s.") % {"company": company.name})
    return redirect(_safe_next(request) or reverse("identity:account"))


@require_safe
@person_required
def data_export(request: HttpRequest, person: Person) -> HttpResponse:
    """Everything the platform holds about me, as a JSON file (the download is in the audit trail)."""
    content = json.dumps(person_data_export(person=person), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="my-data-{timezone.localdate().isoformat()}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@person_required
def data_views(request: HttpRequest, person: Person) -> HttpResponse:
    """Who saw my full ID number or phone number, when, from which department and why."""
    return render(
        request, "identity/profile/data_views.html", {"person": person, "views": data_views_of(person=person)}
    )
