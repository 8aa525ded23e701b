"""Citizen pages for life-event bundles (一件事一次办): apply for a bundle, the bundle's page (each item's
draft with a link to fill it in, one submission for all, then each item's state and one timeline), and
withdrawing it. Each item's form and materials are filled on its own case page, which already does that.

Thin views: reads through ``cases.selectors``, writes through ``cases.services``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.cases import selectors, services, views
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.views import (
    WITHDRAWABLE,
    _fresh_key,
    _posted_key,
    applicant_required,
    refused_status,
)
from onewindow.catalogue import forms_render
from onewindow.catalogue.models import Item
from onewindow.catalogue.selectors import bundle_get
from onewindow.core.errors import DomainError
from onewindow.identity.selectors import assurance_shortfall


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def apply_bundle(request: HttpRequest, code: str) -> HttpResponse:
    """Start a bundle application: the items it takes (optional ones as checkboxes), then the drafts.

    Someone below the level the items need is shown how to step up, with a way back here.
    """
    bundle = bundle_get(code=code)
    entries = [entry for entry in bundle.entries.all() if entry.item.published_version_id]
    company = request.principal.company  # type: ignore[attr-defined]
    ticked = set(request.POST.getlist("optional")) if request.method == "POST" else set()
    error: DomainError | None = None
    if request.method == "POST":
        try:
            case = services.bundle_case_start(
                user=request.user,
                bundle=bundle,
                # An id that is no optional entry of this bundle reaches the service, which refuses it.
                optional_items=Item.objects.filter(pk__in=_uuids(ticked)),
                company=company,
                idempotency_key=_posted_key(request),
            )
        except DomainError as refused:
            error = refused
        else:
            return redirect("cases:case", case_id=case.pk)
    level = services.bundle_required_level(
        [entry for entry in entries if not entry.optional or str(entry.item_id) in ticked]
    )
    response = render(
        request,
        "cases/portal/apply_bundle.html",
        {
            "bundle": bundle,
            "entries": entries,
            "ticked": ticked,
            "company": company,
            "shortfall": assurance_shortfall(request.user, level),
            "error": error,
            "idempotency_key": _fresh_key(),
        },
    )
    if error is not None:
        response.status_code = refused_status(error)
    return response


def _uuids(values: set[str]) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue  # not an item id at all
    return ids


@dataclass
class ChildRow:
    """One item of the bundle on its page: its case, and how many things are still missing in its draft."""

    case: Case
    missing: int


def bundle_case_render(
    request: HttpRequest,
    case: Case,
    *,
    problems: list[BundleProblem] | None = None,
    summary: str = "",
    status: int = 200,
    form_data: dict[str, Any] | None = None,
    form_errors: dict[str, list[str]] | None = None,
    material_error: tuple[str, str] | None = None,
    password: str = "",
) -> HttpResponse:
    """The bundle's page (its parent case): one form for every item, one submission, one timeline."""
    children = selectors.bundle_children(case=case)
    missing = services.bundle_waiting_problems(case, children)
    rows = [ChildRow(case=child, missing=missing.get(child.pk, 0)) for child in children]
    can_submit = case.status == CaseStatus.DRAFT
    fields: list[Any] = []
    if can_submit:
        layout = services.bundle_form_layout(case)
        fields = forms_render.schema_to_fields(
            layout.schema,
            layout.ui,
            data=form_data if form_data is not None else layout.data(),
            errors=form_errors or {},
        )
    response = render(
        request,
        "cases/portal/bundle_case.html",
        {
            "case": case,
            "bundle": case.bundle,
            "rows": rows,
            "stages": _stage_numbers(case, children),
            "bundle_materials": services.bundle_materials_needed(case) if can_submit else [],
            "material_error": material_error,
            "password": password,
            "accept": ", ".join(sorted({".pdf", ".ofd", ".jpg", ".jpeg", ".png"})),
            "fields": fields,
            "problems": problems or [],
            "summary": summary,
            "timeline": selectors.bundle_timeline(case=case),
            "can_submit": can_submit,
            "stage_due": not can_submit
            and case.status in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
            and services.bundle_stage_due(services.bundle_stages(case, children)) is not None,
            "can_withdraw": case.status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED)
            and any(child.status in WITHDRAWABLE for child in children),
            "idempotency_key": _fresh_key(),
        },
        status=status,
    )
    services.case_messages_mark_read(user=request.user, case=case)
    return response


def _stage_numbers(case: Case, children: list[Case]) -> dict[Any, int]:
    assert case.bundle is not None
    stage_of = {entry.item_id: entry.stage for entry in case.bundle.entries.all()}
    return {child.pk: stage_of.get(child.item_id, 1) for child in children}


@dataclass
class BundleProblem:
    """One line of the bundle's error summary, linking to the item page where it is fixed (if any)."""

    message: str
    href: str


