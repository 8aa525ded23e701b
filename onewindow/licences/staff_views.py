"""The issuing department's licence pages on the workbench: the licences it issued (search, status filter),
one licence with its events and lifecycle actions (approvers and department administrators), and the
department's licence types and signing keys (department administrators)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onewindow.core.errors import DomainError
from onewindow.core.errors import PermissionDenied as DomainPermissionDenied
from onewindow.core.view_helpers import refusals_as_http
from onewindow.licences import selectors, services
from onewindow.licences.forms import (
    ChangeForm,
    LicenceTypeForm,
    LiftForm,
    RenewForm,
    RevokeForm,
    SigningKeyForm,
    SuspendForm,
)
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.licences.services._common import ADMIN_ROLES
from onewindow.organisations.models import Department

LICENCES_PER_PAGE = 25


def licence_staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in staff of some department; domain refusals become 403 / 404 pages."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.staff_licence_departments(user=request.user).exists():
            raise PermissionDenied
        with refusals_as_http():
            return view(request, *args, **kwargs)

    return wrapper


def _department(request: HttpRequest, *, admin: bool = False) -> tuple[Department, list[Department]]:
    """The department the page is about (``?department=``, else the first), among the user's departments."""
    if admin:
        departments = list(selectors.staff_departments(user=request.user, roles=ADMIN_ROLES))
    else:
        departments = list(selectors.staff_licence_departments(user=request.user))
    if not departments:
        raise PermissionDenied
    wanted = request.GET.get("department") or request.POST.get("department") or ""
    for department in departments:
        if str(department.pk) == wanted:
            return department, departments
    if wanted:
        raise PermissionDenied
    return departments[0], departments


# --- the list --------------------------------------------------------------------------------------------


@licence_staff_required
def licence_list(request: HttpRequest) -> HttpResponse:
    """The licences the department issued, newest first; searchable by number, identifier or holder."""
    department, departments = _department(request)
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    licences = selectors.department_licences(user=request.user, department=department, q=q, status=status)
    page = Paginator(licences, LICENCES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "licences/staff/list.html",
        {
            "department": department,
            "departments": departments,
            "q": q,
            "status": status if status in LicenceStatus.values else "",
            "statuses": LicenceStatus.choices,
            "page": page,
            "query": query.urlencode(),
            "may_manage": selectors.user_may_manage(user=request.user, department=department),
        },
    )


# --- one licence -----------------------------------------------------------------------------------------

ACTION_FORMS: dict[str, type[django_forms.Form]] = {
    "suspend": SuspendForm,
    "lift": LiftForm,
    "revoke": RevokeForm,
    "renew": RenewForm,
    "change": ChangeForm,
}
ACTION_TITLES = {
    "suspend": (_("Suspend"), _("Suspend the licence")),
    "lift": (_("Lift the suspension"), _("Lift the suspension")),
    "revoke": (_("Revoke or cancel"), _("Revoke the licence")),
    "renew": (_("Renew"), _("Issue the renewed licence")),
    "change": (_("Change the face fields"), _("Issue the changed licence")),
}
DONE_MESSAGES = {
    "suspend": _("The licence was suspended."),
    "lift": _("The suspension was lifted."),
    "revoke": _("The licence was revoked."),
    "renew": _("The renewed licence was issued; the previous one is superseded."),
    "change": _("The changed licence was issued; the previous one is superseded."),
}


def _allowed_actions(licence: Licence, may_act: bool) -> list[str]:
    """What the page offers for the licence's state (the services decide again)."""
    if not may_act:
        return []
    return {
        LicenceStatus.VALID: ["change", "renew", "suspend", "revoke"],
        LicenceStatus.SUSPENDED: ["lift", "revoke"],
        LicenceStatus.EXPIRED: ["renew", "revoke"],
    }.get(LicenceStatus(licence.status), [])


def _form(licence: Licence, action: str, data: Any = None) -> django_forms.Form:
    if action == "change":
        return ChangeForm(data, licence_type=licence.licence_type, face=licence.face)
    return ACTION_FORMS[action](data)


