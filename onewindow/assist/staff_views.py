"""Workbench pages of a grassroots point (帮办代办) and the call-back list (请给我回电话)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from onewindow.assist import selectors, services
from onewindow.assist.forms import (
    AssistItemForm,
    CallbackCloseForm,
    ConsentForm,
    ResidentForm,
    SandboxCardForm,
)
from onewindow.assist.models import CallbackStatus, ConsentMethod
from onewindow.catalogue.forms_render import form_data_from_post, form_errors, schema_to_fields
from onewindow.core.errors import DomainError
from onewindow.core.plugins import plugin
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls.models import ServiceCentre
from onewindow.identity.card_readers import SandboxIdCardReader
from onewindow.identity.models import Person
from onewindow.identity.services.card_login import card_read

PAGE_SIZE = 25
RESIDENT_SESSION_KEY = "assist_resident"


def _terminal(request: HttpRequest, centre: ServiceCentre) -> str:
    """The reader on this staff member's counter at this point."""
    return f"point:{centre.pk}:{request.user.pk}"


def _sandbox_reader() -> bool:
    return isinstance(plugin("id_card_reader"), SandboxIdCardReader)


def _resident(request: HttpRequest, centre: ServiceCentre) -> Person | None:
    stored = request.session.get(RESIDENT_SESSION_KEY) or {}
    if stored.get("centre") != str(centre.pk) or not stored.get("person"):
        return None
    return Person.objects.select_related("user").filter(pk=str(stored["person"])).first()


@login_required
def points(request: HttpRequest) -> HttpResponse:
    """The grassroots points the staff member works; with one, straight to it."""
    mine = list(selectors.assist_points_of(user=request.user))
    if len(mine) == 1:
        return redirect("assist_staff:point", centre_id=mine[0].pk)
    if not mine:
        # Staff of other halls and departments work the call-back list here.
        return redirect("assist_staff:callbacks")
    return render(request, "assist/staff/points.html", {"points": mine})