def _problems(case: Case, refused: DomainError) -> list[BundleProblem]:
    """A form problem links to its field in the bundle's one form (while it is a draft), else to the item's
    form; ``<child id>.materials.<key>`` links to the material on the item's page."""
    children = {str(child.pk): child for child in case.children.all()}
    anchors: dict[tuple[str, str], str] = {}
    if case.status == CaseStatus.DRAFT:
        layout = services.bundle_form_layout(case)
        by_item = {child.item_id: str(child.pk) for child in layout.children}
        for shared in layout.merged.shared:
            for target in shared.targets:
                anchors[(by_item.get(target.item_id, ""), target.field)] = f"f-shared-{shared.name}"
        for key, child in layout.groups.items():
            for name in layout.schema["properties"][key]["properties"]:
                anchors[(str(child.pk), name)] = f"f-{key}-{name}"
    lines = []
    for problem in refused.problems:
        child_id, _dot, rest = problem.field.partition(".")
        kind, _dot, name = rest.partition(".")
        href = ""
        if kind == "form" and (child_id, name) in anchors:
            href = f"#{anchors[(child_id, name)]}"
        elif kind == "materials" and case.status == CaseStatus.DRAFT:
            href = f"#bm-{name}"  # uploaded once on this page for every item
        elif child_id in children:
            anchor = f"m-{name}" if kind == "materials" else "case-form"
            href = reverse("cases:case", kwargs={"case_id": child_id}) + f"#{anchor}"
        lines.append(BundleProblem(message=str(problem.message), href=href))
    return lines


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def case_page(request: HttpRequest, case_id: uuid.UUID) -> HttpResponseBase:
    """``cases:case``: a bundle's parent case shows the bundle's page, any other case its own page (which
    is also the 404 for a case that is not the user's)."""
    is_bundle = (
        selectors.cases_for_applicant(user=request.user).filter(pk=case_id, bundle__isnull=False).exists()
    )
    if not is_bundle:
        return views.case_detail(request, case_id)
    if request.method == "POST":
        # The bundle has no form of its own: its items are filled in on their pages.
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return bundle_case_render(request, selectors.case_get_for_applicant(user=request.user, case_id=case_id))


@require_POST
@applicant_required
def password_reissue(request: HttpRequest, case_id: uuid.UUID) -> HttpResponseBase:
    """``cases:password_reissue``: a life event's new query password is shown on the life event's page."""
    case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
    if case.bundle is None:
        return views.password_reissue(request, case_id)
    try:
        password = services.case_password_reissue(case=case, user=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("cases:case", case_id=case_id)
    return bundle_case_render(
        request, selectors.case_get_for_applicant(user=request.user, case_id=case_id), password=password
    )


@require_POST
@applicant_required
def bundle_submit(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """一表申请、一次提交: the one form is saved into every item's draft; with ``action=submit`` every item of
    the first stage goes to its department (the later stages follow as the earlier ones conclude). A
    refusal lists every problem of every item, each linking to where it is fixed."""
    case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
    if case.bundle is None:
        raise Http404
    data: dict[str, Any] = {}
    try:
        if case.status == CaseStatus.DRAFT:
            layout = services.bundle_form_layout(case)
            data = forms_render.form_data_from_post(layout.schema, request.POST)
            services.bundle_form_save(case=case, user=request.user, data=data)
        if request.POST.get("action") == "save":
            messages.success(
                request, _("Draft saved. You can come back and continue at any time from My cases.")
            )
            return redirect("cases:case", case_id=case_id)
        if case.status == CaseStatus.DRAFT:
            services.bundle_case_submit(case=case, actor=request.user, idempotency_key=_posted_key(request))
        else:
            services.bundle_stage_submit(case=case, actor=request.user)
    except DomainError as refused:
        case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
        layout_errors: dict[str, list[str]] = {}
        if case.status == CaseStatus.DRAFT and data:
            layout_errors = forms_render.form_errors(services.bundle_form_layout(case).schema, data)
        return bundle_case_render(
            request,
            case,
            problems=_problems(case, refused),
            summary=str(refused.message),
            status=refused_status(refused),
            form_data=data or None,
            form_errors=layout_errors,
        )
    messages.success(
        request,
        _(
            "Your life-event application has been submitted. The departments of the first stage pre-review it within 5 working days; the later stages start by themselves as the earlier ones conclude."
        ),
    )
    return redirect("cases:case", case_id=case_id)


@require_POST
@applicant_required
def bundle_material_upload(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """One upload of a material for every item of the bundle that asks for it."""
    case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
    if case.bundle is None:
        raise Http404
    key = request.POST.get("material", "")
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(code="upload_missing", message="请先选择要上传的文件。")
        count = services.bundle_material_attach(case=case, user=request.user, key=key, upload=upload)
    except DomainError as refused:
        case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
        return bundle_case_render(
            request, case, status=refused_status(refused), material_error=(key, str(refused.message))
        )
    messages.success(request, _("Uploaded once for %(count)s services.") % {"count": count})
    return redirect(reverse("cases:case", kwargs={"case_id": case_id}) + f"#bm-{key}")


@require_POST
@applicant_required
def bundle_withdraw(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Withdraw every item not yet accepted (a submitted bundle needs a reason)."""
    case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
    try:
        case = services.bundle_case_withdraw(
            case=case, actor=request.user, reason=request.POST.get("reason", "")
        )
    except DomainError as refused:
        case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
        return bundle_case_render(request, case, summary=str(refused.message), status=refused_status(refused))
    if case.status == CaseStatus.WITHDRAWN:
        messages.success(request, _("Your life-event application has been withdrawn."))
    else:
        messages.success(
            request,
            _(
                "The services not yet accepted were withdrawn; those already accepted carry on with their departments."
            ),
        )
    return redirect("cases:case", case_id=case_id)
