"""A licence's life after issue: suspension (03) and its lifting (06), revocation (05) and expiry (04), and
the reminder to holders before expiry (主动服务)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q

from onewindow.cases.services._common import text_required
from onewindow.core import clock
from onewindow.core.plugins import plugin
from onewindow.core.services import audit_record
from onewindow.licences.models import Licence, LicenceEvent, LicenceOperation, LicenceStatus, LicenceType
from onewindow.licences.selectors import VERIFICATION_TTL_SECONDS, verification_generation_key
from onewindow.licences.services._common import (
    licence_lock,
)

logger = logging.getLogger(__name__)
REMINDER_SUBJECT = "【一网通办】电子证照到期提醒"


def _transition(
    licence: Licence,
    *,
    to: str,
    operation: str,
    actor: Any | None,
    action: str,
    reason: str = "",
    basis: str = "",
) -> Licence:
    old = licence.status
    licence.status = to
    licence.save(update_fields=["status", "updated_at"])
    LicenceEvent.objects.create(
        licence=licence, operation=operation, at=clock.now(), actor=actor, reason=reason, basis=basis
    )
    audit_record(actor=actor, action=action, target=licence, changes={"status": [old, to], "reason": reason})
    return licence


@transaction.atomic
def licence_suspend(*, licence: Licence, actor: Any, reason: str, basis: str = "") -> Licence:
    """Suspend a valid licence (暂停, 03): verification answers “suspended” until the suspension is lifted."""
    reason = text_required(reason, code="licence.reason_required", message="请填写暂停原因。")
    licence = licence_lock(licence, actor=actor, doing="暂停", allowed={LicenceStatus.VALID})
    return _transition(
        licence,
        to=LicenceStatus.SUSPENDED,
        operation=LicenceOperation.SUSPENDED,
        actor=actor,
        action="licence.suspend",
        reason=reason,
        basis=basis.strip(),
    )


@transaction.atomic
def licence_suspension_lift(*, licence: Licence, actor: Any, reason: str = "", basis: str = "") -> Licence:
    """Lift a suspension (恢复, 06). A licence whose validity ended meanwhile becomes expired (04) at once."""
    licence = licence_lock(licence, actor=actor, doing="解除暂停", allowed={LicenceStatus.SUSPENDED})
    licence = _transition(
        licence,
        to=LicenceStatus.VALID,
        operation=LicenceOperation.SUSPENSION_LIFTED,
        actor=actor,
        action="licence.suspension_lift",
        reason=reason.strip(),
        basis=basis.strip(),
    )
    if licence.valid_until is not None and licence.valid_until < clock.today():
        licence = _transition(
            licence,
            to=LicenceStatus.EXPIRED,
            operation=LicenceOperation.EXPIRED,
            actor=None,
            action="licence.expire",
        )
    return licence


@transaction.atomic
def licence_revoke(*, licence: Licence, actor: Any, reason: str, basis: str) -> Licence:
    """Revoke or cancel a licence (吊销/注销, 05) with the reason and its legal basis; it cannot be undone."""
    reason = text_required(reason, code="licence.reason_required", message="请填写吊销（注销）原因。")
    basis = text_required(basis, code="licence.basis_required", message="请填写吊销（注销）的法律依据。")
    licence = licence_lock(
        licence,
        actor=actor,
        doing="吊销（注销）",
        allowed={LicenceStatus.VALID, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED},
    )
    return _transition(
        licence,
        to=LicenceStatus.REVOKED,
        operation=LicenceOperation.REVOKED,
        actor=actor,
        action="licence.revoke",
        reason=reason,
        basis=basis,
    )


def licences_expire(*, today: dt.date | None = None) -> int:
    """Expire (04) every valid or suspended licence whose last day of validity has passed; the scheduler's
    job. Each licence in its own transaction, so one failure does not hold back the rest."""
    today = today or clock.today()
    due = Licence.objects.filter(
        status__in=[LicenceStatus.VALID, LicenceStatus.SUSPENDED], valid_until__lt=today
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            licence = (
                Licence.objects.select_for_update(of=("self",)).select_related("licence_type").get(pk=pk)
            )
            if licence.status not in (LicenceStatus.VALID, LicenceStatus.SUSPENDED):
                continue
            _transition(
                licence,
                to=LicenceStatus.EXPIRED,
                operation=LicenceOperation.EXPIRED,
                actor=None,
                action="licence.expire",
            )
            expired += 1
    return expired


def reminder_text(licence: Licence) -> str:
    assert licence.valid_until is not None
    return (
        f"您的电子证照《{licence.type_name}》（编号 {licence.number}）将于"
        f"{licence.valid_until:%Y年%m月%d日}到期，请及时办理延续。"
    )


def _holder_contact(licence: Licence) -> tuple[str, str]:
    """Phone and e-mail of whom to remind: the holder, or a company's legal representative."""
    person = licence.holder_person
    if person is None and licence.holder_company is not None:
        person = licence.holder_company.legal_representative
    if person is None:
        return "", ""
    return person.phone or "", person.user.email or ""


def licence_expiry_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind holders of valid licences expiring within their type's ``reminder_days`` (once per licence),
    by SMS and e-mail. A licence whose every channel failed is tried again on the next run."""
    today = today or clock.today()
    longest = LicenceType.objects.aggregate(days=Max("reminder_days"))["days"] or 0
    horizon = today + dt.timedelta(days=longest)
    candidates = (
        Licence.objects.filter(
            status=LicenceStatus.VALID,
            expiry_reminded_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=horizon,
        )
        .filter(~Q(licence_type__reminder_days=0))
        .select_related("licence_type", "holder_person__user", "holder_company__legal_representative__user")
        .order_by("valid_until")
    )
    sent = 0
    for licence in candidates:
        assert licence.valid_until is not None
        if licence.valid_until > today + dt.timedelta(days=licence.licence_type.reminder_days):
            continue
        phone, email = _holder_contact(licence)
        text = reminder_text(licence)
        delivered = []
        if phone:
            try:
                plugin("sms").send(phone=phone, text=text)
                delivered.append("sms")
            except Exception:  # a gateway failure must not stop the other holders' reminders
                logger.warning("licence reminder SMS failed for %s", licence.identifier, exc_info=True)
        if email:
            try:
                send_mail(REMINDER_SUBJECT, text, None, [email])
                delivered.append("email")
            except Exception:
                logger.warning("licence reminder e-mail failed for %s", licence.identifier, exc_info=True)
        if not delivered and (phone or email):
            continue
        with transaction.atomic():
            updated = Licence.objects.filter(pk=licence.pk, expiry_reminded_at__isnull=True).update(
                expiry_reminded_at=clock.now(), updated_at=clock.now()
            )
            if updated:
                audit_record(
                    actor=None,
                    action="licence.expiry_remind",
                    target=licence,
                    changes={"channels": delivered, "valid_until": licence.valid_until.isoformat()},
                )
                sent += 1
    return sent


def verification_generation_renew(*, instance: Licence, **_signal: object) -> None:
    """Connected to the licence's ``post_save`` and ``post_delete``: once the change has committed, answers
    stored for this licence's verification no longer count (``selectors.licence_verify_answer``). A fresh
    value each time (not a counter) so that a generation lost from the cache can never come back as one an
    old answer was stored under; it outlives every answer stored under the previous one."""
    key = verification_generation_key(instance.identifier)
    transaction.on_commit(lambda: cache.set(key, time.time_ns(), 2 * VERIFICATION_TTL_SECONDS))
