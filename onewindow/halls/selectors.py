"""Service-centre reads: the public centre pages, the share of items stationed (进驻率), and — for the cases
app — which items a staff member may take at a comprehensive window and where a case's result is collected."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.halls.models import (
    OpeningPeriod,
    ServiceCentre,
    StationedItem,
    Stationing,
    StationingMode,
    Window,
    WindowClerk,
    WindowDuty,
)
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships
from onewindow.workdays.calendar import WorkCalendar

_CENTRE_NOT_FOUND = "未找到该政务服务中心。"


def _comprehensive_stationed_items(*, user: Any) -> QuerySet[StationedItem]:
    """The stationed items of the active centres whose comprehensive window the user works."""
    if not getattr(user, "is_authenticated", False):
        return StationedItem.objects.none()
    return StationedItem.objects.filter(
        stationing__mode=StationingMode.COMPREHENSIVE,
        stationing__centre__is_active=True,
        stationing__centre__window_clerks__user=user,
    )


def comprehensive_window_item_ids(*, user: Any) -> QuerySet[StationedItem, Any]:
    """The ids of the items the user accepts at a comprehensive window, as a subquery for case lists."""
    return _comprehensive_stationed_items(user=user).values("item_id")


def comprehensive_window_serves(*, user: Any, item_id: Any) -> bool:
    """Whether the user works a comprehensive window at which ``item_id`` is stationed."""
    return _comprehensive_stationed_items(user=user).filter(item_id=item_id).exists()


def comprehensive_window_items(*, user: Any) -> QuerySet[Item]:
    """The published items a comprehensive-window clerk may file walk-ins for, by name."""
    return (
        Item.objects.filter(pk__in=comprehensive_window_item_ids(user=user), published_version__isnull=False)
        .select_related("published_version", "department")
        .order_by("published_version__name")
    )


def collection_centre(*, item_id: Any) -> ServiceCentre | None:
    """The centre whose comprehensive window hands out the results of ``item_id`` (综合窗口出件), if any."""
    return (
        ServiceCentre.objects.filter(
            is_active=True,
            stationings__mode=StationingMode.COMPREHENSIVE,
            stationings__items__item_id=item_id,
        )
        .order_by("name")
        .first()
    )


def centres_list(*, region_code: str | None = None) -> QuerySet[ServiceCentre]:
    """Active centres (optionally in one region), with the number of departments stationed."""
    centres = (
        ServiceCentre.objects.filter(is_active=True)
        .select_related("region", "window_department")
        .annotate(department_count=Count("stationings", distinct=True))
    )
    if region_code:
        centres = centres.filter(region__code=region_code)
    return centres.order_by("region__code", "name")


def centre_get(*, centre_id: Any) -> ServiceCentre:
    """One active centre with its stationed departments and items (public information)."""
    try:
        pk = centre_id if isinstance(centre_id, uuid.UUID) else uuid.UUID(str(centre_id))
    except ValueError:
        raise NotFound(_CENTRE_NOT_FOUND) from None
    centre = (
        ServiceCentre.objects.filter(pk=pk, is_active=True)
        .select_related("region", "window_department")
        .prefetch_related(
            Prefetch(
                "stationings",
                queryset=Stationing.objects.select_related("department").order_by("department__name"),
            ),
            Prefetch("opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "opens")),
            Prefetch(
                "stationings__items",
                queryset=StationedItem.objects.select_related("item__published_version").order_by(
                    "item__published_version__name"
                ),
            ),
        )
        .first()
    )
    if centre is None:
        raise NotFound(_CENTRE_NOT_FOUND)
    return centre


@dataclass(frozen=True)
class StationingRate:
    """进驻率: the items the centre takes, out of the published items of the departments in its region."""

    stationed: int
    total: int

    @property
    def percent(self) -> float:
        return round(100 * self.stationed / self.total, 1) if self.total else 0.0


def centre_stationing_rate(*, centre: ServiceCentre) -> StationingRate:
    """The centre's 进驻率: stationed published items / published items of the departments in its region
    (the region itself, not its districts, which have their own centres)."""
    in_region = Item.objects.filter(
        department__region_id=centre.region_id, department__is_active=True, published_version__isnull=False
    )
    stationed = in_region.filter(stationings__stationing__centre=centre).distinct().count()
    return StationingRate(stationed=stationed, total=in_region.count())


def centres_of_staff(*, user: Any) -> QuerySet[ServiceCentre]:
    """The centres whose comprehensive window the staff member works or whose running department they
    belong to, for the workbench."""
    if not getattr(user, "is_authenticated", False):
        return ServiceCentre.objects.none()
    departments = staff_memberships(user=user).values("department_id")
    return (
        centres_list()
        .filter(Q(window_department_id__in=departments) | Q(window_clerks__user=user))
        .distinct()
    )


def centre_staff_get(*, user: Any, centre_id: Any) -> ServiceCentre:
    """A centre for the workbench: the staff of its running department and platform administrators only."""
    centre = centre_get(centre_id=centre_id)
    if (
        not staff_is_platform_admin(user=user)
        and not centres_of_staff(user=user).filter(pk=centre.pk).exists()
    ):
        raise PermissionDenied(f"只有{centre.window_department.name}的工作人员可以查看该中心的进驻管理页面。")
    return centre


def centre_window_clerks(*, centre: ServiceCentre) -> QuerySet[WindowClerk]:
    """Who works the centre's comprehensive window."""
    return WindowClerk.objects.filter(centre=centre).select_related("user").order_by("user__name")


