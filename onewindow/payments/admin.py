"""Read-only admin views of the payment records: every change goes through the services (and the audit)."""

from django.contrib import admin

from onewindow.payments.models import (
    FeeItem,
    LedgerEntry,
    PaymentOrder,
    ProviderNotice,
    Reconciliation,
    Refund,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FeeItem)
class FeeItemAdmin(ReadOnlyAdmin):
    list_display = ["item", "code", "name", "amount", "waivable", "payee"]
    search_fields = ["code", "name", "item__implementation_code"]


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "amount", "state", "finished", "provider", "created_at", "paid_at"]
    list_filter = ["state", "provider"]
    search_fields = ["reference", "provider_id", "receipt_number"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["reference", "order", "amount", "state", "created_at"]


@admin.register(ProviderNotice)
class ProviderNoticeAdmin(ReadOnlyAdmin):
    list_display = ["provider", "notice_id", "kind", "state", "applied", "received_at"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "reference", "amount", "provider"]


@admin.register(Reconciliation)
class ReconciliationAdmin(ReadOnlyAdmin):
    list_display = ["day", "provider", "ledger_total", "statement_total"]
