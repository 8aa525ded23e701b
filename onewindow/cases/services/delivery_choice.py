"""The applicant's choice of how to receive the result (送达方式), made when applying and changeable until
the decision: window pick-up, post to an address, or electronic delivery."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from onewindow.cases.models import Case, CaseStatus, DeliveryMethod
from onewindow.cases.services._common import case_lock, text_required
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record

CHOOSABLE_STATUSES = frozenset(
    {
        CaseStatus.DRAFT,
        CaseStatus.SUBMITTED,
        CaseStatus.CORRECTION_REQUESTED,
        CaseStatus.ACCEPTED,
        CaseStatus.IN_PROCESS,
        CaseStatus.SUSPENDED,
    }
)


@transaction.atomic
def case_delivery_choose(*, case: Case, user: Any, method: str, address: str = "") -> Case:
    """Record how the applicant wants the result; a postal choice needs the address to send it to."""
    if method not in DeliveryMethod.values:
        raise DomainError(
            code="delivery_method_invalid", message="送达方式应为窗口领取、邮寄或电子送达之一。"
        )
    if method == DeliveryMethod.POST:
        address = text_required(
            address, code="delivery_address_required", message="选择邮寄送达，请填写收件地址。"
        )
        if len(address) > 300:
            raise DomainError(code="delivery_address_too_long", message="收件地址不能超过 300 个字。")
    case = case_lock(case, allowed=CHOOSABLE_STATUSES, doing="更改送达方式")
    case.delivery_method = method
    case.delivery_address = address if method == DeliveryMethod.POST else ""
    case.save(update_fields=["delivery_method", "delivery_address", "updated_at"])
    audit_record(actor=user, action="case.delivery_choose", target=case, changes={"method": method})
    return case
