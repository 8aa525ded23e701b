"""Citizen pages for cases: apply (网上申请), the case page (draft, materials, submission, correction,
timeline). 我的办件, its messages and public tracking (全程一码) are in ``my_cases_views``.

Thin views: reads through ``cases.selectors``, every write through ``cases.services``; a refusal
(DomainError) is shown on the page it came from, in the words the service chose.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.cases import selectors, services
from onewindow.cases.hooks import case_notes, case_sections_render
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    CaseStatus,
    CorrectionRequest,
    TrustLevel,
)
from onewindow.cases.notices import notice_filename, notice_links, notice_pdf
from onewindow.catalogue import forms_render
from onewindow.catalogue.models import Item, Material, MaterialSource, Necessity
from onewindow.catalogue.pdf import pdf_response
from onewindow.catalogue.selectors import item_published_get
from onewindow.core.errors import DomainError, FieldProblem, NotFound
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls.selectors import collection_centre
from onewindow.identity.selectors import assurance_shortfall

PAGE_SIZE = 20
MESSAGES_SHOWN = 50
# The applicant may withdraw until the case is accepted (then only the department can end it).
WITHDRAWABLE = frozenset({CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED})
# The end states at which the applicant is asked to rate (好差评): concluded, refused, withdrawn.
RATEABLE_STATUSES = frozenset(
    {CaseStatus.CONCLUDED, CaseStatus.DELIVERED, CaseStatus.NOT_ACCEPTED, CaseStatus.WITHDRAWN}
)
# Accepted cases: the applicant may get a new query password for tracking.
TRACKABLE = frozenset(
    {
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROCESS,
        CaseStatus.SUSPENDED,
        CaseStatus.CONCLUDED,
        CaseStatus.DELIVERED,
    }
)


def applicant_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in; a case the user may not see is a plain 404 (as if it did not exist), a refusal a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with refusals_as_http():
            return view(request, *args, **kwargs)

    return wrapped


def _fresh_key() -> str:
    # Rendered into the form once: a double click or a resent form reuses it, a new page gets a new one.
    return uuid.uuid4().hex


def _posted_key(request: HttpRequest) -> str | None:
    return (request.POST.get("idempotency_key") or "").strip()[:100] or None


def refused_status(error: DomainError) -> int:
    """The HTTP status of a page shown again with a service's refusal (a plain 400 unless it says more)."""
    return error.status if error.status in (403, 404, 409, 413, 415, 422, 429) else 400


# --- applying ------------------------------------------------------------------------------------------


def _published(code: str) -> Item:
    item = item_published_get(implementation_code=code)
    if item.published_version is None:
        raise NotFound
    return item


@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """Start an application: who applies (oneself, or the company acted for), what it takes, then a draft.

    Someone below the item's assurance level is shown how to step up, with a way back here.
    """
    item = _published(code)
    version = item.published_version
    assert version is not None
    company = request.principal.company  # type: ignore[attr-defined]
    error: DomainError | None = None
    if request.method == "POST":
        try:
            case = services.case_start(
                user=request.user, item=item, company=company, idempotency_key=_posted_key(request)
            )
        except DomainError as refused:
            error = refused
        else:
            return redirect("cases:case", case_id=case.pk)
    shortfall = assurance_shortfall(request.user, version.min_assurance_level)
    # This item's own drafts: not a bundle filed under it, nor a bundle's item (they live on the bundle page).
    drafts = selectors.cases_for_applicant(user=request.user, status=CaseStatus.DRAFT).filter(
        item=item, bundle=None, parent=None
    )
    materials = list(version.materials.all())
    response = render(
        request,
        "cases/portal/apply.html",
        {
            "item": item,
            "version": version,
            "company": company,
            "shortfall": shortfall,
            "error": error,
            "drafts": drafts[:5],
            "to_upload": [m for m in materials if m.asked_as_upload],
            "from_platform": [m for m in materials if not m.asked_as_upload],
            "idempotency_key": _fresh_key(),
        },
    )
    if error is not None:
        response.status_code = refused_status(error)
    return response


# --- the case page -------------------------------------------------------------------------------------