def _licence_page(
    request: HttpRequest,
    licence: Licence,
    *,
    bound: tuple[str, django_forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    may_act = selectors.user_may_act(user=request.user, department=licence.issuer)
    actions = _allowed_actions(licence, may_act)
    forms = {action: _form(licence, action) for action in actions}
    if bound is not None:
        forms[bound[0]] = bound[1]
        if bound[0] not in actions:  # refused because the state changed: show why on the form that was sent
            actions.append(bound[0])
    panels = [
        {
            "action": action,
            "form": forms[action],
            "title": ACTION_TITLES[action][0],
            "button": ACTION_TITLES[action][1],
        }
        for action in actions
    ]
    face_labels = {
        str(f.get("key")): str(f.get("label") or f.get("key"))
        for f in licence.licence_type.face_fields
        if isinstance(f, dict)
    }
    return render(
        request,
        "licences/staff/detail.html",
        {
            "licence": licence,
            "verification": selectors.verification_of(licence),
            "holder_code": selectors.holder_code_masked(licence),
            "face": [(face_labels.get(key, key), value) for key, value in licence.face.items()],
            "events": list(licence.events.select_related("actor").order_by("at", "created_at")),
            "successors": list(licence.successors.only("id", "identifier", "version")),
            "panels": panels,
        },
        status=status,
    )


@licence_staff_required
def licence_detail(request: HttpRequest, licence_id: Any) -> HttpResponse:
    """A licence as its issuing department sees it, with its events and the lifecycle actions."""
    licence = selectors.staff_licence_get(user=request.user, licence_id=licence_id)
    return _licence_page(request, licence)


def _act(request: HttpRequest, licence: Licence, action: str, form: Any) -> Licence:
    data, user = form.cleaned_data, request.user
    if action == "suspend":
        return services.licence_suspend(
            licence=licence, actor=user, reason=data["reason"], basis=data["basis"]
        )
    if action == "lift":
        return services.licence_suspension_lift(
            licence=licence, actor=user, reason=data["reason"], basis=data["basis"]
        )
    if action == "revoke":
        return services.licence_revoke(
            licence=licence, actor=user, reason=data["reason"], basis=data["basis"]
        )
    if action == "renew":
        return services.licence_renew(
            licence=licence, actor=user, valid_from=data["valid_from"], reason=data["reason"]
        )
    assert action == "change"
    return services.licence_change(licence=licence, actor=user, face=form.face(), reason=data["reason"])


@require_POST
@never_cache
@licence_staff_required
def licence_action(request: HttpRequest, licence_id: Any, action: str) -> HttpResponse:
    """One lifecycle action; a refusal is shown on its form with the service's status (403, 409 …)."""
    licence = selectors.staff_licence_get(user=request.user, licence_id=licence_id)
    if action not in ACTION_FORMS:
        raise Http404
    if not selectors.user_may_act(user=request.user, department=licence.issuer):
        raise PermissionDenied(_("Only the issuing department's approvers and administrators may do this."))
    form = _form(licence, action, request.POST)
    if not form.is_valid():
        return _licence_page(request, licence, bound=(action, form), status=400)
    try:
        result = _act(request, licence, action, form)
    except DomainPermissionDenied:
        raise
    except DomainError as error:
        form.add_error(None, error.message)
        fresh = selectors.staff_licence_get(user=request.user, licence_id=licence_id)
        return _licence_page(request, fresh, bound=(action, form), status=error.status)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("licence_staff:licence_detail", licence_id=result.pk)


# --- licence types and signing keys ----------------------------------------------------------------------


def _types_page(
    request: HttpRequest,
    department: Department,
    departments: list[Department],
    form: LicenceTypeForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "licences/staff/types.html",
        {
            "department": department,
            "departments": departments,
            "types": list(selectors.department_licence_types(department=department)),
            "form": form,
        },
        status=status,
    )


@never_cache
@licence_staff_required
def licence_types(request: HttpRequest) -> HttpResponse:
    """The department's licence types; its administrators create new ones here."""
    department, departments = _department(request, admin=True)
    if request.method != "POST":
        return _types_page(request, department, departments, LicenceTypeForm())
    form = LicenceTypeForm(request.POST)
    if not form.is_valid():
        return _types_page(request, department, departments, form, status=400)
    data = form.cleaned_data
    try:
        created = services.licence_type_create(
            department=department,
            code=data["code"],
            name=data["name"],
            face_fields=data["face_fields"],
            validity_years=data["validity_years"],
            reminder_days=data["reminder_days"],
            actor=request.user,
        )
    except DomainPermissionDenied:
        raise
    except DomainError as error:
        form.add_error(None, error.message)
        for problem in error.problems:
            form.add_error(None, f"{problem.row or ''} {problem.message}".strip())
        return _types_page(request, department, departments, form, status=error.status)
    messages.success(request, _("The licence type %(name)s was created.") % {"name": created.name})
    return redirect(f"{reverse('licence_staff:types')}?department={department.pk}")


@require_POST
@never_cache
@licence_staff_required
def licence_type_toggle(request: HttpRequest, type_id: Any) -> HttpResponse:
    """Stop or resume issuing a type."""
    department, _departments = _department(request, admin=True)
    licence_type = selectors.department_licence_types(department=department).filter(pk=type_id).first()
    if licence_type is None:
        raise Http404
    services.licence_type_activate(
        licence_type=licence_type, active=request.POST.get("active") == "1", actor=request.user
    )
    return redirect(f"{reverse('licence_staff:types')}?department={department.pk}")


def _keys_page(
    request: HttpRequest,
    department: Department,
    departments: list[Department],
    form: SigningKeyForm,
    status: int = 200,
) -> HttpResponse:
    keys = list(selectors.department_signing_keys(department=department))
    return render(
        request,
        "licences/staff/keys.html",
        {
            "department": department,
            "departments": departments,
            "keys": keys,
            "active_algorithms": {key.algorithm for key in keys if key.status == "active"},
            "form": form,
        },
        status=status,
    )


@never_cache
@licence_staff_required
def signing_keys(request: HttpRequest) -> HttpResponse:
    """The department's signing keys; its administrators create a first key or rotate one here."""
    department, departments = _department(request, admin=True)
    if request.method != "POST":
        return _keys_page(request, department, departments, SigningKeyForm())
    form = SigningKeyForm(request.POST)
    if not form.is_valid():
        return _keys_page(request, department, departments, form, status=400)
    algorithm = form.cleaned_data["algorithm"]
    rotate = request.POST.get("rotate") == "1"
    try:
        if rotate:
            key = services.signing_key_rotate(department=department, algorithm=algorithm, actor=request.user)
        else:
            key = services.signing_key_create(department=department, algorithm=algorithm, actor=request.user)
    except DomainPermissionDenied:
        raise
    except DomainError as error:
        form.add_error(None, error.message)
        return _keys_page(request, department, departments, form, status=error.status)
    if rotate:
        messages.success(
            request, _("The key was rotated; new licences are signed with %(key)s.") % {"key": key.key_id}
        )
    else:
        messages.success(request, _("The signing key %(key)s was created.") % {"key": key.key_id})
    return redirect(f"{reverse('licence_staff:keys')}?department={department.pk}")
