"""Assisted-service reads, scoped by who asks: a grassroots point's staff see their point's filings; staff see
the call-back requests; everyone sees the elderly mode's featured items."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from onewindow.assist.models import AssistedFiling, CallbackRequest, CallbackStatus, FeaturedItem
from onewindow.catalogue.models import HandlingForm, Item
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.halls.models import CentreKind, ServiceCentre
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships

# 基层网点: the township centres and village stations (国办发〔2019〕51号 §4 — 帮办代办 at the grassroots).
GRASSROOTS_KINDS = (CentreKind.TOWNSHIP_CENTRE, CentreKind.VILLAGE_STATION)


def assist_points_of(*, user: Any) -> QuerySet[ServiceCentre]:
    """The active grassroots points whose window the staff member works."""
    if not getattr(user, "is_authenticated", False):
        return ServiceCentre.objects.none()
    return (
        ServiceCentre.objects.filter(is_active=True, kind__in=GRASSROOTS_KINDS, window_clerks__user=user)
        .select_related("region", "window_department")
        .order_by("region__code", "name")
        .distinct()
    )


def assist_point_check(*, user: Any, centre: ServiceCentre) -> None:
    """Refuse anyone who does not work this grassroots point (and any centre that is not one)."""
    if centre.kind not in GRASSROOTS_KINDS or not centre.is_active:
        raise PermissionDenied("帮办代办由便民服务中心（站）的工作人员办理。")
    if not assist_points_of(user=user).filter(pk=centre.pk).exists():
        raise PermissionDenied(f"只有{centre.name}的工作人员可以在该服务站帮办。")


def assist_point_get(*, user: Any, centre_id: Any) -> ServiceCentre:
    """One grassroots point the user works (404 for an unknown id, 403 for someone else's point)."""
    try:
        pk = centre_id if isinstance(centre_id, uuid.UUID) else uuid.UUID(str(centre_id))
    except ValueError:
        raise NotFound("未找到该便民服务站。") from None
    centre = ServiceCentre.objects.select_related("region", "window_department").filter(pk=pk).first()
    if centre is None:
        raise NotFound("未找到该便民服务站。")
    assist_point_check(user=user, centre=centre)
    return centre


def assist_items() -> QuerySet[Item]:
    """The items a point may file for a resident: every published item that can be applied for online."""
    published = Item.objects.filter(published_version__isnull=False)
    # The handling forms are a JSON list, which SQLite cannot search inside: filtered on the small pairs.
    online = [
        pk
        for pk, forms in published.values_list("pk", "published_version__handling_forms")
        if {HandlingForm.ONLINE_PC, HandlingForm.ONLINE_MOBILE} & set(forms or [])
    ]
    return (
        Item.objects.filter(pk__in=online)
        .select_related("published_version", "department")
        .order_by("published_version__name")
    )


def assisted_filings_of_point(*, user: Any, centre: ServiceCentre) -> QuerySet[AssistedFiling]:
    """The point's filings, newest first (the staff member's own point only)."""
    assist_point_check(user=user, centre=centre)
    return (
        AssistedFiling.objects.filter(centre=centre)
        .select_related("case__item_version", "resident__user", "helper")
        .order_by("-consented_at")
    )


def callback_requests_list(*, user: Any, status: str = CallbackStatus.OPEN) -> QuerySet[CallbackRequest]:
    """Call-back requests for the workbench (staff only), oldest waiting first."""
    if not (staff_memberships(user=user).exists() or staff_is_platform_admin(user=user)):
        raise PermissionDenied("只有工作人员可以查看回电请求。")
    requests = CallbackRequest.objects.select_related("item__published_version", "handled_by")
    if status == CallbackStatus.DONE:
        return requests.filter(status=status).order_by("-handled_at")
    return requests.filter(status=CallbackStatus.OPEN).order_by("created_at")


def callback_request_get(*, user: Any, request_id: Any) -> CallbackRequest:
    """One call-back request for the workbench (staff only)."""
    callback_requests_list(user=user)
    try:
        pk = request_id if isinstance(request_id, uuid.UUID) else uuid.UUID(str(request_id))
    except ValueError:
        raise NotFound("未找到该回电请求。") from None
    found = CallbackRequest.objects.select_related("item__published_version").filter(pk=pk).first()
    if found is None:
        raise NotFound("未找到该回电请求。")
    return found


def featured_items(*, listing: str) -> QuerySet[FeaturedItem]:
    """A featured list's published items in order (unpublished ones drop out until published again)."""
    return (
        FeaturedItem.objects.filter(listing=listing, item__published_version__isnull=False)
        .select_related("item__published_version")
        .order_by("position")
    )
