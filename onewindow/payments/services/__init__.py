"""Payment writes: fees and waivers (``fees``), orders and provider notices (``orders``), refunds
(``refunds``), the daily reconciliation (``reconciliation``)."""

from onewindow.payments.services.fees import case_fee_assess, fee_item_upsert, fee_waive
from onewindow.payments.services.orders import (
    payment_notice_handle,
    payment_order_cancel,
    payment_order_create,
    payment_order_start,
    payment_orders_expire,
    sandbox_pay,
)
from onewindow.payments.services.reconciliation import reconciliation_run
from onewindow.payments.services.refunds import refund_create

__all__ = [
    "case_fee_assess",
    "fee_item_upsert",
    "fee_waive",
    "payment_notice_handle",
    "payment_order_cancel",
    "payment_order_create",
    "payment_order_start",
    "payment_orders_expire",
    "reconciliation_run",
    "refund_create",
    "sandbox_pay",
]
