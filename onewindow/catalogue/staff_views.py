"""The catalogue workbench: department administrators write and submit their items' guides; platform
administrators review and publish them (draft → review → published)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onewindow.catalogue import selectors, services
from onewindow.catalogue.forms import (
    FaqFormSet,
    FeeItemFormSet,
    GuideForm,
    ItemCreateForm,
    ItemFilterForm,
    MaterialFormSet,
    NewVersionForm,
    ReviewForm,
    material_initial,
)
from onewindow.catalogue.forms_render import schema_to_fields
from onewindow.catalogue.guide_rows import guide_rows, material_diff, material_rows, version_diff
from onewindow.catalogue.models import (
    ItemVersion,
    VersionStatus,
)
from onewindow.catalogue.quality import item_version_quality_problems
from onewindow.catalogue.selectors import CatalogueAccess, catalogue_access
from onewindow.core.errors import DomainError, FieldProblem, NotFound

ITEMS_PER_PAGE = 25


def catalogue_staff_required(
    view: Callable[..., HttpResponse], *, reviewers_only: bool = False
) -> Callable[..., HttpResponse]:
    """Catalogue editors (and, with ``reviewers_only``, platform administrators) only; anyone else gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        access = catalogue_access(request.user)
        if access is None or (reviewers_only and not access.is_platform_admin):
            raise PermissionDenied
        try:
            return view(request, access, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error

    return wrapper


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return catalogue_staff_required(view, reviewers_only=True)


def _context(access: CatalogueAccess, **extra: Any) -> dict[str, Any]:
    return {"is_platform_admin": access.is_platform_admin, "catalogue_access": access, **extra}


# --- lists -----------------------------------------------------------------------------------------------


@catalogue_staff_required
def item_list(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """My items: their published version and any draft, filtered and searched, a page at a time."""
    form = ItemFilterForm(request.GET or None, departments=access.departments)
    filters = form.cleaned_data if form.is_valid() else {}
    items = selectors.staff_items(
        departments=access.departments,
        q=filters.get("q", "").strip(),
        status=filters.get("status", ""),
        department=filters.get("department"),
        item_type=filters.get("item_type", ""),
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalogue/staff/item_list.html",
        _context(access, form=form, page=page, query=query.urlencode(), statuses=dict(VersionStatus.choices)),
    )


@reviewer_required
def review_queue(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """Versions waiting for review, oldest first."""
    return render(
        request,
        "catalogue/staff/review_queue.html",
        _context(access, versions=selectors.versions_in_review()),
    )


# --- items and versions ----------------------------------------------------------------------------------


@catalogue_staff_required
def item_create(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """Register a new item from its basic code and the guide fields every draft needs: its draft v1."""
    form = ItemCreateForm(request.POST or None, departments=access.departments)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        basic_code, department, region = data.pop("basic_code"), data.pop("department"), data.pop("region")
        try:
            basic = services.basic_item_ensure(
                actor=request.user, basic_code=basic_code, name=data["name"], item_type=data["item_type"]
            )
            version = services.item_create(
                actor=request.user, basic=basic, department=department, region=region, materials=[], **data
            )
        except DomainError as error:
            form.add_error(
                "basic_code" if error.code.startswith(("basic_code", "item.")) else None, error.message
            )
        else:
            messages.success(
                request, gettext("Draft version 1 created. Complete the guide, then submit it for review.")
            )
            return redirect("catalogue_staff:version_edit", version_id=version.pk)
    status = 400 if form.errors else 200
    return render(request, "catalogue/staff/item_create.html", _context(access, form=form), status=status)


@catalogue_staff_required
def item_detail(request: HttpRequest, access: CatalogueAccess, item_id: Any) -> HttpResponse:
    """An item's versions (the change log) and what can be done next."""
    item = selectors.staff_item_get(departments=access.departments, item_id=item_id)
    return _item_page(request, access, item, NewVersionForm())


def _item_page(
    request: HttpRequest,
    access: CatalogueAccess,
    item: Any,
    new_version_form: NewVersionForm,
    status: int = 200,
) -> HttpResponse:
    versions = list(item.versions.select_related("submitted_by", "reviewed_by").order_by("-number"))
    pending = next((v for v in versions if v.status in selectors.PENDING_STATUSES), None)
    return render(
        request,
        "catalogue/staff/item_detail.html",
        _context(access, item=item, versions=versions, pending=pending, new_version_form=new_version_form),
        status=status,
    )


@require_POST
@catalogue_staff_required
def version_new(request: HttpRequest, access: CatalogueAccess, item_id: Any) -> HttpResponse:
    """Start a new version of a published item (dynamic adjustment); the change note is public."""
    item = selectors.staff_item_get(departments=access.departments, item_id=item_id)
    form = NewVersionForm(request.POST)
    if form.is_valid():
        try:
            draft = services.item_version_new_draft(
                actor=request.user, item=item, change_note=form.cleaned_data["change_note"].strip()
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, gettext("Version %(number)s created as a draft.") % {"number": draft.number}
            )
            return redirect("catalogue_staff:version_edit", version_id=draft.pk)
    return _item_page(request, access, item, form, status=400)


# The editor's sections, in the order citizens read a guide; fees, FAQ and materials add their rows.
SECTIONS: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    (
        "basic",
        _("Basic information"),
        (
            "name",
            "keywords",
            "legal_basis",
            "acceptance_conditions",
            "process_description",
            "themes",
            "joint_departments",
        ),
    ),
    (
        "limits",
        _("Time limits"),
        ("statutory_days", "statutory_note", "promised_days", "promised_note", "case_type"),
    ),
    (
        "apply",
        _("How to apply"),
        (
            "service_objects",
            "handling_forms",
            "online_depth",
            "onsite_visits",
            "onsite_reason",
            "supports_booking",
            "supports_online_payment",
            "supports_postal_delivery",
            "supports_kiosk",
            "min_assurance_level",
            "cross_region_scope",
        ),
    ),
    ("fees", _("Fees"), ("charges_fee", "fee_basis")),
    (
        "result",
        _("Result"),
        ("result_name", "result_type", "result_sample", "clear_result_sample", "licence_type_code"),
    ),
    (
        "contact",
        _("Where and whom to ask"),
        ("address", "office_hours", "consultation_phone", "complaint_phone"),
    ),
    ("faq", _("Frequently asked questions"), ()),
    ("form", _("Application form"), ("form_schema", "form_ui")),
    ("materials", _("Materials"), ()),
)
# Quality problems about rows or identity are shown with their section.
PROBLEM_SECTIONS = {"fee_items": "fees", "faq": "faq", "materials": "materials"}
_WIDE_WIDGETS = (django_forms.Textarea, django_forms.CheckboxSelectMultiple, django_forms.SelectMultiple)


def _editor_forms(version: ItemVersion, data: Any = None, files: Any = None) -> dict[str, Any]:
    materials = list(version.materials.order_by("order"))
    return {
        # A copy: validating the form writes its values into the instance, and the service compares against it.
        "guide": GuideForm(data, files, instance=copy.copy(version)),
        "fees": FeeItemFormSet(data, prefix="fees", initial=version.fee_items or None),
        "faq": FaqFormSet(data, prefix="faq", initial=version.faq or None),
        "materials": MaterialFormSet(
            data, files, prefix="materials", initial=[material_initial(m) for m in materials]
        ),
        "existing": {str(m.pk): m for m in materials},
    }


def _rows(formset: Any) -> list[dict[str, Any]]:
    return [
        {name: value for name, value in form.cleaned_data.items() if name not in {"ORDER", "DELETE"}}
        for form in formset.ordered_forms
    ]


def _render_editor(
    request: HttpRequest,
    access: CatalogueAccess,
    version: ItemVersion,
    editor: dict[str, Any],
    *,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    problems: list[FieldProblem] = list(error.problems) if error else []
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        by_field.setdefault(PROBLEM_SECTIONS.get(problem.field, problem.field), []).append(problem.message)
    guide = editor["guide"]
    if version.number == 1:
        guide.fields.pop("change_note", None)
    sections = []
    placed: set[str] = set()
    for key, title, names in SECTIONS:
        fields = [
            {
                "field": guide[name],
                "problems": by_field.get(name, []),
                "wide": isinstance(guide.fields[name].widget, _WIDE_WIDGETS),
            }
            for name in names
        ]
        placed.update(names, [key])
        sections.append({"key": key, "title": title, "fields": fields, "problems": by_field.get(key, [])})
    labels = {name: field.label for name, field in guide.fields.items()} | {
        "fee_items": gettext("fee items"),
        "faq": gettext("Frequently asked questions"),
        "materials": gettext("Materials"),
    }
    summary = [
        {"anchor": _anchor(p.field, guide), "label": labels.get(p.field, ""), "message": p.message}
        for p in problems
    ]
    other = [message for name, found in by_field.items() if name not in placed for message in found]
    return render(
        request,
        "catalogue/staff/version_edit.html",
        _context(
            access,
            version=version,
            item=version.item,
            editor=editor,
            sections=sections,
            error=error,
            summary=summary,
            other_problems=other,
            change_note=guide["change_note"] if "change_note" in guide.fields else None,
        ),
        status=status,
    )


def _anchor(field: str, guide: GuideForm) -> str:
    if field in guide.fields:
        return f"field-{field}"
    return f"section-{PROBLEM_SECTIONS[field]}" if field in PROBLEM_SECTIONS else "identity"


@catalogue_staff_required
def version_edit(request: HttpRequest, access: CatalogueAccess, version_id: Any) -> HttpResponse:
    """Edit a draft's whole guide; "save and submit" also sends it for review, listing every quality problem."""
    version = selectors.staff_version_get(departments=access.departments, version_id=version_id)
    if not version.is_editable():
        return redirect("catalogue_staff:version_detail", version_id=version.pk)
    if request.method != "POST":
        return _render_editor(request, access, version, _editor_forms(version))
    editor = _editor_forms(version, request.POST, request.FILES)
    parts = (editor["guide"], editor["fees"], editor["faq"], editor["materials"])
    if not all(part.is_valid() for part in parts):
        messages.error(request, gettext("Some fields need correcting: see the messages next to them."))
        return _render_editor(request, access, version, editor, status=400)
    guide = editor["guide"]
    try:
        services.item_version_update(
            actor=request.user,
            version=version,
            materials=[form.material(editor["existing"]) for form in editor["materials"].ordered_forms],
            themes=list(guide.cleaned_data["themes"]),
            joint_departments=list(guide.cleaned_data["joint_departments"]),
            change_note=guide.cleaned_data.get("change_note") if version.number > 1 else None,
            fee_items=_rows(editor["fees"]),
            faq=_rows(editor["faq"]),
            **guide.guide(),
        )
    except DomainError as error:
        return _render_editor(request, access, version, editor, error=error, status=400)
    version.refresh_from_db()
    if request.POST.get("action") != "submit":
        messages.success(request, gettext("Draft saved."))
        return redirect("catalogue_staff:version_edit", version_id=version.pk)
    try:
        services.item_version_submit(actor=request.user, version=version)
    except DomainError as error:
        return _render_editor(request, access, version, _editor_forms(version), error=error, status=400)
    messages.success(request, gettext("Submitted for review. A platform administrator will review it."))
    return redirect("catalogue_staff:item_detail", item_id=version.item_id)


@catalogue_staff_required
def version_detail(request: HttpRequest, access: CatalogueAccess, version_id: Any) -> HttpResponse:
    """A version's guide as written, read-only (versions in review, published or superseded)."""
    version = selectors.staff_version_get(departments=access.departments, version_id=version_id)
    return render(
        request,
        "catalogue/staff/version_detail.html",
        _context(
            access,
            version=version,
            item=version.item,
            rows=guide_rows(version),
            materials=material_rows(version),
        ),
    )


@catalogue_staff_required
def form_preview(request: HttpRequest, access: CatalogueAccess, version_id: Any) -> HttpResponse:
    """The saved application form as citizens will be asked to fill it, field by field."""
    version = selectors.staff_version_get(departments=access.departments, version_id=version_id)
    fields = schema_to_fields(version.form_schema or {}, version.form_ui or {}) if version.form_schema else []
    rows = []
    for field in fields:
        rows.append({"field": field, "kind": INPUT_KINDS.get(field.kind, field.kind), "nested": False})
        rows += [
            {"field": child, "kind": INPUT_KINDS.get(child.kind, child.kind), "nested": True}
            for child in field.children
        ]
    return render(
        request,
        "catalogue/staff/form_preview.html",
        _context(access, version=version, item=version.item, rows=rows),
    )


# How each kind of input the portal renders reads to an editor.
INPUT_KINDS = {
    "fieldset": _("group of fields"),
    "checkboxes": _("several choices (check boxes)"),
    "lines": _("list, one per line"),
    "radio": _("one choice (radio buttons)"),
    "select": _("one choice (drop-down list)"),
    "checkbox": _("tick box"),
    "number": _("number"),
    "integer": _("whole number"),
    "date": _("date"),
    "email": _("e-mail address"),
    "tel": _("telephone number"),
    "textarea": _("long text"),
    "text": _("text"),
}


@reviewer_required
def version_review(request: HttpRequest, access: CatalogueAccess, version_id: Any) -> HttpResponse:
    """Compare a version with the published one, then publish it or send it back with an opinion."""
    version = selectors.staff_version_get(departments=access.departments, version_id=version_id)
    form = ReviewForm(request.POST or None)
    error = None
    if request.method == "POST" and version.status == VersionStatus.IN_REVIEW and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.item_version_review(
                actor=request.user, version=version, approve=approve, opinion=form.cleaned_data["opinion"]
            )
        except DomainError as refused:
            error = refused
        else:
            if approve:
                messages.success(
                    request, gettext("Version %(number)s is published.") % {"number": version.number}
                )
            else:
                messages.success(
                    request, gettext("Version %(number)s was sent back.") % {"number": version.number}
                )
            return redirect("catalogue_staff:review_queue")
    published = version.item.published_version
    if published is not None and published.pk == version.pk:
        published = None
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "catalogue/staff/version_review.html",
        _context(
            access,
            version=version,
            item=version.item,
            published=published,
            diff=version_diff(published, version),
            material_diff=material_diff(published, version),
            problems=item_version_quality_problems(version)
            if version.status == VersionStatus.IN_REVIEW
            else [],
            form=form,
            error=error,
        ),
        status=status,
    )
