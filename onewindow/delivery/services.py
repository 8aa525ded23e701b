"""Postal delivery writes: sending the result by post, the courier's tracking updates (forward only, each
on the case's timeline; "delivered" records the case's delivery), and materials posted to the hall."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from onewindow.cases.models import Case, CaseEvent, CaseStatus, DeliveryMethod, EventAction
from onewindow.cases.services import case_deliver
from onewindow.cases.services._common import HANDLING_ROLES, staff_check, text_required
from onewindow.core import clock
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.plugins import plugin
from onewindow.core.services import audit_record
from onewindow.delivery.couriers import Courier, TrackingUpdate
from onewindow.delivery.models import STATUS_RANK, Direction, Shipment, ShipmentStatus, ShipmentUpdate
from onewindow.halls.selectors import collection_centre

# Timeline notes are stored text in Chinese, whatever the language of the request that caused them.
STATUS_ZH = {
    ShipmentStatus.CREATED: "已下单",
    ShipmentStatus.PICKED_UP: "已揽收",
    ShipmentStatus.IN_TRANSIT: "运输中",
    ShipmentStatus.OUT_FOR_DELIVERY: "派送中",
    ShipmentStatus.DELIVERED: "已签收",
    ShipmentStatus.RETURNED: "已退回",
    ShipmentStatus.EXCEPTION: "派送异常",
}


def courier() -> Courier:
    active: Courier = plugin("courier")
    return active


def _timeline(case: Case, *, action: str, actor: Any | None, note: str) -> None:
    CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=case.status,
        to_status=case.status,
        department_id=case.department_id,
        actor=actor,
        at=clock.now(),
        note=note,
    )


def _sender_address(case: Case) -> str:
    centre = collection_centre(item_id=case.item_id)
    return centre.address if centre is not None else case.department.name


@transaction.atomic
def shipment_send(*, case: Case, actor: Any) -> Shipment:
    """Post the result of a concluded case to the address the applicant chose (邮寄送达)."""
    staff_check(actor, case, HANDLING_ROLES, "寄出办理结果", at_comprehensive_window=True)
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("applicant", "department").get(pk=case.pk)
    )
    if case.status != CaseStatus.CONCLUDED:
        raise DomainError(code="delivery.not_concluded", message="办件办结后才能寄出办理结果。", status=409)
    if case.delivery_method != DeliveryMethod.POST or not case.delivery_address:
        raise DomainError(
            code="delivery.not_post", message="申请人没有选择邮寄送达，或没有填写收件地址。", status=409
        )
    if case.shipments.filter(direction=Direction.OUTBOUND).exclude(status=ShipmentStatus.RETURNED).exists():
        raise DomainError(code="delivery.already_sent", message="该办件的办理结果已经寄出。", status=409)
    active = courier()
    number = active.order(
        reference=case.number or str(case.pk),
        recipient=str(case.applicant),
        phone=case.applicant.phone,
        address=case.delivery_address,
        sender_address=_sender_address(case),
    )
    shipment = Shipment.objects.create(
        case=case,
        direction=Direction.OUTBOUND,
        courier=active.name,
        tracking_number=number,
        status=ShipmentStatus.CREATED,
        address=case.delivery_address,
        created_by=actor,
    )
    _timeline(
        case,
        action=EventAction.SHIPMENT,
        actor=actor,
        note=f"办理结果已交寄（{active.label}），快递单号 {number}。",
    )
    audit_record(actor=actor, action="shipment.send", target=shipment, changes={"tracking_number": number})
    return shipment


def shipment_updates_receive(*, courier_name: str, headers: dict[str, str], body: bytes) -> int:
    """A courier's push: authenticated, then each update applied once; the number that changed a status."""
    active = courier()
    if active.name != courier_name:
        raise NotFound("没有这个快递渠道。")
    return sum(
        _update_apply(active.name, update) for update in active.updates_parse(headers=headers, body=body)
    )