@login_required
def point(request: HttpRequest, centre_id: Any) -> HttpResponse:
    """A point's page: its assisted filings, newest first, and the way to file for the next resident."""
    with refusals_as_http():
        centre = selectors.assist_point_get(user=request.user, centre_id=centre_id)
        filings = selectors.assisted_filings_of_point(user=request.user, centre=centre)
    page = Paginator(filings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assist/staff/point.html", {"centre": centre, "page_obj": page})


@sensitive_post_parameters()
@never_cache
@login_required
def file(request: HttpRequest, centre_id: Any) -> HttpResponse:
    """File for a resident: identify them by ID card, choose the item, fill the form and scan the materials,
    take their consent (signature or SMS code), submit in their name."""
    with refusals_as_http():
        centre = selectors.assist_point_get(user=request.user, centre_id=centre_id)
        return _file(request, centre)


def _file(request: HttpRequest, centre: ServiceCentre) -> HttpResponse:
    step = request.POST.get("step") if request.method == "POST" else None
    context: dict[str, Any] = {
        "centre": centre,
        "sandbox_reader": _sandbox_reader(),
        "resident_form": ResidentForm(),
        "card_form": SandboxCardForm(prefix="card"),
    }
    status = 200
    if step == "reset":
        request.session.pop(RESIDENT_SESSION_KEY, None)
        return redirect("assist_staff:file", centre_id=centre.pk)
    if step == "sandbox_card":
        form = SandboxCardForm(request.POST, prefix="card")
        if form.is_valid():
            try:
                SandboxIdCardReader.place(terminal=_terminal(request, centre), **form.cleaned_data)
            except DomainError as error:
                form.add_error("id_number", error.message)
            else:
                messages.info(
                    request, gettext("The card is on the simulated reader: press “Read the ID card”.")
                )
                return redirect("assist_staff:file", centre_id=centre.pk)
        context["card_form"] = form
        return render(request, "assist/staff/file.html", context, status=400)
    if step == "read_card":
        try:
            card = card_read(terminal=_terminal(request, centre))
        except DomainError as error:
            context["card_error"] = error.message
            return render(request, "assist/staff/file.html", context, status=error.status)
        context["resident_form"] = ResidentForm(
            initial={"name": card.name, "id_number": card.id_number, "document_checked": True}
        )
        context["card_read"] = True
        return render(request, "assist/staff/file.html", context)
    if step == "identify":
        return _identify(request, centre, context)
    person = _resident(request, centre)
    context["person"] = person
    if person is None:
        return render(request, "assist/staff/file.html", context)
    items = selectors.assist_items()
    item_form = AssistItemForm(
        request.POST if step in {"file", "sms_send"} else request.GET or None, items=items
    )
    context["item_form"] = item_form
    item = item_form.cleaned_data["item"] if item_form.is_bound and item_form.is_valid() else None
    if item is None:
        return render(request, "assist/staff/file.html", context)
    version = item.published_version
    posted = step in {"file", "sms_send"}
    data = form_data_from_post(version.form_schema or {}, request.POST) if posted else {}
    errors = form_errors(version.form_schema or {}, data) if step == "file" else {}
    materials = [m for m in version.materials.all() if m.asked_as_upload]
    consent_form = ConsentForm(
        request.POST if posted else None, initial={"consent_method": ConsentMethod.SIGNATURE}
    )
    if step == "sms_send":
        try:
            services.assist_consent_sms_send(helper=request.user, centre=centre, person=person)
        except DomainError as error:
            context["error"] = error.message
            status = error.status
        else:
            context["sms_sent"] = True
        # Files are not kept across this round trip: the page says to choose them again.
        consent_form = ConsentForm(initial={"consent_method": ConsentMethod.SMS})
    if step == "file" and not errors and consent_form.is_valid():
        try:
            filing = services.assisted_filing_create(
                helper=request.user,
                centre=centre,
                person=person,
                item=item,
                form_data=data,
                materials=[
                    (m, request.FILES[f"material_{m.pk}"])
                    for m in materials
                    if f"material_{m.pk}" in request.FILES
                ],
                consent_method=consent_form.cleaned_data["consent_method"],
                signature=consent_form.cleaned_data["signature"],
                sms_code=consent_form.cleaned_data["sms_code"],
            )
        except DomainError as error:
            if error.status == 403 and error.code == "forbidden":
                raise
            context["error"] = error.message
            context["problems"] = [p.message for p in error.problems]
            status = error.status
        else:
            request.session.pop(RESIDENT_SESSION_KEY, None)
            messages.success(
                request,
                gettext(
                    "Filed for %(name)s: the application is in their own account (我的办件); they are told of "
                    "every step by SMS."
                )
                % {"name": person},
            )
            return redirect("assist_staff:filing", centre_id=centre.pk, filing_id=filing.pk)
    elif errors:
        status = 400
    context.update(
        item=item,
        version=version,
        fields=schema_to_fields(version.form_schema or {}, version.form_ui or {}, data=data, errors=errors),
        materials=materials,
        platform_materials=[m for m in version.materials.all() if m.obtained_by_platform],
        consent_form=consent_form,
        consent_text=services.consent_text(person=person, centre=centre, item=item),
    )
    return render(request, "assist/staff/file.html", context, status=status)


def _identify(request: HttpRequest, centre: ServiceCentre, context: dict[str, Any]) -> HttpResponse:
    form = ResidentForm(request.POST)
    context["resident_form"] = form
    if form.is_valid():
        try:
            person = services.assist_resident_identify(
                helper=request.user, centre=centre, **form.cleaned_data
            )
        except DomainError as error:
            if error.code == "forbidden":
                raise
            for problem in error.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            if not error.problems:
                form.add_error(None, error.message)
        else:
            request.session[RESIDENT_SESSION_KEY] = {"centre": str(centre.pk), "person": str(person.pk)}
            messages.success(
                request, gettext("%(name)s is identified (verified in person).") % {"name": person}
            )
            return redirect("assist_staff:file", centre_id=centre.pk)
    return render(request, "assist/staff/file.html", context, status=400)


@login_required
def filing(request: HttpRequest, centre_id: Any, filing_id: Any) -> HttpResponse:
    """One assisted filing: what was filed, for whom, the consent, and the case's number once accepted."""
    with refusals_as_http():
        centre = selectors.assist_point_get(user=request.user, centre_id=centre_id)
        found = (
            selectors.assisted_filings_of_point(user=request.user, centre=centre).filter(pk=filing_id).first()
        )
    if found is None:
        raise Http404
    return render(request, "assist/staff/filing.html", {"centre": centre, "filing": found})


@login_required
def callbacks(request: HttpRequest) -> HttpResponse:
    """The call-back requests from the elderly mode: open ones oldest first, or those already called."""
    status = CallbackStatus.DONE if request.GET.get("status") == CallbackStatus.DONE else CallbackStatus.OPEN
    with refusals_as_http():
        rows = selectors.callback_requests_list(user=request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "assist/staff/callbacks.html",
        {"page_obj": page, "status": status, "close_form": CallbackCloseForm()},
    )


@require_POST
@login_required
def callback_close(request: HttpRequest, request_id: Any) -> HttpResponse:
    """Record the outcome of a call back."""
    with refusals_as_http():
        found = selectors.callback_request_get(user=request.user, request_id=request_id)
        form = CallbackCloseForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(
                    code="callback.outcome_required", message=gettext("Write the outcome of the call.")
                )
            services.callback_request_close(
                actor=request.user, request=found, outcome=form.cleaned_data["outcome"]
            )
        except DomainError as error:
            if error.code == "forbidden":
                raise
            messages.error(request, error.message)
        else:
            messages.success(request, gettext("Marked as called back."))
    return redirect("assist_staff:callbacks")
