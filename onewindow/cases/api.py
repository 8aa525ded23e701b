"""Cases over the API: apply (idempotent), upload materials, submit, the window's and the department's
decisions, the delivery log, and the public progress look-up by case number and query password (全程一码).

Applicants see only their own cases (another's is 404); staff act on their departments' cases, and an action
their post does not allow is 403. Every change may carry ``expected_version``: a stale one is 409
``case_state_conflict`` naming the current state."""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.params import HeaderEx, P, PathEx, QueryEx
from ninja.responses import Status

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus, ExtensionRequest, IdempotencyKey
from onewindow.cases.notifications import case_notifications as deliveries_of
from onewindow.cases.schemas import (
    AcceptedOut,
    CaseCreateIn,
    CaseListFilter,
    CaseMaterialOut,
    CaseOut,
    CaseSummaryOut,
    ConcludeIn,
    CorrectionIn,
    DeliverIn,
    ExtendIn,
    ExtensionDecideIn,
    ExtensionRequestOut,
    NotificationOut,
    PledgeIn,
    RefuseIn,
    ResumeIn,
    SuspendIn,
    TrackingOut,
    VersionIn,
    WithdrawIn,
)
from onewindow.cases.selectors import (
    case_get_for_applicant,
    case_get_for_staff,
    case_track,
    cases_for_applicant,
    cases_for_department,
    extension_request_get,
    tracking_attempt_hit,
)
from onewindow.catalogue.models import Material
from onewindow.catalogue.selectors import item_published_get
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.pagination import Pages
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_or_token
from onewindow.identity.models import Company
from onewindow.organisations.selectors import staff_memberships

router = Router(tags=["cases"])
AUTH = session_or_token("cases")
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}
IdempotencyKeyHeader = HeaderEx[
    str | None,
    P(
        alias="Idempotency-Key",
        max_length=100,
        description="a retried request with the same key returns the first request's case",
    ),
]


# --- reading ------------------------------------------------------------------------------------------


def _is_staff(user: Any) -> bool:
    return staff_memberships(user=user).exists()


def _case_for(user: Any, case_id: uuid.UUID) -> Case:
    """The case as its applicant sees it, or as staff of its department; a citizen asking for anyone else's
    case learns nothing (404)."""
    try:
        return case_get_for_applicant(user=user, case_id=case_id)
    except NotFound:
        if not _is_staff(user):
            raise
    return case_get_for_staff(user=user, case_id=case_id)


def _code_label(value: str | int, label: Any) -> dict[str, str]:
    return {"code": str(value), "label": str(label)}


def _summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": _code_label(case.status, case.get_status_display()),
        "version": case.version,
        "item": {
            "implementation_code": case.item.implementation_code,
            "name": case.item_version.name,
            "guide_version": case.item_version.number,
        },
        "department": {"id": case.department.pk, "name": case.department.name},
        "applicant_name": str(case.applicant),
        "company_name": case.company.name if case.company else None,
        "walk_in": case.walk_in,
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_on": case.due_on,
    }


class Summaries:
    """Cases as summaries for the pagination, which counts and slices them in the database: a department may
    have a million cases."""

    def __init__(self, cases: QuerySet[Case]) -> None:
        self.cases = cases

    def __len__(self) -> int:
        return self.cases.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [_summary(case) for case in self.cases[page]]


def _material(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "material_id": row.material_id,
        "material": row.material.name,
        "original_name": row.original_name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "trust_level": row.trust_level,
        "status": row.status,
        "note": row.note,
        "pledge_text": row.pledge_text,
        "pledged_at": row.pledged_at,
    }


