"""Serving an uploaded case material: to its applicant, and to staff of the case's handling department.

Files live in private storage (never under a public MEDIA_URL); this view checks who asks on every request.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from onewindow.cases import selectors
from onewindow.cases.hooks import case_material_draw
from onewindow.cases.models import Case, CaseMaterial
from onewindow.catalogue.pdf import application_form_pdf, pdf_response
from onewindow.core.errors import NotFound, PermissionDenied

# Shown in the browser; anything else (OFD) is downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


def _case_for(user: Any, case_id: uuid.UUID) -> Case:
    """The case if the user is its applicant or on the staff of its department; otherwise 404 either way,
    so nobody learns that a case exists."""
    try:
        return selectors.case_get_for_applicant(user=user, case_id=case_id)
    except NotFound:
        if not user.is_staff:
            raise Http404 from None
    try:
        return selectors.case_get_for_staff(user=user, case_id=case_id)
    except (NotFound, PermissionDenied):
        raise Http404 from None


@require_safe
@login_required
def material_file(request: HttpRequest, case_id: uuid.UUID, material_id: uuid.UUID) -> FileResponse:
    """One uploaded file with the type detected at upload, under its original name."""
    case = _case_for(request.user, case_id)
    return material_response(case, material_id)


def material_response(case: Case, material_id: uuid.UUID) -> FileResponse:
    """Stream one material of a case the caller was allowed to see (checked by the calling view)."""
    row: CaseMaterial | None = next((m for m in case.materials.all() if m.pk == material_id), None)
    if row is not None and not row.file.name and row.reference and case_material_draw(row):
        # Attached by reference and not drawn by the worker yet: drawn now, once, and kept.
        row.refresh_from_db()
    if row is None or not row.file.name:
        raise Http404
    content_type = row.content_type or "application/octet-stream"
    response = FileResponse(
        row.file.open("rb"),
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        filename=row.original_name or row.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def form_pdf(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The application form as it stands, printed as the PDF a "generated online" material (申请书) becomes
    on submission: the applicant previews it instead of uploading one."""
    case = _case_for(request.user, case_id)
    content = application_form_pdf(version=case.item_version, data=case.form_data or {})
    return pdf_response(content, f"{case.item_version.name}-申请表.pdf")