@dataclass
class ChecklistEntry:
    """One material of the guide on the case page: what the guide says, what was uploaded, what the
    correction notice says about it."""

    material: Material
    uploads: list[CaseMaterial]
    problem: str = ""
    error: str = ""
    # What the platform has to say about it (e.g. the registry had no record): shown to the applicant.
    notes: list[str] = field(default_factory=list)

    @property
    def may_upload(self) -> bool:
        """Asked as an upload, or shared data the platform tried and could not fetch (its note says why):
        then the applicant may upload it instead (trust level C) rather than be stuck."""
        if self.material.asked_as_upload:
            return True
        return self.material.source == MaterialSource.SHARED and not self.uploads and bool(self.notes)

    @property
    def required(self) -> bool:
        return self.material.necessity == Necessity.REQUIRED

    @property
    def anchor(self) -> str:
        return f"m-{self.material.key}"

    @property
    def pledged(self) -> bool:
        """The applicant signed the pledge that replaces this material (trust level D)."""
        return any(row.trust_level == TrustLevel.D for row in self.uploads)


@dataclass
class Problem:
    """One line of the error summary, linking to the field or material it is about."""

    message: str
    anchor: str


@dataclass
class CasePage:
    """Everything the case page shows beyond the case itself."""

    case: Case
    form_data: dict[str, Any]
    form_errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    material_errors: dict[str, str] = field(default_factory=dict)
    summary: str = ""


def _open_notice(case: Case) -> CorrectionRequest | None:
    notices = list(case.correction_requests.all())  # prefetched, newest first
    open_ones = [n for n in notices if n.resolved_at is None]
    return open_ones[0] if open_ones else (notices[0] if notices else None)


def _checklist(case: Case, notice: CorrectionRequest | None, errors: dict[str, str]) -> list[ChecklistEntry]:
    problems = {
        str(entry.get("material_id")): str(entry.get("problem", ""))
        for entry in (notice.items if notice else [])
    }
    uploads: dict[Any, list[CaseMaterial]] = {}
    for row in case.materials.all():
        uploads.setdefault(row.material_id, []).append(row)
    notes: dict[str, list[str]] = {}
    for note in case_notes(case, audience="applicant"):
        notes.setdefault(note.material_key, []).append(note.text)
    return [
        ChecklistEntry(
            material=material,
            uploads=uploads.get(material.pk, []),
            problem=problems.get(str(material.pk), "")
            if case.status == CaseStatus.CORRECTION_REQUESTED
            else "",
            error=errors.get(material.key, ""),
            notes=notes.get(material.key, []),
        )
        for material in case.item_version.materials.all()
    ]


def _problems(problems: list[FieldProblem]) -> list[Problem]:
    """The submission problems as links: ``form.<name>`` to the field, ``materials.<key>`` to the material."""
    lines = []
    for problem in problems:
        kind, _dot, name = problem.field.partition(".")
        if kind == "form":
            anchor = forms_render.FormField(name=name, label="", kind="text").html_id
        elif kind == "materials":
            anchor = f"m-{name}"
        else:
            anchor = "case-form"
        lines.append(Problem(message=str(problem.message), anchor=anchor))
    return lines