def _detail(case: Case) -> dict[str, Any]:
    # Read afresh: after a change the prefetched relations of the caller's copy are stale.
    case = Case.objects.select_related(
        "applicant__user", "company", "item", "item_version", "department", "delivery_deadline"
    ).get(pk=case.pk)
    return {
        **_summary(case),
        "form_data": case.form_data,
        "intake_due_on": case.intake_due_on,
        "accepted_by_default": case.accepted_by_default,
        "accepted_late": case.accepted_late,
        "refusal_reason": case.refusal_reason,
        "extended_days": case.extended_days,
        "conclusion_code": case.conclusion_code,
        "result": case.result,
        "conclusion_reason": case.conclusion_reason,
        "concluded_at": case.concluded_at,
        "delivery_method": case.delivery_method,
        "tracking_number": case.tracking_number,
        "delivered_at": case.delivered_at,
        "deliver_by": case.delivery_due_on,
        "materials": [_material(row) for row in case.materials.select_related("material")],
        "correction_requests": [
            {
                "notice_number": notice.notice_number,
                "sent_at": notice.sent_at,
                "deadline_on": notice.deadline_on,
                "resolved_at": notice.resolved_at,
                "items": [
                    {
                        "material_id": str(entry["material_id"]),
                        "material": entry["material"],
                        "problem": entry["problem"],
                    }
                    for entry in notice.items
                ],
            }
            for notice in case.correction_requests.order_by("sent_at")
        ],
        "special_procedures": [
            {
                "kind": _code_label(procedure.kind, procedure.get_kind_display()),
                "basis": procedure.basis,
                "reason": procedure.reason,
                "started_on": procedure.started_on,
                "ended_on": procedure.ended_on,
                "working_days": procedure.working_days,
                "expected_working_days": procedure.expected_working_days,
                "expected_end_on": procedure.expected_end_on,
            }
            for procedure in case.special_procedures.order_by("started_on", "created_at")
        ],
        "timeline": [
            {
                "action": _code_label(event.action, event.get_action_display()),
                "status": event.to_status,
                "department": event.department.name if event.department else "",
                "at": event.at,
                "note": event.note,
            }
            for event in case.events.filter(public=True)
            .select_related("department")
            .order_by("at", "created_at")
        ],
    }


@router.get(
    "/cases",
    auth=AUTH,
    throttle=[],
    response={200: list[CaseSummaryOut], **ERRORS},
    summary="My cases, or (staff, scope=department) my departments' cases",
)
@paginate(Pages, page_size=20)
def cases_list(request: HttpRequest, filters: Query[CaseListFilter]) -> Summaries:
    status = filters.status.value if filters.status else None
    if filters.scope == "department":
        return Summaries(cases_for_department(user=request.user, status=status))
    return Summaries(cases_for_applicant(user=request.user, status=status))


@router.get("/cases/{case_id}", auth=AUTH, throttle=[], response={200: CaseOut, **ERRORS}, summary="One case")
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> dict[str, Any]:
    return _detail(_case_for(request.user, case_id))


@router.get(
    "/cases/{case_id}/notifications",
    auth=AUTH,
    throttle=[],
    response={200: list[NotificationOut], **ERRORS},
    summary="The case's notification delivery log (its applicant, or staff of its department)",
)
def case_notifications(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    deliveries = deliveries_of(_case_for(request.user, case_id))
    return [
        {
            "event": delivery.event,
            "channel": _code_label(delivery.channel, delivery.get_channel_display()),
            "recipient": delivery.recipient,
            "status": _code_label(delivery.status, delivery.get_status_display()),
            "attempts": delivery.attempts,
            "last_error": delivery.last_error,
            "next_attempt_at": delivery.next_attempt_at,
            "sent_at": delivery.sent_at,
            "provider_message_id": delivery.provider_message_id,
            "created_at": delivery.created_at,
        }
        for delivery in deliveries
    ]


# --- applying -----------------------------------------------------------------------------------------


def _company(company_id: uuid.UUID | None) -> Company | None:
    if company_id is None:
        return None
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound("未找到该企业。")
    return company


@router.post(
    "/cases",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, 201: CaseOut, **ERRORS},
    summary="Start a draft, or with `submit: true` start and submit (Idempotency-Key honoured)",
)
def case_create(
    request: HttpRequest, payload: CaseCreateIn, idempotency_key: IdempotencyKeyHeader = None
) -> Status:
    try:
        item = item_published_get(implementation_code=payload.item)
    except NotFound:
        raise DomainError(
            code="item_not_found",
            message="未找到该事项，请检查实施编码是否正确、事项是否已发布。",
            status=404,
        ) from None
    company = _company(payload.company_id)
    user: Any = request.user
    # Only for the status code (200 for a replay): the service itself decides under the key's lock.
    replay = (
        bool(idempotency_key)
        and IdempotencyKey.objects.filter(user=user, key=(idempotency_key or "").strip()).exists()
    )
    if payload.submit:
        case = services.case_create_and_submit(
            user=request.user,
            item=item,
            form_data=payload.form_data,
            company=company,
            idempotency_key=idempotency_key,
        )
    else:
        case = services.case_start(
            user=request.user,
            item=item,
            company=company,
            form_data=payload.form_data,
            idempotency_key=idempotency_key,
        )
    return Status(200 if replay else 201, _detail(case))


