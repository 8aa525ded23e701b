"""Webhooks over the API: a department system (bearer token with the ``webhooks`` scope, acting for one of
its department's administrators) or an administrator's browser session manages subscriptions and reads the
delivery log; a token sees and changes only its own system's subscriptions."""

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from oauth2_provider.models import get_application_model

from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.pagination import Pages
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_or_token
from onewindow.organisations.models import Department
from onewindow.webhooks import selectors, services
from onewindow.webhooks.events import EVENT_TYPES
from onewindow.webhooks.models import WebhookDelivery, WebhookSubscription

router = Router(tags=["webhooks"])
AUTH = session_or_token("webhooks")
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}


class EventTypeOut(Schema):
    name: str
    label: str


class SubscriptionIn(Schema):
    url: str = Field(
        ..., max_length=500, description="the receiver: https:// (or http:// inside the network)"
    )
    events: list[str] = Field(..., max_length=50, description="event names, or `*` for every event")
    department_id: uuid.UUID = Field(..., description="the department whose cases and tasks are reported")
    client_id: str | None = Field(
        None, max_length=100, description="the department system (OIDC client id); with a token: its own"
    )
    description: str = Field("", max_length=200)


class SubscriptionOut(Schema):
    id: uuid.UUID
    client_id: str
    system_name: str
    department: dict[str, Any]
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: dt.datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(..., description="the signing secret, shown only in this answer")


class AttemptOut(Schema):
    number: int
    at: dt.datetime
    status_code: int | None
    error: str
    duration_ms: int
    succeeded: bool


class DeliveryOut(Schema):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    occurred_at: dt.datetime
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    payload: dict[str, Any]


class DeliveryDetailOut(DeliveryOut):
    attempt_log: list[AttemptOut]


class DeliveryFilter(Schema):
    subscription: uuid.UUID | None = None
    status: Literal["pending", "succeeded", "failed"] | None = None


def _application(request: HttpRequest) -> Any | None:
    """The department system a bearer token was issued to; None for a browser session."""
    token = getattr(request, "access_token", None)
    return token.application if token is not None else None


def subscription_out(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "client_id": subscription.application.client_id,
        "system_name": subscription.application.name,
        "department": {"id": subscription.department_id, "name": subscription.department.name},
        "url": subscription.url,
        "events": subscription.events,
        "description": subscription.description,
        "active": subscription.active,
        "created_at": subscription.created_at,
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "subscription_id": delivery.subscription_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event.event_type,
        "occurred_at": delivery.event.occurred_at,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "payload": delivery.event.payload,
    }


class DeliveryRows:
    def __init__(self, deliveries: Any) -> None:
        self.deliveries = deliveries

    def __len__(self) -> int:
        return int(self.deliveries.count())

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [delivery_out(delivery) for delivery in self.deliveries[page]]


@router.get(
    "/webhooks/events",
    auth=AUTH,
    throttle=[],
    response={200: list[EventTypeOut], **ERRORS},
    summary="The events a subscription may name",
)
def webhook_event_types(request: HttpRequest) -> list[dict[str, str]]:
    return [{"name": name, "label": str(label)} for name, label in EVENT_TYPES.items()]


@router.get(
    "/webhooks/subscriptions",
    auth=AUTH,
    throttle=[],
    response={200: list[SubscriptionOut], **ERRORS},
    summary="The subscriptions I manage (with a token: my system's)",
)
def webhook_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    subscriptions = selectors.subscriptions_for(user=request.user, application=_application(request))
    return [subscription_out(subscription) for subscription in subscriptions[:200]]


@router.post(
    "/webhooks/subscriptions",
    auth=AUTH,
    throttle=[],
    response={201: SubscriptionCreatedOut, **ERRORS},
    summary="Subscribe a department system to events of a department (administrators)",
)
def webhook_subscribe(request: HttpRequest, payload: SubscriptionIn) -> Status:
    application = _application(request)
    if application is not None and payload.client_id not in (None, application.client_id):
        raise PermissionDenied("访问令牌只能为签发它的系统订阅事件。")
    if application is None:
        application = get_application_model().objects.filter(client_id=payload.client_id or "").first()
        if application is None:
            raise NotFound("未找到该部门系统（client_id）。")
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise NotFound("未找到该部门。")
    subscription, secret = services.subscription_create(
        actor=request.user,
        application=application,
        department=department,
        url=payload.url,
        events=payload.events,
        description=payload.description,
    )
    return Status(201, {**subscription_out(subscription), "secret": secret})


@router.get(
    "/webhooks/subscriptions/{subscription_id}",
    auth=AUTH,
    throttle=[],
    response={200: SubscriptionOut, **ERRORS},
    summary="One subscription",
)
def webhook_subscription(request: HttpRequest, subscription_id: uuid.UUID) -> dict[str, Any]:
    return subscription_out(
        selectors.subscription_get(
            user=request.user, subscription_id=subscription_id, application=_application(request)
        )
    )


@router.post(
    "/webhooks/subscriptions/{subscription_id}/deactivate",
    auth=AUTH,
    throttle=[],
    response={200: SubscriptionOut, **ERRORS},
    summary="Stop a subscription (deliveries already pending still finish)",
)
def webhook_unsubscribe(request: HttpRequest, subscription_id: uuid.UUID) -> dict[str, Any]:
    subscription = selectors.subscription_get(
        user=request.user, subscription_id=subscription_id, application=_application(request)
    )
    return subscription_out(services.subscription_deactivate(actor=request.user, subscription=subscription))


@router.get(
    "/webhooks/deliveries",
    auth=AUTH,
    throttle=[],
    response={200: list[DeliveryOut], **ERRORS},
    summary="The delivery log, newest first",
)
@paginate(Pages, page_size=50)
def webhook_deliveries(request: HttpRequest, filters: Query[DeliveryFilter]) -> DeliveryRows:
    return DeliveryRows(
        selectors.deliveries_for(
            user=request.user,
            application=_application(request),
            subscription_id=filters.subscription,
            status=filters.status,
        )
    )


@router.get(
    "/webhooks/deliveries/{delivery_id}",
    auth=AUTH,
    throttle=[],
    response={200: DeliveryDetailOut, **ERRORS},
    summary="One delivery with every attempt",
)
def webhook_delivery(request: HttpRequest, delivery_id: uuid.UUID) -> dict[str, Any]:
    delivery = selectors.delivery_get(
        user=request.user, delivery_id=delivery_id, application=_application(request)
    )
    return _detail(delivery)


def _detail(delivery: WebhookDelivery) -> dict[str, Any]:
    attempts = [
        {
            "number": attempt.number,
            "at": attempt.at,
            "status_code": attempt.status_code,
            "error": attempt.error,
            "duration_ms": attempt.duration_ms,
            "succeeded": attempt.succeeded,
        }
        for attempt in selectors.delivery_attempts(delivery=delivery)
    ]
    return {**delivery_out(delivery), "attempt_log": attempts}


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    auth=AUTH,
    throttle=[],
    response={200: DeliveryDetailOut, **ERRORS},
    summary="Send a delivery again now (same event id)",
)
def webhook_redeliver(request: HttpRequest, delivery_id: uuid.UUID) -> dict[str, Any]:
    application = _application(request)
    delivery = selectors.delivery_get(user=request.user, delivery_id=delivery_id, application=application)
    services.delivery_redeliver(actor=request.user, delivery=delivery)
    return _detail(
        selectors.delivery_get(user=request.user, delivery_id=delivery_id, application=application)
    )