def _case_render(
    request: HttpRequest, page: CasePage, *, status: int = 200, password: str = ""
) -> HttpResponse:
    case = page.case
    version = case.item_version
    notice = _open_notice(case)
    schema = version.form_schema or {}
    has_form = bool(schema.get("properties"))
    case_messages = list(selectors.case_messages_for(user=request.user).filter(case=case)[:MESSAGES_SHOWN])
    response = render(
        request,
        "cases/portal/case.html",
        {
            "case": case,
            "version": version,
            "page": page,
            "has_form": has_form,
            "fields": forms_render.schema_to_fields(
                schema, version.form_ui, data=page.form_data, errors=page.form_errors
            )
            if has_form
            else [],
            "form_editable": case.status == CaseStatus.DRAFT,
            "checklist": _checklist(case, notice, page.material_errors),
            "notice": notice,
            "correcting": case.status == CaseStatus.CORRECTION_REQUESTED,
            "events": selectors.public_timeline(case.events.all()),  # prefetched: public ones only
            "case_messages": case_messages,
            "can_withdraw": case.status in WITHDRAWABLE,
            # A life event's item tracks under the life event's one number and password (its page has it).
            "can_reissue": case.status in TRACKABLE and bool(case.number) and case.parent_id is None,
            "notices": notice_links(case),
            # 好差评 at every end state (the ratings app serves the page; one rating per handling there).
            "can_rate": case.status in RATEABLE_STATUSES and case.bundle_id is None,
            "password": password,
            "idempotency_key": _fresh_key(),
            "accept": ", ".join(sorted({".pdf", ".ofd", ".jpg", ".jpeg", ".png"})),
            "collection_centre": collection_centre(item_id=case.item_id),
            "sections": case_sections_render(case=case, request=request),
        },
        status=status,
    )
    if password:
        # The query password is on this page only once: never cached, never kept in history.
        add_never_cache_headers(response)
    services.case_messages_mark_read(user=request.user, case=case)
    return response


