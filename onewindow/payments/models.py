"""Payments (缴费): an item's fee schedule, a case's fee assessment with its waivers, payment orders in the
GOV.UK Pay states, the notices providers send, refunds, the platform's own ledger and the daily reconciliation
of that ledger against the provider's statement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.catalogue.models import Item
from onewindow.core.models import BaseModel


class FeeItem(BaseModel):
    """One fee of an item's fee schedule as the finance bureau codes it (非税收入项目): code, amount, basis.

    The guide's 收费项目 (``ItemVersion.fee_items``) is text for people ("120元/本"); the payment needs the
    fiscal item code, an exact amount and the collecting unit, which the finance side maintains.
    """

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="fee_schedule", verbose_name=_("item")
    )
    code = models.CharField(_("fee item code"), max_length=40)  # 项目编码 of the non-tax revenue catalogue
    name = models.CharField(_("fee item name"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    waivable = models.BooleanField(_("may be waived"), default=False)
    payee = models.CharField(_("collecting unit"), max_length=200)  # 收款单位
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["item", "position", "code"]
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="payments_fee_item_unique_code"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_fee_item_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}元"


class FeeStatus(models.TextChoices):
    DUE = "due", _("awaiting payment")  # 待缴费
    PAID = "paid", _("paid")
    WAIVED = "waived", _("waived")  # 减免: nothing left to pay
    REFUNDED = "refunded", _("refunded")


class CaseFee(BaseModel):
    """What a case must pay (缴费通知), assessed from the item's fee schedule at acceptance."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="fee", verbose_name=_("case"))
    status = models.CharField(_("status"), max_length=12, choices=FeeStatus.choices, default=FeeStatus.DUE)
    # [{code, name, amount, waived, basis}] — a copy: a later change of the schedule does not change the bill.
    lines = models.JSONField(_("fee lines"), default=list)
    gross = models.DecimalField(_("total before waivers"), max_digits=12, decimal_places=2)
    amount_due = models.DecimalField(_("amount due"), max_digits=12, decimal_places=2)
    payee = models.CharField(_("collecting unit"), max_length=200)
    payer_name = models.CharField(_("payer"), max_length=200)  # 交款人 as on the receipt
    assessed_at = models.DateTimeField(_("assessed at"))
    settled_at = models.DateTimeField(_("paid or waived at"), null=True, blank=True)

    class Meta:
        ordering = ["-assessed_at"]
        verbose_name = _("case fee")
        verbose_name_plural = _("case fees")

    def __str__(self) -> str:
        return f"{self.case} {self.amount_due}元"

    @property
    def is_settled(self) -> bool:
        return self.status != FeeStatus.DUE


