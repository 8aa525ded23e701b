"""Webhook background work: one send per task, and the periodic job that queues retries that are due."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from onewindow.webhooks import services


@task()
def webhook_deliver(*, delivery_id: str, lease: str = "") -> str:
    """One attempt at one delivery; its outcome is in the delivery and its attempt log. ``lease`` is the
    queue lease stamped on the delivery when this send was queued (empty in sends queued before it existed:
    those go only when the delivery is due)."""
    delivery = services.delivery_send(
        delivery_id=delivery_id, lease=dt.datetime.fromisoformat(lease) if lease else None
    )
    return delivery.status if delivery is not None else "not_due"


@task()
def webhook_deliveries_due_job() -> int:
    """Every minute: queue the deliveries due for a retry (or left by a dead worker or a lost send)."""
    return services.deliveries_due_enqueue()