def _case_get(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return selectors.case_get_for_applicant(user=request.user, case_id=case_id)


# The posted form carries ID numbers and phones: kept out of error reports and their e-mails.
@sensitive_post_parameters()
@require_http_methods(["GET", "HEAD", "POST"])
@applicant_required
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The application: the form and the materials while a draft; then status, timeline, notices, messages.

    POST ``action=save`` keeps the draft; ``action=submit`` saves and submits in one transaction, so a
    refused submission writes nothing and lists every problem at once.
    """
    case = _case_get(request, case_id)
    if request.method != "POST":
        return _case_render(request, CasePage(case=case, form_data=case.form_data or {}))
    schema = case.item_version.form_schema or {}
    data = forms_render.form_data_from_post(schema, request.POST) if schema.get("properties") else {}
    action = request.POST.get("action")
    try:
        if action == "submit":
            with transaction.atomic():
                # Unchanged data is not saved again: a double click's second request then reaches the
                # submission's idempotency key instead of a "not a draft any more" refusal.
                if schema.get("properties") and case.status == CaseStatus.DRAFT and data != case.form_data:
                    case = services.case_form_save(case=case, user=request.user, form_data=data)
                services.case_submit(case=case, actor=request.user, idempotency_key=_posted_key(request))
            messages.success(
                request,
                _(
                    "Your application has been submitted. The department will pre-review it within 5 working days."
                ),
            )
        else:
            services.case_form_save(case=case, user=request.user, form_data=data)
            messages.success(
                request, _("Draft saved. You can come back and continue at any time from My cases.")
            )
    except DomainError as refused:
        page = CasePage(
            case=_case_get(request, case_id),
            form_data=data,
            form_errors=forms_render.form_errors(schema, data) if schema.get("properties") else {},
            problems=_problems(refused.problems),
            summary=str(refused.message),
        )
        return _case_render(request, page, status=refused_status(refused))
    return redirect("cases:case", case_id=case_id)


def _case_material(case: Case, material_id: Any) -> CaseMaterial:
    row = next((m for m in case.materials.all() if str(m.pk) == str(material_id)), None)
    if row is None:
        raise NotFound("未找到该材料。")
    return row


def _guide_material_posted(request: HttpRequest, case: Case) -> Material:
    """The guide's material the form names in ``material``, or 404."""
    key = request.POST.get("material", "")
    material = next((m for m in case.item_version.materials.all() if m.key == key), None)
    if material is None:
        raise Http404
    return material


def _material_refused(
    request: HttpRequest, case: Case, material: Material, refused: DomainError
) -> HttpResponse:
    """The case page again, with the refusal shown next to the material it concerns."""
    page = CasePage(
        case=_case_get(request, case.pk),
        form_data=case.form_data or {},
        material_errors={material.key: str(refused.message)},
    )
    return _case_render(request, page, status=refused_status(refused))


@require_POST
@applicant_required
def material_upload(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Upload one file for one material of the guide; a refusal is shown next to that material."""
    case = _case_get(request, case_id)
    material = _guide_material_posted(request, case)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(code="upload_missing", message="请先选择要上传的文件。")
        shared_missing = (
            material.source == MaterialSource.SHARED
            and not case.materials.filter(material=material).exists()
            and any(note.material_key == material.key for note in case_notes(case, audience="applicant"))
        )
        if material.obtained_by_platform and not shared_missing:
            raise DomainError(code="upload_not_needed", message="该材料由平台自动获取，无需上传。")
        # A double-clicked or resent upload form carries the same key: the file is attached once.
        services.case_material_attach(
            case=case,
            user=request.user,
            material=material,
            upload=upload,
            idempotency_key=_posted_key(request),
        )
    except DomainError as refused:
        return _material_refused(request, case, material, refused)
    messages.success(request, _("“%(material)s” uploaded.") % {"material": material.name})
    return redirect(reverse("cases:case", kwargs={"case_id": case_id}) + f"#m-{material.key}")


@require_POST
@applicant_required
def material_pledge(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Sign the pledge that replaces a material (告知承诺, trust level D) after reading its text."""
    case = _case_get(request, case_id)
    material = _guide_material_posted(request, case)
    try:
        services.case_material_pledge(
            case=case, user=request.user, material=material, accepted=request.POST.get("accept") == "yes"
        )
    except DomainError as refused:
        return _material_refused(request, case, material, refused)
    messages.success(request, _("Your pledge for “%(material)s” is signed.") % {"material": material.name})
    return redirect(reverse("cases:case", kwargs={"case_id": case_id}) + f"#m-{material.key}")


@require_POST
@applicant_required
def material_remove(request: HttpRequest, case_id: uuid.UUID, material_id: uuid.UUID) -> HttpResponse:
    """Remove an uploaded file while the application is still being prepared or corrected."""
    case = _case_get(request, case_id)
    row = _case_material(case, material_id)
    try:
        services.case_material_remove(case=case, user=request.user, case_material=row)
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The file “%(name)s” was removed.") % {"name": row.original_name})
    return redirect(reverse("cases:case", kwargs={"case_id": case_id}) + f"#m-{row.material.key}")


@require_POST
@applicant_required
def case_resubmit(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Send the corrected application back; the checks run again and every remaining problem is listed."""
    case = _case_get(request, case_id)
    try:
        services.case_resubmit(case=case, actor=request.user)
    except DomainError as refused:
        page = CasePage(
            case=_case_get(request, case_id),
            form_data=case.form_data or {},
            problems=_problems(refused.problems),
            summary=str(refused.message),
        )
        return _case_render(request, page, status=refused_status(refused))
    messages.success(request, _("Your corrections have been submitted. The department will check them."))
    return redirect("cases:case", case_id=case_id)


@require_POST
@applicant_required
def case_withdraw(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Withdraw an application not yet accepted (a submitted one needs a reason)."""
    case = _case_get(request, case_id)
    was_draft = case.status == CaseStatus.DRAFT
    try:
        services.case_withdraw(case=case, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as refused:
        page = CasePage(
            case=_case_get(request, case_id), form_data=case.form_data or {}, summary=str(refused.message)
        )
        return _case_render(request, page, status=refused_status(refused))
    if was_draft:
        messages.success(request, _("The draft was discarded."))
        return redirect("cases:mine")
    messages.success(request, _("Your application has been withdrawn."))
    return redirect("cases:case", case_id=case_id)


@require_safe
@applicant_required
def case_notice(request: HttpRequest, case_id: uuid.UUID, kind: str) -> HttpResponse:
    """A written notice or decision of the applicant's case as a PDF (delivered to them, 行政许可法 art. 38)."""
    case = _case_get(request, case_id)
    return pdf_response(notice_pdf(case, kind), notice_filename(case, kind))


@require_POST
@applicant_required
def password_reissue(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A new query password for tracking, shown once on this response (the old one stops working)."""
    case = _case_get(request, case_id)
    try:
        password = services.case_password_reissue(case=case, user=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("cases:case", case_id=case_id)
    page = CasePage(case=_case_get(request, case_id), form_data=case.form_data or {})
    return _case_render(request, page, password=password)
