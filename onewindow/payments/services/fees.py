"""Fees: the item's fee schedule, a case's assessment at acceptance, waivers (减免), and the hold on the
decision until the fee is settled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from onewindow.cases.models import Case, ConclusionCode, EventAction
from onewindow.cases.services._common import staff_check
from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.organisations.models import Role
from onewindow.payments.models import CaseFee, FeeItem, FeeStatus, FeeWaiver
from onewindow.payments.services._common import CENT, amount_parse, case_event_add, yuan_text

# Who may waive a fee: the department's decision makers (a waiver is an administrative decision).
WAIVER_ROLES = (Role.APPROVER, Role.HEAD, Role.DEPARTMENT_ADMIN)


@transaction.atomic
def fee_item_upsert(
    *,
    actor: Any | None,
    item: Item,
    code: str,
    name: str,
    amount: Any,
    payee: str,
    basis: str = "",
    waivable: bool = False,
    position: int = 0,
) -> FeeItem:
    """Add or change one fee of an item's schedule (cases already assessed keep their bill)."""
    code, name, payee = code.strip(), name.strip(), payee.strip()
    if not code or not name or not payee:
        raise DomainError(code="fee_item.incomplete", message="收费项目须有项目编码、名称和收款单位。")
    fee, created = FeeItem.objects.update_or_create(
        item=item,
        code=code,
        defaults={
            "name": name,
            "amount": amount_parse(amount),
            "payee": payee,
            "basis": basis.strip(),
            "waivable": waivable,
            "position": position,
        },
    )
    audit_record(
        actor=actor,
        action="fee_item.create" if created else "fee_item.update",
        target=fee,
        changes={"item": item.implementation_code, "code": code, "amount": str(fee.amount)},
    )
    return fee


def _payer_name(case: Case) -> str:
    if case.company is not None:
        return case.company.name
    return str(case.applicant)


@transaction.atomic
def case_fee_assess(*, case: Case, actor: Any | None) -> CaseFee | None:
    """Bill the case from its item's fee schedule (缴费通知); None when the item charges nothing."""
    if case.is_bundle or CaseFee.objects.filter(case=case).exists():
        return None
    schedule = list(FeeItem.objects.filter(item_id=case.item_id))
    if not schedule:
        return None
    lines = [
        {
            "code": fee.code,
            "name": fee.name,
            "amount": str(fee.amount),
            "basis": fee.basis,
            "waivable": fee.waivable,
            "waived": "0.00",
        }
        for fee in schedule
    ]
    gross = sum((fee.amount for fee in schedule), Decimal("0")).quantize(CENT)
    fee = CaseFee.objects.create(
        case=case,
        lines=lines,
        gross=gross,
        amount_due=gross,
        payee=schedule[0].payee,
        payer_name=_payer_name(case),
        assessed_at=clock.now(),
    )
    case_event_add(
        case=case,
        action=EventAction.FEE_DUE,
        actor=actor,
        note=f"待缴费：{'、'.join(entry.name for entry in schedule)}，共 {yuan_text(gross)}。缴费后办结。",
    )
    audit_record(actor=actor, action="case_fee.assess", target=fee, changes={"gross": str(gross)})
    return fee


def on_case_accepted(*, case: Case, actor: Any | None, **_: Any) -> None:
    """CaseHook.ACCEPTED: the fee is due from acceptance on."""
    case_fee_assess(case=case, actor=actor)


def on_case_concluding(*, case: Case, actor: Any | None, code: int, **_: Any) -> None:
    """CaseHook.CONCLUDING: an approval (and the licence it issues) waits for the fee; a denial does not."""
    if code != ConclusionCode.APPROVED:
        return
    fee = CaseFee.objects.filter(case=case).first()
    if fee is not None and fee.status == FeeStatus.DUE:
        raise DomainError(
            code="payment.fee_unpaid",
            message=f"申请人尚未缴纳费用（待缴 {yuan_text(fee.amount_due)}），缴费或减免后才能出证办结。",
            status=409,
        )


@transaction.atomic
def fee_waive(*, fee: CaseFee, actor: Any, code: str, reason: str, basis: str, amount: Any = None) -> CaseFee:
    """Waive one fee line in full or in part (减免), with the reason and its legal basis."""
    fee = CaseFee.objects.select_for_update(of=("self",)).select_related("case__department").get(pk=fee.pk)
    staff_check(actor, fee.case, WAIVER_ROLES, "减免费用")
    if fee.status != FeeStatus.DUE:
        raise DomainError(
            code="payment.fee_settled", message="该费用已缴清或已减免，不能再减免。", status=409
        )
    if fee.orders.filter(state__in=["started", "submitted", "capturable"]).exists():
        raise DomainError(
            code="payment.order_in_progress",
            message="申请人正在支付中，请待支付结束（或订单过期）后再减免。",
            status=409,
        )
    reason, basis = reason.strip(), basis.strip()
    if not reason or not basis:
        raise DomainError(
            code="payment.waiver_incomplete", message="减免须写明理由和依据（文件名称及文号）。"
        )
    line = next((entry for entry in fee.lines if entry["code"] == code), None)
    if line is None:
        raise DomainError(code="payment.fee_line_unknown", message="该办件没有这一收费项目。")
    if not line.get("waivable"):
        raise DomainError(code="payment.not_waivable", message=f"“{line['name']}”按规定不可减免。")
    if FeeWaiver.objects.filter(fee=fee, code=code).exists():
        raise DomainError(code="payment.already_waived", message=f"“{line['name']}”已经减免过。", status=409)
    full = Decimal(line["amount"])
    waived = full if amount in (None, "") else amount_parse(amount)
    if waived > full:
        raise DomainError(
            code="payment.waiver_too_large", message=f"减免金额不能超过该项收费 {yuan_text(full)}。"
        )
    FeeWaiver.objects.create(fee=fee, code=code, amount=waived, reason=reason, basis=basis, granted_by=actor)
    line["waived"] = str(waived)
    fee.amount_due = (fee.amount_due - waived).quantize(CENT)
    fields = ["lines", "amount_due", "updated_at"]
    if fee.amount_due <= 0:
        fee.status, fee.settled_at = FeeStatus.WAIVED, clock.now()
        fields += ["status", "settled_at"]
    fee.save(update_fields=fields)
    # Nothing can be paid at the old amount any more.
    fee.orders.filter(state="created").update(state="cancelled", finished=True, failure_code="P0040")
    case_event_add(
        case=fee.case,
        action=EventAction.FEE_WAIVED,
        actor=actor,
        note=f"减免“{line['name']}” {yuan_text(waived)}（{basis}）；还需缴纳 {yuan_text(fee.amount_due)}。",
    )
    audit_record(
        actor=actor,
        action="case_fee.waive",
        target=fee,
        changes={"code": code, "amount": str(waived), "reason": reason, "basis": basis},
    )
    return fee