def stationable_items(*, stationing: Stationing) -> QuerySet[Item]:
    """The stationed department's published items, for choosing which the centre takes."""
    return (
        Item.objects.filter(department_id=stationing.department_id, published_version__isnull=False)
        .select_related("published_version")
        .order_by("published_version__name")
    )


def stationable_items_by_department(*, centre: ServiceCentre) -> dict[Any, list[Item]]:
    """Every stationed department's published items in one query, by department id (the workbench page)."""
    departments = [stationing.department_id for stationing in centre.stationings.all()]
    grouped: dict[Any, list[Item]] = {department: [] for department in departments}
    items = (
        Item.objects.filter(department_id__in=departments, published_version__isnull=False)
        .select_related("published_version")
        .order_by("published_version__name")
    )
    for item in items:
        grouped[item.department_id].append(item)
    return grouped


def stationing_get(*, centre: ServiceCentre, stationing_id: Any) -> Stationing:
    """One stationing of an already-scoped centre."""
    stationing = next((s for s in centre.stationings.all() if str(s.pk) == str(stationing_id)), None)
    if stationing is None:
        raise NotFound("未找到该进驻部门。")
    return stationing


def window_clerk_candidates(*, centre: ServiceCentre) -> QuerySet[Any]:
    """Staff of the running department not yet on the centre's comprehensive window."""
    return (
        get_user_model()
        .objects.filter(memberships__department_id=centre.window_department_id, is_active=True)
        .exclude(comprehensive_windows__centre=centre)
        .distinct()
        .order_by("name")
    )


def centre_opening_periods(
    *,
    centre: ServiceCentre,
    day: dt.date,
    calendar: WorkCalendar | None = None,
    periods: Sequence[OpeningPeriod] | None = None,
) -> list[OpeningPeriod]:
    """The centre's opening periods on ``day``: none on a holiday of the working-day calendar, Monday's on a
    weekend made a working day (调休), else the weekday's (a weekend opening of a grassroots point included).
    ``periods``: the centre's whole week, read once by a caller going over many days."""
    calendar = calendar or WorkCalendar()
    if periods is None:
        periods = centre_week_periods(centre=centre)
    working = calendar.is_working_day(day)
    if day.weekday() < 5 and not working:
        return []
    weekday = 0 if day.weekday() >= 5 and working else day.weekday()
    return [period for period in periods if period.weekday == weekday]


def centre_week_periods(*, centre: ServiceCentre) -> list[OpeningPeriod]:
    """The centre's opening periods of the whole week, by weekday and opening time."""
    return list(OpeningPeriod.objects.filter(centre=centre).order_by("weekday", "opens"))


def centre_windows(*, centre: ServiceCentre) -> QuerySet[Window]:
    """The centre's active windows with their department and items (the public page and the workbench)."""
    return (
        Window.objects.filter(centre=centre, is_active=True)
        .select_related("department")
        .prefetch_related(Prefetch("items", queryset=Item.objects.select_related("published_version")))
        .order_by("number")
    )


def window_duties(*, centre: ServiceCentre, day: dt.date) -> QuerySet[WindowDuty]:
    """Who is on duty at the centre's windows on ``day``."""
    return (
        WindowDuty.objects.filter(window__centre=centre, day=day)
        .select_related("window", "user")
        .order_by("window__number", "user__name")
    )


def window_duties_all(*, centre: ServiceCentre) -> QuerySet[WindowDuty]:
    """Every duty of the centre's windows, from today on (the ones that may still be removed)."""
    return WindowDuty.objects.filter(window__centre=centre, day__gte=clock.today()).select_related("window")


def windows_on_duty(*, user: Any, day: dt.date) -> QuerySet[Window]:
    """The windows the staff member is on duty at today: where they call tickets."""
    if not getattr(user, "is_authenticated", False):
        return Window.objects.none()
    return (
        Window.objects.filter(duties__user=user, duties__day=day, is_active=True, centre__is_active=True)
        .select_related("centre")
        .distinct()
        .order_by("centre__name", "number")
    )


def window_get(*, centre: ServiceCentre, window_id: Any) -> Window:
    """One window of an already-scoped centre."""
    window = Window.objects.filter(centre=centre, pk=window_id).select_related("centre", "department").first()
    if window is None:
        raise NotFound("未找到该窗口。")
    return window


def window_duty_candidates(*, window: Window) -> QuerySet[Any]:
    """Staff who may be put on duty at the window: members of the running or the window's department."""
    departments = [window.centre.window_department_id] + (
        [window.department_id] if window.department_id else []
    )
    return (
        get_user_model()
        .objects.filter(memberships__department_id__in=departments, is_active=True)
        .distinct()
        .order_by("name")
    )
