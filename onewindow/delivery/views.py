"""Postal delivery pages: the delivery section of the applicant's case page (choice of 送达方式, the parcels
and their tracking), the courier push endpoint, and the workbench's parcel list (send, sign for, and in the
sandbox move a parcel on)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from onewindow.cases.models import Case, DeliveryMethod
from onewindow.cases.selectors import case_get_for_applicant, case_get_for_staff
from onewindow.cases.services import case_delivery_choose
from onewindow.cases.services.delivery_choice import CHOOSABLE_STATUSES
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.delivery import selectors, services
from onewindow.delivery.couriers import SandboxCourier
from onewindow.delivery.models import Direction, Shipment, ShipmentStatus

SHIPMENTS_PER_PAGE = 30
# The sandbox's parcels move along this list, one step per press.
SANDBOX_NEXT = {
    ShipmentStatus.CREATED: ShipmentStatus.PICKED_UP,
    ShipmentStatus.PICKED_UP: ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.IN_TRANSIT: ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.OUT_FOR_DELIVERY: ShipmentStatus.DELIVERED,
    ShipmentStatus.EXCEPTION: ShipmentStatus.IN_TRANSIT,
}


def case_delivery_section(*, case: Case, request: HttpRequest) -> str:
    """The "delivery" section of the applicant's case page (cases.hooks.case_section_register)."""
    if case.is_bundle:
        return ""
    person = getattr(request.user, "person", None)
    return render_to_string(
        "delivery/_case_section.html",
        {
            "case": case,
            "choosable": case.status in CHOOSABLE_STATUSES,
            "methods": DeliveryMethod.choices,
            "address": case.delivery_address or (person.postal_address if person is not None else ""),
            "shipments": list(case.shipments.prefetch_related("updates")),
            "can_post_materials": case.status not in {"draft", "withdrawn", "not_accepted", "delivered"},
        },
        request=request,
    )


@login_required
@require_POST
def delivery_choose(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        case = case_get_for_applicant(user=request.user, case_id=case_id)
    try:
        case_delivery_choose(
            case=case,
            user=request.user,
            method=request.POST.get("method", ""),
            address=request.POST.get("address", ""),
        )
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "已保存送达方式。")
    return redirect("cases:case", case_id)


@login_required
@require_POST
def inbound_register(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        case = case_get_for_applicant(user=request.user, case_id=case_id)
    try:
        services.inbound_shipment_register(
            case=case,
            user=request.user,
            courier_label=request.POST.get("courier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
        )
    except DomainError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "已登记邮寄材料，窗口签收后会在办理进程中显示。")
    return redirect("cases:case", case_id)


@csrf_exempt
@require_POST
def courier_notify(request: HttpRequest, courier_name: str) -> HttpResponse:
    """The courier's tracking push; 快递100 expects ``{"result": true, "returnCode": "200"}``."""
    headers = {key: str(value) for key, value in request.headers.items()}
    try:
        services.shipment_updates_receive(courier_name=courier_name, headers=headers, body=request.body)
    except DomainError as refused:
        return JsonResponse(
            {"result": False, "returnCode": str(refused.status), "message": refused.message},
            status=refused.status,
        )
    return JsonResponse({"result": True, "returnCode": "200", "message": "成功"})


# --- workbench ------------------------------------------------------------------------------------------


@login_required
@require_safe
def shipment_list(request: HttpRequest) -> HttpResponse:
    direction = request.GET.get("direction", "")
    with refusals_as_http():
        shipments = selectors.shipments_for_staff(
            user=request.user, direction=direction if direction in Direction.values else ""
        )
    page = Paginator(shipments, SHIPMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "delivery/staff/shipment_list.html",
        {
            "page": page,
            "direction": direction,
            "directions": Direction.choices,
            "sandbox": isinstance(services.courier(), SandboxCourier),
            "awaiting": list(selectors.cases_awaiting_post(user=request.user)[:50]),
        },
    )


@login_required
@require_POST
def shipment_send(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        case = case_get_for_staff(user=request.user, case_id=case_id)
    try:
        shipment = services.shipment_send(case=case, actor=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
        return redirect("cases_staff:case_detail", case_id)
    messages.success(request, f"已寄出，快递单号 {shipment.tracking_number}。")
    return redirect("delivery_staff:shipments")


@login_required
@require_POST
def shipment_receive(request: HttpRequest, shipment_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        shipment = selectors.shipment_get_for_staff(user=request.user, shipment_id=shipment_id)
    try:
        services.inbound_shipment_receive(shipment=shipment, actor=request.user)
    except DomainError as refused:
        messages.error(request, refused.message)
    return redirect("delivery_staff:shipments")


@login_required
@require_POST
def sandbox_advance(request: HttpRequest, shipment_id: uuid.UUID) -> HttpResponse:
    """Sandbox only: the courier moves the parcel one step and pushes the update like a real one."""
    with refusals_as_http():
        shipment: Shipment = selectors.shipment_get_for_staff(user=request.user, shipment_id=shipment_id)
    active = services.courier()
    following = SANDBOX_NEXT.get(ShipmentStatus(shipment.status))
    if (
        not isinstance(active, SandboxCourier)
        or following is None
        or shipment.direction != Direction.OUTBOUND
    ):
        messages.error(request, "该邮件不能再推进。")
        return redirect("delivery_staff:shipments")
    headers, body = active.push(tracking_number=shipment.tracking_number, status=following, description="")
    services.shipment_updates_receive(courier_name=active.name, headers=headers, body=body)
    return redirect("delivery_staff:shipments")
