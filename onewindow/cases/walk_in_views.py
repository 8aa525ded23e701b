"""Walk-in filing at the window (双轨): the clerk finds or registers the applicant, then files the paper
application on their behalf as a case of the platform."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from onewindow.cases import services
from onewindow.cases.selectors import walk_in_items
from onewindow.cases.staff_forms import (
    PersonFindForm,
    PersonRegisterForm,
    WalkInItemForm,
)
from onewindow.cases.staff_views import staff_required
from onewindow.catalogue.forms_render import form_data_from_post, form_errors, schema_to_fields
from onewindow.core.errors import DomainError
from onewindow.core.errors import PermissionDenied as DomainPermissionDenied
from onewindow.identity.models import Person
from onewindow.identity.services.people import person_by_identifier, person_create

WALK_IN_SESSION_KEY = "cases_walk_in_person"


def _walk_in_person(request: HttpRequest) -> Person | None:
    person_id = request.session.get(WALK_IN_SESSION_KEY)
    return Person.objects.select_related("user").filter(pk=person_id).first() if person_id else None


@sensitive_post_parameters()  # the applicant's form: ID numbers and phones stay out of error reports
@never_cache
@staff_required
def walk_in(request: HttpRequest) -> HttpResponse:
    """File a case for the person at the counter: find (or register) them, choose the item, fill the form,
    scan the materials checked against the originals; then accept it on the case page."""
    items = walk_in_items(user=request.user)
    if not items.exists():
        raise PermissionDenied(
            gettext("Only window clerks of a department with published items can file cases.")
        )
    person = _walk_in_person(request)
    context: dict[str, Any] = {"person": person, "find_form": PersonFindForm(), "register_form": None}
    status = 200
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "reset":
        request.session.pop(WALK_IN_SESSION_KEY, None)
        return redirect("cases_staff:walk_in")
    if step == "find":
        return _walk_in_find(request, context)
    if step == "register":
        return _walk_in_register(request, context)
    if person is None:
        return render(request, "cases/staff/walk_in.html", context)
    item_form = WalkInItemForm(request.POST if step == "file" else request.GET or None, items=items)
    context["item_form"] = item_form
    item = item_form.cleaned_data["item"] if item_form.is_bound and item_form.is_valid() else None
    if item is not None:
        version = item.published_version
        data = form_data_from_post(version.form_schema or {}, request.POST) if step == "file" else {}
        errors = form_errors(version.form_schema or {}, data) if step == "file" else {}
        materials = [m for m in version.materials.all() if m.asked_as_upload]
        if step == "file" and not errors:
            try:
                case = services.case_walk_in_file(
                    clerk=request.user,
                    person=person,
                    item=item,
                    form_data=data,
                    materials=[
                        (m, request.FILES[f"material_{m.pk}"])
                        for m in materials
                        if f"material_{m.pk}" in request.FILES
                    ],
                )
            except DomainPermissionDenied:
                raise
            except DomainError as error:
                context["error"] = error.message
                status = error.status
            else:
                request.session.pop(WALK_IN_SESSION_KEY, None)
                messages.success(
                    request,
                    gettext("The case was filed for %(name)s. Check it and accept it now.")
                    % {"name": person},
                )
                return redirect("cases_staff:case_detail", case_id=case.pk)
        elif errors:
            status = 400
        context.update(
            item=item,
            version=version,
            fields=schema_to_fields(
                version.form_schema or {}, version.form_ui or {}, data=data, errors=errors
            ),
            materials=materials,
            platform_materials=[m for m in version.materials.all() if m.obtained_by_platform],
        )
    return render(request, "cases/staff/walk_in.html", context, status=status)


def _walk_in_find(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    form = PersonFindForm(request.POST)
    context["find_form"] = form
    if not form.is_valid():
        return render(request, "cases/staff/walk_in.html", context, status=400)
    identifier = form.cleaned_data["identifier"].strip().upper()
    person = person_by_identifier(identifier)
    if person is not None:
        request.session[WALK_IN_SESSION_KEY] = str(person.pk)
        messages.success(request, gettext("Found %(name)s.") % {"name": person})
        return redirect("cases_staff:walk_in")
    initial = {"id_number": identifier} if len(identifier) == 18 else {"phone": identifier}
    context["register_form"] = PersonRegisterForm(initial=initial)
    context["not_found"] = True
    return render(request, "cases/staff/walk_in.html", context)


def _walk_in_register(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    form = PersonRegisterForm(request.POST)
    context["register_form"] = form
    if form.is_valid():
        try:
            person = person_create(**form.cleaned_data, actor=request.user)
        except DomainError as error:
            for problem in error.problems:
                form.add_error(problem.field if problem.field in form.fields else None, problem.message)
            if not error.problems:
                form.add_error(None, error.message)
        else:
            request.session[WALK_IN_SESSION_KEY] = str(person.pk)
            messages.success(
                request,
                gettext(
                    "%(name)s is now registered on the platform (phone-registered account); they can sign in "
                    "later by SMS code with this mobile phone."
                )
                % {"name": person},
            )
            return redirect("cases_staff:walk_in")
    return render(request, "cases/staff/walk_in.html", context, status=400)