@transaction.atomic
def _update_apply(courier_name: str, update: TrackingUpdate) -> bool:
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("case", "created_by")
        .filter(courier=courier_name, tracking_number=update.tracking_number)
        .first()
    )
    if shipment is None:
        return False
    try:
        with transaction.atomic():
            row = ShipmentUpdate.objects.create(
                shipment=shipment, status=update.status, at=update.at, description=update.description
            )
    except IntegrityError:
        return False  # the same update again
    status = ShipmentStatus(update.status)
    if shipment.is_final:
        return False
    if status != ShipmentStatus.EXCEPTION:
        rank = STATUS_RANK[status]
        # Out of order (an earlier step reported after a later one) or a repeat — unless the parcel is
        # recovering from a problem at the same step.
        if rank < shipment.rank or (rank == shipment.rank and shipment.status != ShipmentStatus.EXCEPTION):
            return False
    shipment.status = status
    if status != ShipmentStatus.EXCEPTION:
        shipment.rank = STATUS_RANK[status]
    shipment.save(update_fields=["status", "rank", "updated_at"])
    row.applied = True
    row.save(update_fields=["applied", "updated_at"])
    case = shipment.case
    note = f"邮件 {shipment.tracking_number}：{STATUS_ZH[status]}"
    note += f"（{update.description}）" if update.description else ""
    _timeline(case, action=EventAction.SHIPMENT, actor=None, note=note)
    audit_record(actor=None, action=f"shipment.{status}", target=shipment)
    outbound = shipment.direction == Direction.OUTBOUND and shipment.created_by is not None
    if status == ShipmentStatus.DELIVERED and outbound and case.status == CaseStatus.CONCLUDED:
        # Signed for: the result is delivered (行政许可法 art. 44's clock stops).
        case_deliver(
            case=case,
            actor=shipment.created_by,
            method=DeliveryMethod.POST,
            address=shipment.address,
            tracking_number=shipment.tracking_number,
        )
    return True


@transaction.atomic
def inbound_shipment_register(*, case: Case, user: Any, courier_label: str, tracking_number: str) -> Shipment:
    """The applicant posts paper materials to the hall and records the parcel (寄递材料)."""
    if case.status in {CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.NOT_ACCEPTED, CaseStatus.DELIVERED}:
        raise DomainError(
            code="delivery.inbound_closed", message="提交申请后、办结送达前才能登记邮寄材料。", status=409
        )
    courier_label = text_required(
        courier_label, code="delivery.courier_required", message="请填写快递公司。"
    )[:40]
    number = text_required(tracking_number, code="delivery.tracking_required", message="请填写快递单号。")[
        :50
    ]
    centre = collection_centre(item_id=case.item_id)
    if Shipment.objects.filter(courier=courier_label, tracking_number=number).exists():
        raise DomainError(code="delivery.tracking_taken", message="这个快递单号已经登记过。", status=409)
    shipment = Shipment.objects.create(
        case=case,
        direction=Direction.INBOUND,
        courier=courier_label,
        tracking_number=number,
        status=ShipmentStatus.IN_TRANSIT,
        rank=STATUS_RANK[ShipmentStatus.IN_TRANSIT],
        address=centre.address if centre is not None else case.department.name,
        created_by=user,
    )
    _timeline(
        case,
        action=EventAction.MATERIALS_POSTED,
        actor=user,
        note=f"申请人邮寄材料（{courier_label} {number}）。",
    )
    audit_record(actor=user, action="shipment.inbound_register", target=shipment)
    return shipment


@transaction.atomic
def inbound_shipment_receive(*, shipment: Shipment, actor: Any) -> Shipment:
    """The hall signs for materials the applicant posted."""
    shipment = (
        Shipment.objects.select_for_update(of=("self",))
        .select_related("case__department")
        .get(pk=shipment.pk)
    )
    staff_check(actor, shipment.case, HANDLING_ROLES, "签收邮寄材料", at_comprehensive_window=True)
    if shipment.direction != Direction.INBOUND or shipment.received_at is not None:
        raise DomainError(
            code="delivery.not_receivable", message="该邮件已签收，或不是寄来的材料。", status=409
        )
    shipment.status, shipment.rank = ShipmentStatus.DELIVERED, STATUS_RANK[ShipmentStatus.DELIVERED]
    shipment.received_by, shipment.received_at = actor, clock.now()
    shipment.save(update_fields=["status", "rank", "received_by", "received_at", "updated_at"])
    _timeline(
        shipment.case,
        action=EventAction.MATERIALS_RECEIVED,
        actor=actor,
        note=f"窗口已签收申请人邮寄的材料（{shipment.courier} {shipment.tracking_number}）。",
    )
    audit_record(actor=actor, action="shipment.inbound_receive", target=shipment)
    return shipment
