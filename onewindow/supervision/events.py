"""E-supervision's webhook events (``supervision.alert_raised``, ``order_issued``, ``order_replied``), recorded in
the transaction of the change so they commit with it. Payloads carry ids, codes and dates, never a name: the
receiver reads the alert or order over the API with its own token, which is scoped and logged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.supervision.models import Alert, SupervisionOrder
from onewindow.webhooks.services import subscriptions_exist, webhook_event_record


def alert_data(alert: Alert) -> dict[str, Any]:
    return {
        "id": str(alert.pk),
        "kind": alert.kind,
        "level": alert.level,
        "status": alert.status,
        "reference": alert.reference,
        "case_id": str(alert.case_id) if alert.case_id else None,
        "due_on": alert.due_on.isoformat() if alert.due_on else None,
        "raised_at": alert.raised_at.isoformat(),
        "rule_version": alert.rule_version.number,
    }


def order_data(order: SupervisionOrder) -> dict[str, Any]:
    return {
        "id": str(order.pk),
        "number": order.number,
        "status": order.status,
        "alert_id": str(order.alert_id),
        "reply_due_on": order.reply_due_on.isoformat(),
    }


def alerts_raised_announce(alerts: Iterable[Alert]) -> None:
    """One ``supervision.alert_raised`` per new alert, to its department's subscribers. A scan raising
    thousands of alerts with nobody subscribed costs one query."""
    if not subscriptions_exist():
        return
    for alert in alerts:
        webhook_event_record(
            event_type="supervision.alert_raised",
            department_id=alert.department_id,
            data={"alert": alert_data(alert)},
        )


def order_announce(order: SupervisionOrder, *, event_type: str, actor: Any) -> None:
    if not subscriptions_exist():
        return
    webhook_event_record(
        event_type=event_type,
        department_id=order.department_id,
        data={"order": order_data(order), "actor": str(actor)},
    )
