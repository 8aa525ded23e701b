"""The webhooks page of the workbench (/workbench/webhooks/): subscriptions, the delivery log with each
delivery's status and attempts, and the redeliver button. Platform administrators see every subscription,
department administrators their departments'."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.organisations.models import Department
from onewindow.organisations.selectors import staff_admin_department_ids, staff_is_platform_admin
from onewindow.webhooks import selectors, services
from onewindow.webhooks.forms import SubscriptionForm
from onewindow.webhooks.models import DeliveryStatus
from onewindow.webhooks.signing import HEADER_EVENT_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP

DELIVERIES_PER_PAGE = 25


def webhooks_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Platform and department administrators only; anyone else signed in gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.may_use_webhooks(user=request.user):
            raise PermissionDenied
        with refusals_as_http():
            return view(request, *args, **kwargs)

    return wrapper


def _departments(user: Any) -> Any:
    if staff_is_platform_admin(user=user):
        return Department.objects.filter(is_active=True).order_by("name")
    return Department.objects.filter(pk__in=staff_admin_department_ids(user=user)).order_by("name")


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"is_platform_admin": staff_is_platform_admin(user=request.user), "webhooks_access": True, **extra}


@require_http_methods(["GET", "POST"])
@never_cache
@webhooks_admin_required
def webhook_home(request: HttpRequest) -> HttpResponse:
    """Subscriptions, the subscribe form and the delivery log (filtered by status)."""
    form = SubscriptionForm(request.POST or None, departments=_departments(request.user))
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription, secret = services.subscription_create(
                    actor=request.user,
                    application=data["application"],
                    department=data["department"],
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                )
            except DomainError as refused:
                for problem in refused.problems:
                    form.add_error(problem.field if problem.field in form.fields else None, problem.message)
                if not refused.problems:
                    form.add_error(None, refused.message)
                status = 400
            else:
                form = SubscriptionForm(departments=_departments(request.user))
                messages.success(request, _("Subscribed %(url)s.") % {"url": subscription.url})
        else:
            status = 400
    filter_status = request.GET.get("status", "")
    if filter_status not in DeliveryStatus.values:
        filter_status = ""
    deliveries = selectors.deliveries_for(user=request.user, status=filter_status or None)
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    response = render(
        request,
        "webhooks/home.html",
        _context(
            request,
            subscriptions=selectors.subscriptions_for(user=request.user),
            form=form,
            secret=secret,
            page=page,
            filter_status=filter_status,
            statuses=DeliveryStatus.choices,
            headers={
                "event_id": HEADER_EVENT_ID,
                "timestamp": HEADER_TIMESTAMP,
                "signature": HEADER_SIGNATURE,
            },
        ),
        status=status,
    )
    if secret:
        response["Cache-Control"] = "no-store"  # the secret is shown once
    return response


@require_POST
@webhooks_admin_required
def webhook_deactivate(request: HttpRequest, subscription_id: Any) -> HttpResponse:
    subscription = selectors.subscription_get(user=request.user, subscription_id=subscription_id)
    services.subscription_deactivate(actor=request.user, subscription=subscription)
    messages.success(request, _("The subscription was stopped."))
    return redirect("webhooks:home")


@require_safe
@never_cache
@webhooks_admin_required
def webhook_delivery(request: HttpRequest, delivery_id: Any) -> HttpResponse:
    """One delivery: the event sent, every attempt and the receiver's answer."""
    delivery = selectors.delivery_get(user=request.user, delivery_id=delivery_id)
    return render(
        request,
        "webhooks/delivery.html",
        _context(
            request,
            delivery=delivery,
            attempts=selectors.delivery_attempts(delivery=delivery),
            payload_json=json.dumps(delivery.event.payload, ensure_ascii=False, indent=2),
        ),
    )


@require_POST
@webhooks_admin_required
def webhook_redeliver(request: HttpRequest, delivery_id: Any) -> HttpResponse:
    delivery = selectors.delivery_get(user=request.user, delivery_id=delivery_id)
    services.delivery_redeliver(actor=request.user, delivery=delivery)
    messages.success(request, _("The event is being delivered again."))
    return redirect("webhooks:delivery", delivery_id=delivery.pk)
