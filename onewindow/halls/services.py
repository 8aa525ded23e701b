"""Service-centre writes: creating a centre, stationing a department (进驻) and the items it takes there."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.halls.models import (
    CentreKind,
    OpeningPeriod,
    ServiceCentre,
    StationedItem,
    Stationing,
    StationingMode,
    Window,
    WindowClerk,
    WindowDuty,
    WindowKind,
)
from onewindow.organisations.models import Department, Region
from onewindow.organisations.selectors import (
    staff_admin_department_ids,
    staff_is_platform_admin,
    staff_memberships,
)


def _required(value: str, *, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code=code, message=message)
    return value


def centre_manage_check(*, user: Any | None, centre: ServiceCentre) -> None:
    """Stationing is decided by the department running the centre (its administrators) or the platform."""
    if user is None or staff_is_platform_admin(user=user):
        return
    if centre.window_department_id not in staff_admin_department_ids(user=user):
        raise PermissionDenied(
            f"只有{centre.window_department.name}的部门管理员或平台管理员可以调整进驻事项。"
        )


@transaction.atomic
def centre_create(
    *,
    actor: Any | None,
    name: str,
    region: Region,
    window_department: Department,
    address: str,
    opening_hours: str,
    phone: str,
    kind: str = CentreKind.SERVICE_CENTRE,
) -> ServiceCentre:
    """Open a service centre whose comprehensive window ``window_department`` runs."""
    name = _required(name, code="centre.name_required", message="请填写政务服务中心名称。")
    if ServiceCentre.objects.filter(name=name).exists():
        raise DomainError(code="centre.name_taken", message=f"已有名为“{name}”的政务服务中心。", status=409)
    if kind not in CentreKind.values:
        raise DomainError(
            code="centre.kind_invalid", message="服务场所类型应为政务服务中心、便民服务中心或便民服务站。"
        )
    centre = ServiceCentre.objects.create(
        name=name,
        kind=kind,
        region=region,
        window_department=window_department,
        address=_required(address, code="centre.address_required", message="请填写政务服务中心地址。"),
        opening_hours=_required(opening_hours, code="centre.hours_required", message="请填写办公时间。"),
        phone=_required(phone, code="centre.phone_required", message="请填写咨询电话。"),
    )
    audit_record(
        actor=actor,
        action="centre.create",
        target=centre,
        changes={"region": region.code, "window_department": str(window_department.pk)},
    )
    return centre


@transaction.atomic
def stationing_create(
    *,
    actor: Any | None,
    centre: ServiceCentre,
    department: Department,
    mode: str,
    stationed_on: dt.date | None = None,
) -> Stationing:
    """Station a department in a centre (进驻): from ``stationed_on`` it takes applications there, at the
    comprehensive window or at its own department window."""
    centre_manage_check(user=actor, centre=centre)
    if mode not in StationingMode.values:
        raise DomainError(code="stationing.mode_invalid", message="进驻方式应为“综合窗口受理”或“部门窗口”。")
    if not department.is_active:
        raise DomainError(
            code="stationing.department_inactive", message=f"{department.name}已停用，不能进驻。"
        )
    if Stationing.objects.filter(centre=centre, department=department).exists():
        raise DomainError(
            code="stationing.exists", message=f"{department.name}已进驻{centre.name}。", status=409
        )
    stationing = Stationing.objects.create(
        centre=centre, department=department, mode=mode, stationed_on=stationed_on or clock.today()
    )
    audit_record(
        actor=actor,
        action="stationing.create",
        target=stationing,
        changes={"centre": str(centre.pk), "department": str(department.pk), "mode": mode},
    )
    return stationing


@transaction.atomic
def stationing_items_set(
    *,
    actor: Any | None,
    stationing: Stationing,
    items: Iterable[Item],
    stationed_on: dt.date | None = None,
) -> list[StationedItem]:
    """Set which of the stationed department's items the centre takes: new ones from ``stationed_on``,
    ones left out are withdrawn. Another department's item is refused (its own department must station it)."""
    centre_manage_check(user=actor, centre=stationing.centre)
    wanted = {item.pk: item for item in items}
    foreign = [item for item in wanted.values() if item.department_id != stationing.department_id]
    if foreign:
        raise DomainError(
            code="stationing.item_department",
            message=f"事项“{foreign[0]}”不属于{stationing.department.name}，不能随该部门进驻。",
        )
    current = {row.item_id: row for row in stationing.items.all()}
    removed = [row for item_id, row in current.items() if item_id not in wanted]
    added = [
        StationedItem(stationing=stationing, item=item, stationed_on=stationed_on or clock.today())
        for item_id, item in wanted.items()
        if item_id not in current
    ]
    if not removed and not added:
        return list(stationing.items.all())
    StationedItem.objects.filter(pk__in=[row.pk for row in removed]).delete()
    StationedItem.objects.bulk_create(added)
    audit_record(
        actor=actor,
        action="stationing.items_set",
        target=stationing,
        changes={
            "added": sorted(str(row.item_id) for row in added),
            "removed": sorted(str(row.item_id) for row in removed),
        },
    )
    return list(stationing.items.all())


