"""Who may do what with ratings and their rectifications (object permissions, used by selectors and services)."""

from __future__ import annotations

from typing import Any

from onewindow.organisations.models import REGION_PREFIX_LENGTH, Department, RegionLevel, Role
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships

# The roles that call raters back and answer for the fix: they see who rated (each look-up audited).
CALLBACK_ROLES = (Role.HEAD, Role.DEPARTMENT_ADMIN, Role.SUPERVISOR)


def covers(supervising: Department, handling: Department) -> bool:
    region = supervising.region
    if region is None or handling.region is None:
        return supervising.pk == handling.pk
    prefix = region.code[: REGION_PREFIX_LENGTH[RegionLevel(region.level)]]
    return handling.region.code.startswith(prefix)


def staff_in_department(*, user: Any, department: Department) -> bool:
    return staff_memberships(user=user).filter(department=department).exists()


def staff_may_call_back(*, user: Any, department: Department) -> bool:
    return staff_memberships(user=user).filter(department=department, role__in=CALLBACK_ROLES).exists()


def supervised_department_ids(*, user: Any) -> set[Any] | None:
    """The departments whose rectifications the user supervises (申诉复核, escalations): a supervisor's
    department and every department in its region below; None means all (platform administrators)."""
    if staff_is_platform_admin(user=user):
        return None
    ids: set[Any] = set()
    supervising = [m.department for m in staff_memberships(user=user).filter(role=Role.SUPERVISOR)]
    if not supervising:
        return ids
    for department in Department.objects.filter(is_active=True).select_related("region"):
        if any(covers(mine, department) for mine in supervising):
            ids.add(department.pk)
    return ids


def staff_supervises(*, user: Any, department: Department) -> bool:
    ids = supervised_department_ids(user=user)
    return ids is None or department.pk in ids
