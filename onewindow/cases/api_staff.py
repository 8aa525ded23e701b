"""Cases over the API, the window's and the department's side: correction notices, acceptance and refusal,
suspension and resumption, extensions, conclusion and delivery. A post that may not act is 403."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router

from onewindow.cases import services
from onewindow.cases.api_shapes import AUTH, ERRORS, _detail
from onewindow.cases.models import Case, ExtensionRequest
from onewindow.cases.schemas import (
    AcceptedOut,
    CaseOut,
    ConcludeIn,
    CorrectionIn,
    DeliverIn,
    ExtendIn,
    ExtensionDecideIn,
    ExtensionRequestOut,
    RefuseIn,
    ResumeIn,
    SuspendIn,
    VersionIn,
)
from onewindow.cases.selectors import (
    case_get_for_staff,
    extension_request_get,
)
from onewindow.catalogue.models import Material
from onewindow.core.errors import DomainError

router = Router()  # tagged "cases" by the router it is mounted on (cases/api.py)


def _staff_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    return case_get_for_staff(user=request.user, case_id=case_id)


@router.post(
    "/cases/{case_id}/request-correction",
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_request_correction",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_accept",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_refuse",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_suspend",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_resume",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_extension_request",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_extension_decide",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_conclude",
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
    # Named as when it lived in cases/api.py: clients generated from docs/openapi.json keep working.
    operation_id="onewindow_cases_api_case_deliver",
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
