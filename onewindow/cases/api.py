"""Cases over the API: apply (idempotent), upload materials, submit, the window's and the department's
decisions, the delivery log, and the public progress look-up by case number and query password (全程一码).

Applicants see only their own cases (another's is 404); staff act on their departments' cases, and an action
their post does not allow is 403. Every change may carry ``expected_version``: a stale one is 409
``case_state_conflict`` naming the current state."""

import json
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.params import HeaderEx, P, PathEx, QueryEx
from ninja.responses import Status

from onewindow.cases import services
from onewindow.cases.api_shapes import AUTH, ERRORS, Summaries, _code_label, _detail, _material
from onewindow.cases.api_staff import router as staff_router
from onewindow.cases.models import Case, CaseStatus, IdempotencyKey
from onewindow.cases.notifications import case_notifications as deliveries_of
from onewindow.cases.schemas import (
    CaseCreateIn,
    CaseListFilter,
    CaseMaterialOut,
    CaseOut,
    CaseSummaryOut,
    NotificationOut,
    PledgeIn,
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
    tracking_attempt_hit,
)
from onewindow.catalogue.models import Material
from onewindow.catalogue.selectors import item_published_get
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.pagination import Pages
from onewindow.core.ratelimit import client_address
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.models import Company
from onewindow.organisations.selectors import staff_memberships

router = Router(tags=["cases"])
# The window's and the department's decisions (cases/api_staff.py): same paths, same tag.
router.add_router("", staff_router)
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
    item = _item(payload.item)
    company = _company(payload.company_id)
    replay = _replayed(request.user, idempotency_key)
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


def _item(implementation_code: str) -> Any:
    try:
        return item_published_get(implementation_code=implementation_code)
    except NotFound:
        raise DomainError(
            code="item_not_found",
            message="未找到该事项，请检查实施编码是否正确、事项是否已发布。",
            status=404,
        ) from None


def _replayed(user: Any, idempotency_key: str | None) -> bool:
    """Only for the status code (200 for a replay): the service itself decides under the key's lock."""
    return (
        bool(idempotency_key)
        and IdempotencyKey.objects.filter(user=user, key=(idempotency_key or "").strip()).exists()
    )


def _json_form_field(text: str, *, expected: type, code: str, message: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, expected):
        raise DomainError(code=code, message=message, status=422)
    return value


@router.post(
    "/submissions",
    auth=AUTH,
    throttle=[],
    response={200: CaseOut, 201: CaseOut, 413: ErrorOut, 415: ErrorOut, **ERRORS},
    summary="Start, upload the materials and submit in one request (multipart: item, form_data as JSON, "
    "materials as a JSON list naming the material key of each file in order; Idempotency-Key honoured)",
)
def case_create_with_files(
    request: HttpRequest,
    item: Form[str],
    form_data: Form[str] = "{}",
    materials: Form[str] = "[]",
    company_id: Form[uuid.UUID | None] = None,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    idempotency_key: IdempotencyKeyHeader = None,
) -> Status:
    found = _item(item[:40])
    company = _company(company_id)
    form = _json_form_field(
        form_data, expected=dict, code="form_data_invalid", message="申请表数据须为 JSON 对象。"
    )
    keys = _json_form_field(
        materials, expected=list, code="materials_invalid", message="materials 须为材料编码的 JSON 列表。"
    )
    files = files or []
    if len(keys) != len(files) or not all(isinstance(key, str) for key in keys):
        raise DomainError(
            code="materials_invalid",
            message="materials 须为每个上传文件各列一个材料编码，顺序与文件一致。",
            status=422,
        )
    replay = _replayed(request.user, idempotency_key)
    case = services.case_create_and_submit(
        user=request.user,
        item=found,
        form_data=form,
        company=company,
        idempotency_key=idempotency_key,
        uploads=list(zip(keys, files, strict=True)),
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
    replay = _replayed(user, idempotency_key)
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


# --- public tracking ------------------------------------------------------------------------------------


@router.get(
    "/track/{case_number}",
    # Counted here, per address and per number in one round trip, instead of by the API's throttle.
    throttle=[],
    response={200: TrackingOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="Track a case by its number and query password (public, rate limited)",
)
def case_track_public(
    request: HttpRequest,
    case_number: PathEx[str, P(max_length=50, description="the case number (受理编号)")],
    password: QueryEx[str, P(max_length=20, description="the query password on the acceptance notice")],
) -> Any:
    tracking_attempt_hit(case_number, address=client_address(request))
    return case_track(case_number=case_number, password=password)
