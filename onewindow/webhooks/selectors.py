"""Webhook reads, scoped to who asks: platform administrators see every subscription; a department's
administrators see their department's; a department system's token sees only its own system's."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Q, QuerySet

from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.selectors import staff_admin_department_ids, staff_is_platform_admin
from onewindow.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def _scope(user: Any, application: Any | None) -> Q:
    scope = (
        Q()
        if staff_is_platform_admin(user=user)
        else Q(department_id__in=staff_admin_department_ids(user=user))
    )
    if application is not None:
        scope &= Q(application=application)
    return scope


def subscriptions_for(*, user: Any, application: Any | None = None) -> QuerySet[WebhookSubscription]:
    """The subscriptions ``user`` may manage (only ``application``'s when a system asks with its token),
    with their count of pending and failed deliveries."""
    return (
        WebhookSubscription.objects.filter(_scope(user, application))
        .select_related("application", "department")
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__status="pending")),
            failed=Count("deliveries", filter=Q(deliveries__status="failed")),
        )
        .order_by("-created_at")
    )


def subscription_get(
    *, user: Any, subscription_id: uuid.UUID | str, application: Any | None = None
) -> WebhookSubscription:
    """One subscription: unknown is 404, another department's (or another system's) 403."""
    subscription = (
        WebhookSubscription.objects.select_related("application", "department")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise NotFound("未找到该订阅。")
    if not WebhookSubscription.objects.filter(_scope(user, application), pk=subscription.pk).exists():
        raise PermissionDenied("该订阅属于其他部门或其他系统，您无权查看。")
    return subscription


def deliveries_for(
    *,
    user: Any,
    application: Any | None = None,
    subscription_id: uuid.UUID | None = None,
    status: str | None = None,
) -> QuerySet[WebhookDelivery]:
    """Deliveries of the subscriptions ``user`` may manage, newest first."""
    subscriptions = WebhookSubscription.objects.filter(_scope(user, application))
    deliveries = WebhookDelivery.objects.filter(subscription__in=subscriptions)
    if subscription_id is not None:
        deliveries = deliveries.filter(subscription_id=subscription_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.select_related(
        "event", "subscription__application", "subscription__department"
    ).order_by("-created_at")


def delivery_get(
    *, user: Any, delivery_id: uuid.UUID | str, application: Any | None = None
) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.select_related(
            "event", "subscription__application", "subscription__department"
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise NotFound("未找到该投递记录。")
    subscription_get(user=user, subscription_id=delivery.subscription_id, application=application)
    return delivery


def delivery_attempts(*, delivery: WebhookDelivery) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(delivery=delivery).order_by("number")


def may_use_webhooks(*, user: Any) -> bool:
    """Whether the workbench shows the webhooks page: platform or department administrators."""
    return staff_is_platform_admin(user=user) or bool(staff_admin_department_ids(user=user))
