"""Webhook writes: subscriptions, the outbox (events and their deliveries), sending and retrying."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction

from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.plugins import plugin
from onewindow.core.queue import enqueue_in_transaction
from onewindow.core.services import audit_record
from onewindow.organisations.models import Department
from onewindow.organisations.selectors import staff_admin_department_ids, staff_is_platform_admin
from onewindow.webhooks import signing
from onewindow.webhooks.events import ALL_EVENTS, EVENT_TYPES
from onewindow.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)

USER_AGENT = "onewindow-webhooks/1"


_tables_ready = False


def subscriptions_exist() -> bool:
    """Cheap guard for the signal receivers: most changes happen with no subscriber at all. A database not yet
    migrated this far (an older trail replayed by a migration, an upgrade in progress) has no subscribers."""
    global _tables_ready
    if not _tables_ready:
        if WebhookSubscription._meta.db_table not in connection.introspection.table_names():
            return False
        _tables_ready = True
    return WebhookSubscription.objects.filter(active=True).exists()


def may_manage(user: Any, department: Department) -> bool:
    """Platform administrators, and the administrators of the department whose events are sent."""
    return staff_is_platform_admin(user=user) or department.pk in staff_admin_department_ids(user=user)


def _clean(url: str, events: Sequence[str]) -> tuple[str, list[str]]:
    problems = []
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment or len(url) > 500:
        problems.append(
            FieldProblem(
                "url", "webhook.url_invalid", "接收地址无效：须是以 https:// 或 http:// 开头的完整地址。"
            )
        )
    chosen = sorted(set(events or []))
    unknown = [name for name in chosen if name not in EVENT_TYPES and name != ALL_EVENTS]
    if not chosen or unknown:
        problems.append(
            FieldProblem(
                "events",
                "webhook.events_invalid",
                "请至少选择一个事件" + (f"；未知事件：{'、'.join(unknown)}" if unknown else "") + "。",
            )
        )
    if problems:
        raise DomainError(code="webhook.invalid", message="订阅信息有误，请检查后重试。", problems=problems)
    return url, chosen


@transaction.atomic
def subscription_create(
    *,
    actor: Any,
    application: Any,
    department: Department,
    url: str,
    events: Sequence[str],
    description: str = "",
) -> tuple[WebhookSubscription, str]:
    """Subscribe a registered department system to events of one department. Returns the subscription and its
    signing secret, shown this once."""
    if not may_manage(actor, department):
        raise PermissionDenied(f"只有平台管理员或{department.name}的部门管理员可以为该部门订阅事件。")
    url, chosen = _clean(url, events)
    secret = signing.secret_generate()
    subscription = WebhookSubscription.objects.create(
        application=application,
        department=department,
        url=url,
        events=chosen,
        description=(description or "").strip()[:200],
        secret=secret,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="webhook.subscribe",
        target=subscription,
        changes={"application": application.client_id, "url": url, "events": chosen},
    )
    return subscription, secret


@transaction.atomic
def subscription_deactivate(*, actor: Any, subscription: WebhookSubscription) -> WebhookSubscription:
    """Stop sending (pending deliveries are kept, and finish as they are retried)."""
    if not may_manage(actor, subscription.department):
        raise PermissionDenied("您无权停用该订阅。")
    if subscription.active:
        subscription.active = False
        subscription.save(update_fields=["active", "updated_at"])
        audit_record(actor=actor, action="webhook.unsubscribe", target=subscription)
    return subscription


@transaction.atomic
def subscription_secret_rotate(*, actor: Any, subscription: WebhookSubscription) -> str:
    """A new signing secret, effective for the next attempt; returned this once."""
    if not may_manage(actor, subscription.department):
        raise PermissionDenied("您无权更换该订阅的签名密钥。")
    subscription.secret = signing.secret_generate()
    subscription.save(update_fields=["secret", "updated_at"])
    audit_record(actor=actor, action="webhook.secret_rotate", target=subscription)
    return str(subscription.secret)


def webhook_event_record(*, event_type: str, department_id: Any, data: dict[str, Any]) -> WebhookEvent | None:
    """Write the event and one delivery per subscription that wants it, in the caller's transaction (the
    outbox); the sends are queued to commit with it. None when nobody subscribed."""
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(active=True, department_id=department_id)
        if subscription.wants(event_type)
    ]
    if not subscriptions:
        return None
    now = clock.now()
    event_id = uuid.uuid4()
    event = WebhookEvent.objects.create(
        id=event_id,
        event_type=event_type,
        occurred_at=now,
        department_id=department_id,
        payload={
            "id": str(event_id),
            "type": event_type,
            "occurred_at": now.isoformat(),
            "department_id": str(department_id),
            "data": data,
        },
    )
    for subscription in subscriptions:
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event=event, next_attempt_at=_queue_lease(now)
        )
        _send_queue(delivery)
    return event


def _queue_lease(now: dt.datetime) -> dt.datetime:
    """Until when a queued send holds its delivery. The due-deliveries job runs every minute; without the
    lease it queued the same deliveries again each minute while the workers were behind."""
    return now + dt.timedelta(seconds=int(settings.ONEWINDOW_WEBHOOK_QUEUE_LEASE_SECONDS))


def _send_queue(delivery: WebhookDelivery) -> None:
    """Queue one send carrying the lease stamped on the delivery: that send may take it before the lease
    ends; a send queued earlier, whose lease has since been renewed, finds it not due and does nothing."""
    from onewindow.webhooks.tasks import webhook_deliver  # (the task module imports these services)

    assert delivery.next_attempt_at is not None
    enqueue_in_transaction(
        webhook_deliver, delivery_id=str(delivery.pk), lease=delivery.next_attempt_at.isoformat()
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off after ``attempts`` failures: base, 2×base, 4×base … capped."""
    base = int(settings.ONEWINDOW_WEBHOOK_RETRY_BASE_SECONDS)
    cap = int(settings.ONEWINDOW_WEBHOOK_RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _claim(delivery_id: Any, lease: dt.datetime | None = None) -> WebhookDelivery | None:
    """Take a delivery for one send: one that is due, or the one queued with ``lease`` while that lease
    still holds it. The send lease pushes ``next_attempt_at`` ahead, so no other worker sends it meanwhile;
    if this worker dies mid-send, the lease runs out and the due-deliveries job queues it again. The HTTP
    call happens outside any transaction."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription", "event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        now = clock.now()
        if delivery is None:
            return None
        queued_for_this_send = lease is not None and delivery.next_attempt_at == lease
        if not queued_for_this_send and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + dt.timedelta(
            seconds=int(settings.ONEWINDOW_WEBHOOK_SEND_LEASE_SECONDS)
        )
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        return delivery


def _request(delivery: WebhookDelivery) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(delivery.event.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        signing.HEADER_EVENT_ID: str(delivery.event_id),
        signing.HEADER_EVENT_TYPE: delivery.event.event_type,
        signing.HEADER_DELIVERY_ID: str(delivery.pk),
        signing.HEADER_TIMESTAMP: str(timestamp),
        signing.HEADER_SIGNATURE: signing.signature_compute(
            secret=str(delivery.subscription.secret), timestamp=timestamp, body=body
        ),
    }
    return body, headers


@transaction.atomic
def _result_record(delivery: WebhookDelivery, response: Any) -> WebhookDelivery:
    now = clock.now()
    number = WebhookAttempt.objects.filter(delivery=delivery).count() + 1
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        at=now,
        status_code=response.status,
        error=response.error[:500],
        duration_ms=response.duration_ms,
        succeeded=response.ok,
    )
    delivery.last_status_code, delivery.last_error = response.status, response.error[:500]
    if response.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, now, None
    elif delivery.attempts >= int(settings.ONEWINDOW_WEBHOOK_MAX_ATTEMPTS):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "updated_at",
        ]
    )
    return delivery


def delivery_send(*, delivery_id: Any, lease: dt.datetime | None = None) -> WebhookDelivery | None:
    """One attempt at a due delivery, or at the one queued with ``lease`` (the task runs this); None when it
    is not due, already done, or queued again since."""
    delivery = _claim(delivery_id, lease)
    if delivery is None:
        return None
    body, headers = _request(delivery)
    response = plugin("webhook_transport").post(
        url=delivery.subscription.url,
        body=body,
        headers=headers,
        timeout=float(settings.ONEWINDOW_WEBHOOK_TIMEOUT_SECONDS),
    )
    return _result_record(delivery, response)


@transaction.atomic
def delivery_redeliver(*, actor: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (after it gave up, or to replay a delivered one for the receiver); it gets
    a fresh series of attempts. The event id stays the same, so a receiver that already has it can ignore it."""
    if not may_manage(actor, delivery.subscription.department):
        raise PermissionDenied("您无权重新投递该事件。")
    delivery = WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
    delivery.next_attempt_at = _queue_lease(clock.now())
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    audit_record(actor=actor, action="webhook.redeliver", target=delivery)
    _send_queue(delivery)
    return delivery


def deliveries_due_enqueue(*, limit: int = 500) -> int:
    """Queue a send for every pending delivery whose time has come: the retries, and any delivery whose
    worker died (its send lease ran out) or whose queued send never ran (its queue lease ran out). Each is
    stamped with a new queue lease in the same transaction, so the next run does not queue it again while
    the workers are behind. Run by the scheduler every minute."""
    from onewindow.webhooks.tasks import webhook_deliver  # (cycle)

    now = clock.now()
    lease = _queue_lease(now)
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=due).update(next_attempt_at=lease, updated_at=now)
        for delivery_id in due:
            enqueue_in_transaction(webhook_deliver, delivery_id=str(delivery_id), lease=lease.isoformat())
    return len(due)