@router.post(
    "/cases/{case_id}/materials",
    auth=AUTH,
    throttle=[],
    response={200: CaseMaterialOut, 201: CaseMaterialOut, 413: ErrorOut, 415: ErrorOut, **ERRORS},
    summary="Upload a material (multipart: material_id and file); type checked by content, virus scanned "
    "(Idempotency-Key honoured)",
)
def case_material_upload(
    request: HttpRequest,
    case_id: uuid.UUID,
    material_id: Form[uuid.UUID],
    file: File[UploadedFile],
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status:
    user: Any = request.user
    case = case_get_for_applicant(user=user, case_id=case_id)
    material = Material.objects.filter(pk=material_id).first()
    if material is None:
        raise DomainError(
            code="material_not_in_guide",
            message="该材料不在本办件适用的办事指南中，请从指南所列材料中选择。",
        )
    # Only for the status code (200 for a replay): the service itself decides under the key's lock.
    replay = (
        bool(idempotency_key)
        and IdempotencyKey.objects.filter(user=user, key=(idempotency_key or "").strip()).exists()
    )
    row = services.case_material_attach(
        case=case, user=request.user, material=material, upload=file, idempotency_key=idempotency_key
    )
    return Status(200 if replay else 201, _material(row))


@router.post(
    "/cases/{case_id}/pledges",
    auth=AUTH,
    throttle=[],
    response={201: CaseMaterialOut, **ERRORS},
    summary="Replace a material by a signed pledge (告知承诺, trust level D) where the guide allows it",
)
def case_material_pledge(request: HttpRequest, case_id: uuid.UUID, payload: PledgeIn) -> Status:
    case = case_get_for_applicant(user=request.user, case_id=case_id)
    material = Material.objects.filter(pk=payload.material_id).first()
    if material is None:
        raise DomainError(
            code="material_not_in_guide",
            message="该材料不在本办件适用的办事指南中，请从指南所列材料中选择。",
        )
    row = services.case_material_pledge(
        case=case, user=request.user, material=material, accepted=payload.accept
    )
    return Status(201, _material(row))


@router.post(
    "/cases/{case_id}/submit",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="Submit a draft, or resubmit after a correction request (Idempotency-Key honoured)",
)
def case_submit(
    request: HttpRequest,
    case_id: uuid.UUID,
    payload: VersionIn | None = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> dict[str, Any]:
    case = case_get_for_applicant(user=request.user, case_id=case_id)
    expected = payload.expected_version if payload else None
    if case.status == CaseStatus.CORRECTION_REQUESTED:
        case = services.case_resubmit(case=case, actor=request.user, expected_version=expected)
    else:
        case = services.case_submit(
            case=case, actor=request.user, idempotency_key=idempotency_key, expected_version=expected
        )
    return _detail(case)


@router.post(
    "/cases/{case_id}/withdraw",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="Withdraw an application not yet accepted (applicant)",
)
def case_withdraw(request: HttpRequest, case_id: uuid.UUID, payload: WithdrawIn) -> dict[str, Any]:
    case = case_get_for_applicant(user=request.user, case_id=case_id)
    return _detail(
        services.case_withdraw(
            case=case, actor=request.user, reason=payload.reason, expected_version=payload.expected_version
        )
    )


# --- the window and the department ----------------------------------------------------------------------


def _staff_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return case_get_for_staff(user=request.user, case_id=case_id)


@router.post(
    "/cases/{case_id}/request-correction",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="Send one correction notice listing every missing or defective material (window clerk)",
)
def case_request_correction(
    request: HttpRequest, case_id: uuid.UUID, payload: CorrectionIn
) -> dict[str, Any]:
    case = _staff_case(request, case_id)
    # Materials of another guide are refused by the service; ids of no material at all, here.
    materials = Material.objects.in_bulk([problem.material_id for problem in payload.problems])
    if any(problem.material_id not in materials for problem in payload.problems):
        raise DomainError(
            code="correction_material_not_in_guide",
            message="补正告知只能列明办事指南所列的材料，不得增加指南以外的要求。",
        )
    services.case_correction_request(
        case=case,
        clerk=request.user,
        problems=[(materials[problem.material_id], problem.problem) for problem in payload.problems],
        expected_version=payload.expected_version,
    )
    return _detail(case)


@router.post(
    "/cases/{case_id}/accept",
    auth=AUTH,
    throttle=[],
    response={200: AcceptedOut, **ERRORS},
    summary="Accept (window clerk): the case number and the query password, shown once",
)
def case_accept(request: HttpRequest, case_id: uuid.UUID, payload: VersionIn | None = None) -> dict[str, Any]:
    accepted = services.case_accept(
        case=_staff_case(request, case_id),
        clerk=request.user,
        expected_version=payload.expected_version if payload else None,
    )
    return {
        "case": _detail(accepted.case),
        "number": accepted.case.number,
        "query_password": accepted.query_password,
    }


@router.post(
    "/cases/{case_id}/refuse",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="Decide not to accept, with the reason (window clerk)",
)
def case_refuse(request: HttpRequest, case_id: uuid.UUID, payload: RefuseIn) -> dict[str, Any]:
    case = services.case_refuse(
        case=_staff_case(request, case_id),
        clerk=request.user,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(case)


@router.post(
    "/cases/{case_id}/suspend",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="Start a special procedure; the clock stops (reviewer or approver)",
)
def case_suspend(request: HttpRequest, case_id: uuid.UUID, payload: SuspendIn) -> dict[str, Any]:
    case = _staff_case(request, case_id)
    services.case_suspend(
        case=case,
        actor=request.user,
        kind=payload.kind,
        reason=payload.reason,
        basis=payload.basis,
        expected_working_days=payload.expected_working_days,
        started_on=payload.started_on,
        expected_version=payload.expected_version,
    )
    return _detail(case)


@router.post(
    "/cases/{case_id}/resume",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="End the special procedure; the due date moves by the paused working days",
)
def case_resume(request: HttpRequest, case_id: uuid.UUID, payload: ResumeIn) -> dict[str, Any]:
    case = services.case_resume(
        case=_staff_case(request, case_id),
        actor=request.user,
        ended_on=payload.ended_on,
        expected_version=payload.expected_version,
    )
    return _detail(case)


@router.post(
    "/cases/{case_id}/extension-requests",
    auth=AUTH,
    throttle=[],
    response={200: ExtensionRequestOut, **ERRORS},
    summary="Ask the head of the agency to extend the time limit (reviewer or approver)",
)
def case_extension_request(request: HttpRequest, case_id: uuid.UUID, payload: ExtendIn) -> ExtensionRequest:
    return services.case_extension_request(
        case=_staff_case(request, case_id),
        requester=request.user,
        working_days=payload.working_days,
        reason=payload.reason,
        basis=payload.basis,
        expected_version=payload.expected_version,
    )


@router.post(
    "/cases/{case_id}/extension-requests/{request_id}/decide",
    auth=AUTH,
    throttle=[],
    response={200: ExtensionRequestOut, **ERRORS},
    summary="Approve or refuse an extension request (head of the agency, 行政许可法 art. 42)",
)
def case_extension_decide(
    request: HttpRequest, case_id: uuid.UUID, request_id: uuid.UUID, payload: ExtensionDecideIn
) -> ExtensionRequest:
    case = _staff_case(request, case_id)
    return services.case_extension_decide(
        request=extension_request_get(case=case, request_id=request_id),
        head=request.user,
        approve=payload.approve,
        note=payload.note,
    )


@router.post(
    "/cases/{case_id}/conclude",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="Decide: approve, deny, void or forward (approver; window clerk for 即办件)",
)
def case_conclude(request: HttpRequest, case_id: uuid.UUID, payload: ConcludeIn) -> dict[str, Any]:
    case = services.case_conclude(
        case=_staff_case(request, case_id),
        actor=request.user,
        code=payload.code,
        result=payload.result,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _detail(case)


@router.post(
    "/cases/{case_id}/deliver",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, **ERRORS},
    summary="Record the delivery of the result: window, post or electronic",
)
def case_deliver(request: HttpRequest, case_id: uuid.UUID, payload: DeliverIn) -> dict[str, Any]:
    case = services.case_deliver(
        case=_staff_case(request, case_id),
        actor=request.user,
        method=payload.method,
        address=payload.address,
        tracking_number=payload.tracking_number,
        expected_version=payload.expected_version,
    )
    return _detail(case)


# --- public tracking ------------------------------------------------------------------------------------


@router.get(
    "/track/{case_number}",
    response={200: TrackingOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="Track a case by its number and query password (public, rate limited)",
)
def case_track_public(
    request: HttpRequest,
    case_number: PathEx[str, P(max_length=50, description="the case number (受理编号)")],
    password: QueryEx[str, P(max_length=20, description="the query password on the acceptance notice")],
) -> Any:
    tracking_attempt_hit(case_number)  # besides the per-address budget (the API's throttle)
    return case_track(case_number=case_number, password=password)