class FeeWaiver(BaseModel):
    """A waiver (减免) of one fee line, with its reason and legal basis, granted by the department."""

    fee = models.ForeignKey(CaseFee, on_delete=models.CASCADE, related_name="waivers", verbose_name=_("fee"))
    code = models.CharField(_("fee item code"), max_length=40)
    amount = models.DecimalField(_("amount waived"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    basis = models.CharField(_("legal basis"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("granted by"),
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("fee waiver")
        verbose_name_plural = _("fee waivers")
        constraints = [models.UniqueConstraint(fields=["fee", "code"], name="payments_waiver_once_per_line")]

    def __str__(self) -> str:
        return f"{self.code} −{self.amount}元"


class PaymentState(models.TextChoices):
    """The GOV.UK Pay payment states; the last four are finished and never change again."""

    CREATED = "created", _("created")
    STARTED = "started", _("started")
    SUBMITTED = "submitted", _("submitted")
    CAPTURABLE = "capturable", _("capturable")
    SUCCESS = "success", _("success")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
    ERROR = "error", _("error")


FINISHED_STATES = frozenset(
    {PaymentState.SUCCESS, PaymentState.FAILED, PaymentState.CANCELLED, PaymentState.ERROR}
)
# Unfinished states only move forward: a late "started" after "submitted" is ignored.
STATE_RANK = {
    PaymentState.CREATED: 0,
    PaymentState.STARTED: 1,
    PaymentState.SUBMITTED: 2,
    PaymentState.CAPTURABLE: 3,
}


class PaymentOrder(BaseModel):
    """One attempt to pay a case's fee through a provider (GOV.UK Pay's "payment")."""

    reference = models.CharField(_("order number"), max_length=32, unique=True)  # out_trade_no
    fee = models.ForeignKey(CaseFee, on_delete=models.PROTECT, related_name="orders", verbose_name=_("fee"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    description = models.CharField(_("description"), max_length=200)
    provider = models.CharField(_("payment provider"), max_length=40)
    provider_id = models.CharField(_("provider transaction id"), max_length=64, blank=True)
    checkout_url = models.CharField(_("checkout address"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=PaymentState.choices, default=PaymentState.CREATED
    )
    finished = models.BooleanField(_("finished"), default=False)
    failure_code = models.CharField(_("failure code"), max_length=20, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Idempotent creation: the same key with the same body answers with this order; another body is refused.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, blank=True)
    request_hash = models.CharField(_("request hash"), max_length=64, blank=True)
    # 财政电子票据 (non-tax revenue e-receipt), drawn when the payment succeeds.
    receipt_code = models.CharField(_("receipt code"), max_length=8, blank=True)  # 票据代码
    receipt_number = models.CharField(_("receipt number"), max_length=10, blank=True)  # 票据号码
    receipt_check = models.CharField(_("receipt check code"), max_length=6, blank=True)  # 校验码
    receipt_issued_on = models.DateField(_("receipt date"), null=True, blank=True)  # 开票日期

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payments_order_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"]), models.Index(fields=["paid_at"])]

    def __str__(self) -> str:
        return self.reference

    def is_expired(self, now: dt.datetime) -> bool:
        return not self.finished and now >= self.expires_at

    @property
    def refundable(self) -> Decimal:
        refunded = sum(
            (refund.amount for refund in self.refunds.all() if refund.state != RefundState.ERROR),
            Decimal("0"),
        )
        return self.amount - refunded if self.state == PaymentState.SUCCESS else Decimal("0")


class ProviderNotice(BaseModel):
    """Every notice a provider sent, once: a repeated one (same provider and notice id) is answered and ignored."""

    provider = models.CharField(_("payment provider"), max_length=40)
    notice_id = models.CharField(_("notice id"), max_length=100)
    order = models.ForeignKey(
        PaymentOrder, null=True, on_delete=models.SET_NULL, related_name="notices", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=12)  # payment / refund
    state = models.CharField(_("state reported"), max_length=20)
    applied = models.BooleanField(_("changed the order"), default=False)
    received_at = models.DateTimeField(_("received at"))
    summary = models.JSONField(_("decrypted content"), default=dict)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("provider notice")
        verbose_name_plural = _("provider notices")
        constraints = [
            models.UniqueConstraint(fields=["provider", "notice_id"], name="payments_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.notice_id}"


class RefundState(models.TextChoices):
    """GOV.UK Pay refund states."""

    SUBMITTED = "submitted", _("submitted")
    SUCCESS = "success", _("success")
    ERROR = "error", _("error")


class Refund(BaseModel):
    """A full or partial refund (退费) of a successful payment."""

    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order")
    )
    reference = models.CharField(_("refund number"), max_length=32, unique=True)  # out_refund_no
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(
        _("state"), max_length=12, choices=RefundState.choices, default=RefundState.SUBMITTED
    )
    provider_id = models.CharField(_("provider refund id"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return self.reference


class LedgerKind(models.TextChoices):
    CHARGE = "charge", _("payment received")
    REFUND = "refund", _("refund paid")


class LedgerEntry(BaseModel):
    """The platform's own book of money moved (append-only), kept apart from what the provider says."""

    kind = models.CharField(_("kind"), max_length=8, choices=LedgerKind.choices)
    order = models.ForeignKey(
        PaymentOrder, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("order")
    )
    refund = models.OneToOneField(
        Refund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger",
        verbose_name=_("refund"),
    )
    reference = models.CharField(_("reference"), max_length=32)  # the order's or the refund's number
    provider = models.CharField(_("payment provider"), max_length=40)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)  # always positive
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        constraints = [models.UniqueConstraint(fields=["kind", "reference"], name="payments_ledger_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} {self.amount}"


class Reconciliation(BaseModel):
    """The daily comparison (对账) of the ledger with the provider's statement for one day."""

    provider = models.CharField(_("payment provider"), max_length=40)
    day = models.DateField(_("day"))
    ran_at = models.DateTimeField(_("ran at"))
    ledger_count = models.PositiveIntegerField(_("ledger entries"))
    ledger_total = models.DecimalField(_("ledger total"), max_digits=14, decimal_places=2)
    statement_count = models.PositiveIntegerField(_("statement lines"))
    statement_total = models.DecimalField(_("statement total"), max_digits=14, decimal_places=2)
    # [{kind, problem: missing_in_ledger|missing_at_provider|amount_mismatch, reference, ledger, provider}]
    discrepancies = models.JSONField(_("discrepancies"), default=list)

    class Meta:
        ordering = ["-day", "provider"]
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        constraints = [
            models.UniqueConstraint(fields=["provider", "day"], name="payments_reconciliation_day")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}"

    @property
    def balanced(self) -> bool:
        return not self.discrepancies


class SandboxTransaction(BaseModel):
    """The sandbox provider's own book (its "bank side"), from which its daily statement is drawn."""

    kind = models.CharField(_("kind"), max_length=8, choices=LedgerKind.choices)
    reference = models.CharField(_("reference"), max_length=32)
    provider_id = models.CharField(_("provider id"), max_length=64, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("sandbox provider transaction")
        verbose_name_plural = _("sandbox provider transactions")

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"


class ReceiptCounter(models.Model):
    """The last 票据号码 drawn per 票据代码 and year (receipt numbers run without gaps)."""

    code = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="payments_receipt_counter")]

    def __str__(self) -> str:
        return f"{self.code} {self.year}: {self.last}"
