"""The dated notices of a case as PDFs (受理通知书, 不予受理通知书, 补正材料通知书, 特别程序告知书 (行政许可法
art. 45) and 不予行政许可决定书 (art. 38)): the window prints them,
the applicant downloads the same ones from the portal. Each carries a QR code to the public tracking page
(全程一码), drawn as inline SVG so the renderer never fetches anything.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, CaseEvent, CaseStatus, ConclusionCode, EventAction, ProcedureKind
from onewindow.cases.services.handling import PROCEDURE_ZH
from onewindow.catalogue.pdf import pdf_render
from onewindow.core.errors import NotFound
from onewindow.core.qr import qr_svg as _qr_svg

NOTICE_KINDS = ("acceptance", "refusal", "correction", "procedure", "denial")
NOTICE_NAMES = {
    "acceptance": "受理通知书",
    "refusal": "不予受理通知书",
    "correction": "补正材料通知书",
    "procedure": "特别程序告知书",
    "denial": "不予行政许可决定书",
}
_TEMPLATES = {kind: f"cases/pdf/{kind}.html" for kind in NOTICE_KINDS}
# The states in which each notice exists (an acceptance notice stays valid after the case moves on).
_ACCEPTED_LATER = {
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROCESS,
    CaseStatus.SUSPENDED,
    CaseStatus.CONCLUDED,
    CaseStatus.DELIVERED,
}


NOTICE_LABELS = {
    "acceptance": _("Notice of acceptance"),
    "refusal": _("Notice of non-acceptance"),
    "correction": _("Notice to complete or correct materials"),
    "procedure": _("Notice of a special procedure"),
    "denial": _("Decision not to grant the administrative licence"),
}


def tracking_url(case: Case) -> str:
    """The public tracking page of an accepted case (the query password is on the paper, never in the URL)."""
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL}/track/{case.number}/"


def case_page_url(case: Case) -> str:
    """The applicant's own page of the case (sign-in required): a case not accepted has no number to track."""
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL}/cases/{case.pk}/"


def rating_url(case: Case) -> str:
    """Where the applicant rates the handling (好差评): the ratings app serves this path (cases sits below
    it in the import layers, so the path is fixed rather than reversed); the page asks for sign-in."""
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL}/rate/case/{case.pk}/?via=qr"


# The notices a finished handling leaves the applicant with carry the rating QR (51号: every end state).
RATING_NOTICE_KINDS = frozenset({"acceptance", "refusal", "denial"})


def notice_kinds_available(case: Case) -> list[str]:
    """The notices that exist for the case in its current state."""
    kinds = []
    if case.number and (case.status in _ACCEPTED_LATER or case.accepted_at is not None):
        kinds.append("acceptance")
    if case.status == CaseStatus.NOT_ACCEPTED:
        kinds.append("refusal")
    if case.correction_requests.exists():
        kinds.append("correction")
    if _latest_procedure(case) is not None:
        kinds.append("procedure")
    if case.conclusion_code == ConclusionCode.DENIED:
        kinds.append("denial")
    return kinds


def notice_links(case: Case) -> list[dict[str, Any]]:
    """The case's notices as ``{"kind", "label"}`` for the pages that list them."""
    return [{"kind": kind, "label": NOTICE_LABELS[kind]} for kind in notice_kinds_available(case)]


def _latest_procedure(case: Case) -> Any:
    # .all() so a page's prefetch serves it; the newest special procedure (not an extension) is the one told.
    procedures = [p for p in case.special_procedures.all() if p.kind != ProcedureKind.EXTENSION]
    return max(procedures, key=lambda p: (p.started_on, p.created_at)) if procedures else None


def _notice_context(case: Case, kind: str) -> dict[str, Any]:
    if kind not in NOTICE_KINDS or kind not in notice_kinds_available(case):
        raise NotFound("该办件没有这份通知书。")
    company = case.company
    context: dict[str, Any] = {
        "case": case,
        "kind": kind,
        "item_name": case.item_version.name,
        "department": case.department,
        "applicant_name": company.name if company else str(case.applicant),
        "agent_name": str(case.applicant) if company else "",
        "id_number_masked": "" if company else case.applicant.id_number_masked,
        "credit_code": company.credit_code if company else "",
        "received_on": timezone.localdate(case.submitted_at) if case.submitted_at else None,
    }
    # Every notice carries a QR code: the public tracking page once there is a case number, else the
    # applicant's own page of the case.
    url = tracking_url(case) if case.number else case_page_url(case)
    context.update(tracking_url=url, qr_svg=mark_safe(_qr_svg(url)))  # noqa: S308 (segno's SVG, no user text)
    if kind in RATING_NOTICE_KINDS:
        context.update(rating_url=rating_url(case), rating_qr_svg=mark_safe(_qr_svg(rating_url(case))))  # noqa: S308
    if kind == "acceptance":
        assert case.accepted_at is not None
        context.update(
            issued_on=timezone.localdate(case.accepted_at),
            notice_number=case.number,
            due_on=case.due_on,
            promised_days=case.deadline.working_days if case.deadline else None,
        )
    elif kind == "refusal":
        event = CaseEvent.objects.filter(case=case, action=EventAction.NOT_ACCEPTED).order_by("-at").first()
        context.update(
            issued_on=timezone.localdate(event.at if event else case.closed_at or timezone.now()),
            notice_number=f"BY{case.pk.hex[:12].upper()}",
            reason=case.refusal_reason,
        )
    elif kind == "procedure":
        procedure = _latest_procedure(case)
        context.update(
            issued_on=procedure.started_on,
            notice_number=f"TB{procedure.started_on:%Y%m%d}{procedure.pk.hex[:8].upper()}",
            procedure=procedure,
            procedure_name=PROCEDURE_ZH[ProcedureKind(procedure.kind)],
        )
    elif kind == "denial":
        assert case.concluded_at is not None and case.accepted_at is not None
        region = case.department.region
        context.update(
            issued_on=timezone.localdate(case.concluded_at),
            notice_number=f"BYXK{timezone.localdate(case.concluded_at):%Y%m%d}{case.pk.hex[:8].upper()}",
            reason=case.conclusion_reason,
            accepted_on=timezone.localdate(case.accepted_at),
            # 行政复议法 (2023) art. 24: the people's government at the deciding department's level hears it.
            reconsideration_body=f"{region.name}人民政府",
        )
    else:
        notice = case.correction_requests.order_by("-sent_at").first()
        assert notice is not None
        context.update(
            issued_on=timezone.localdate(notice.sent_at),
            notice_number=notice.notice_number,
            correction=notice,
            deadline_on=notice.deadline_on,
        )
    return context


def notice_html(case: Case, kind: str) -> str:
    """The notice as the HTML the PDF is drawn from (for checks and previews)."""
    return render_to_string(_TEMPLATES.get(kind, ""), _notice_context(case, kind))


def notice_pdf(case: Case, kind: str) -> bytes:
    """The ``kind`` notice (one of ``NOTICE_KINDS``) of ``case`` as PDF bytes.

    Callers check who may see the case (staff of its department, or its applicant); a notice the case does
    not have (e.g. an acceptance notice before acceptance) raises ``NotFound``.
    """
    context = _notice_context(case, kind)
    return pdf_render(_TEMPLATES[kind], context)


def notice_filename(case: Case, kind: str) -> str:
    return f"{NOTICE_NAMES[kind]}-{case.number or case.pk.hex[:12]}.pdf"
