"""Webhook background work: one send per task, and the periodic job that queues retries that are due."""

from __future__ import annotations

from django_tasks import task

from onewindow.webhooks import services


@task()
def webhook_deliver(*, delivery_id: str) -> str:
    """One attempt at one delivery; its outcome is in the delivery and its attempt log."""
    delivery = services.delivery_send(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "not_due"


@task()
def webhook_deliveries_due_job() -> int:
    """Every minute: queue the deliveries due for a retry (or left by a dead worker)."""
    return services.deliveries_due_enqueue()
