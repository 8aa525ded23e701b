"""Citizen pages for life-event bundles (一件事一次办): apply for a bundle, the bundle's page (each item's
draft with a link to fill it in, one submission for all, then each item's state and one timeline), and
withdrawing it. Each item's form and materials are filled on its own case page, which already does that.

Thin views: reads through ``cases.selectors``, writes through ``cases.services``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
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
) -> HttpResponse:
    """The bundle's page (its parent case): each item, one submission, one timeline."""
    children = selectors.bundle_children(case=case)
    rows = [
        ChildRow(
            case=child,
            missing=len(services.submission_problems(child)) if child.status == CaseStatus.DRAFT else 0,
        )
        for child in children
    ]
    response = render(
        request,
        "cases/portal/bundle_case.html",
        {
            "case": case,
            "bundle": case.bundle,
            "rows": rows,
            "problems": problems or [],
            "summary": summary,
            "timeline": selectors.bundle_timeline(case=case),
            "can_submit": case.status == CaseStatus.DRAFT,
            "can_withdraw": case.status in (CaseStatus.DRAFT, CaseStatus.SUBMITTED)
            and any(child.status in WITHDRAWABLE for child in children),
            "idempotency_key": _fresh_key(),
        },
        status=status,
    )
    services.case_messages_mark_read(user=request.user, case=case)
    return response


@dataclass
class BundleProblem:
    """One line of the bundle's error summary, linking to the item page where it is fixed (if any)."""

    message: str
    href: str


def _problems(case: Case, refused: DomainError) -> list[BundleProblem]:
    """``<child id>.form.<name>`` links to the item's form, ``<child id>.materials.<key>`` to the material."""
    children = {str(child.pk) for child in case.children.all()}
    lines = []
    for problem in refused.problems:
        child_id, _dot, rest = problem.field.partition(".")
        kind, _dot, name = rest.partition(".")
        href = ""
        if child_id in children:
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
def bundle_submit(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """一次提交: every item at once; a refusal lists every problem of every item, each linking to its page."""
    case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
    try:
        services.bundle_case_submit(case=case, actor=request.user, idempotency_key=_posted_key(request))
    except DomainError as refused:
        case = selectors.case_get_for_applicant(user=request.user, case_id=case_id)
        return bundle_case_render(
            request,
            case,
            problems=_problems(case, refused),
            summary=str(refused.message),
            status=refused_status(refused),
        )
    messages.success(
        request,
        _(
            "Your life-event application has been submitted. Each department will pre-review its service within 5 working days."
        ),
    )
    return redirect("cases:case", case_id=case_id)


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