@transaction.atomic
def window_clerk_assign(*, actor: Any | None, centre: ServiceCentre, user: Any) -> WindowClerk:
    """Let a staff member of the running department work the centre's comprehensive window (idempotent)."""
    centre_manage_check(user=actor, centre=centre)
    if not staff_memberships(user=user).filter(department_id=centre.window_department_id).exists():
        raise DomainError(
            code="window_clerk.not_staff",
            message=f"综合窗口人员须为{centre.window_department.name}的工作人员，请先在该部门为其设置岗位。",
        )
    clerk, created = WindowClerk.objects.get_or_create(centre=centre, user=user)
    if created:
        audit_record(actor=actor, action="window_clerk.assign", target=clerk, changes={"user": str(user.pk)})
    return clerk


@transaction.atomic
def window_clerk_remove(*, actor: Any | None, clerk: WindowClerk) -> None:
    """Take a staff member off the comprehensive window; the audit entry keeps who worked it."""
    centre_manage_check(user=actor, centre=clerk.centre)
    audit_record(
        actor=actor, action="window_clerk.remove", target=clerk, changes={"user": str(clerk.user_id)}
    )
    clerk.delete()


@transaction.atomic
def opening_periods_set(
    *, actor: Any | None, centre: ServiceCentre, periods: Iterable[tuple[int, dt.time, dt.time]]
) -> list[OpeningPeriod]:
    """Replace a centre's weekly opening periods ``(weekday, opens, closes)``; overlapping periods are refused."""
    centre_manage_check(user=actor, centre=centre)
    rows = sorted(periods)
    for weekday, opens, closes in rows:
        if not 0 <= weekday <= 6 or opens >= closes:
            raise DomainError(code="opening.invalid", message="办公时间应为周一至周日之一，且开始早于结束。")
    for (day_a, _o, closes_a), (day_b, opens_b, _c) in itertools.pairwise(rows):
        if day_a == day_b and opens_b < closes_a:
            raise DomainError(code="opening.overlap", message="同一天的两个办公时段不能重叠。")
    centre.opening_periods.all().delete()
    created = OpeningPeriod.objects.bulk_create(
        OpeningPeriod(centre=centre, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in rows
    )
    audit_record(
        actor=actor,
        action="centre.opening_periods_set",
        target=centre,
        changes={"periods": [f"{w} {o:%H:%M}-{c:%H:%M}" for w, o, c in rows]},
    )
    return created


def _window_items_check(
    *, centre: ServiceCentre, kind: str, department: Department | None, items: list[Item]
) -> None:
    stationed = set(
        StationedItem.objects.filter(stationing__centre=centre, item__in=items).values_list(
            "item_id", flat=True
        )
    )
    missing = [item for item in items if item.pk not in stationed]
    if missing:
        raise DomainError(
            code="window.item_not_stationed", message=f"事项“{missing[0]}”未进驻{centre.name}，窗口不能办理。"
        )
    if kind == WindowKind.DEPARTMENT:
        foreign = [item for item in items if department is None or item.department_id != department.pk]
        if foreign:
            raise DomainError(
                code="window.item_department", message=f"部门窗口只能办理本部门的事项：“{foreign[0]}”不是。"
            )


@transaction.atomic
def window_create(
    *,
    actor: Any | None,
    centre: ServiceCentre,
    number: str,
    label: str,
    kind: str,
    department: Department | None = None,
    items: Iterable[Item] = (),
) -> Window:
    """Open a window (窗口) in the hall: comprehensive, or a stationed department's own, with the items it serves."""
    centre_manage_check(user=actor, centre=centre)
    number = _required(number, code="window.number_required", message="请填写窗口号。")[:10]
    label = _required(label, code="window.label_required", message="请填写窗口名称。")
    if kind not in WindowKind.values:
        raise DomainError(code="window.kind_invalid", message="窗口类型应为“综合窗口”或“部门窗口”。")
    if kind == WindowKind.DEPARTMENT and (
        department is None or not Stationing.objects.filter(centre=centre, department=department).exists()
    ):
        raise DomainError(code="window.department_required", message="部门窗口须属于已进驻本中心的部门。")
    if kind == WindowKind.COMPREHENSIVE:
        department = None
    if Window.objects.filter(centre=centre, number=number).exists():
        raise DomainError(
            code="window.number_taken", message=f"{centre.name}已有{number}号窗口。", status=409
        )
    chosen = list(items)
    _window_items_check(centre=centre, kind=kind, department=department, items=chosen)
    window = Window.objects.create(
        centre=centre, number=number, label=label, kind=kind, department=department
    )
    window.items.set(chosen)
    audit_record(
        actor=actor,
        action="window.create",
        target=window,
        changes={"number": number, "kind": kind, "items": sorted(str(item.pk) for item in chosen)},
    )
    return window


@transaction.atomic
def window_items_set(*, actor: Any | None, window: Window, items: Iterable[Item]) -> Window:
    """Set the items a window serves (each must be stationed in the centre; a department window's its own)."""
    centre_manage_check(user=actor, centre=window.centre)
    chosen = list(items)
    _window_items_check(centre=window.centre, kind=window.kind, department=window.department, items=chosen)
    window.items.set(chosen)
    audit_record(
        actor=actor,
        action="window.items_set",
        target=window,
        changes={"items": sorted(str(i.pk) for i in chosen)},
    )
    return window


@transaction.atomic
def window_duty_set(*, actor: Any | None, window: Window, user: Any, day: dt.date) -> WindowDuty:
    """Put a staff member on duty at a window for a day (排班): a member of the running or the window's
    department (idempotent)."""
    centre_manage_check(user=actor, centre=window.centre)
    allowed = {window.centre.window_department_id} | (
        {window.department_id} if window.department_id else set()
    )
    if not staff_memberships(user=user).filter(department_id__in=allowed).exists():
        raise DomainError(
            code="window_duty.not_staff", message="值班人员须为运行本中心或本窗口所属部门的工作人员。"
        )
    duty, created = WindowDuty.objects.get_or_create(window=window, user=user, day=day)
    if created:
        audit_record(
            actor=actor,
            action="window_duty.set",
            target=duty,
            changes={"user": str(user.pk), "day": day.isoformat()},
        )
    return duty


@transaction.atomic
def window_duty_remove(*, actor: Any | None, duty: WindowDuty) -> None:
    """Take a staff member off a window's duty for the day."""
    centre_manage_check(user=actor, centre=duty.window.centre)
    audit_record(actor=actor, action="window_duty.remove", target=duty, changes={"user": str(duty.user_id)})
    duty.delete()
