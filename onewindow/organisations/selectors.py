"""Organisation reads. Regions and departments are public information; staff roles are not."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from onewindow.core.errors import NotFound
from onewindow.organisations.models import (
    REGION_PREFIX_LENGTH,
    Department,
    Membership,
    Region,
    RegionLevel,
    Role,
)


def regions_list(*, parent_code: str | None = None, level: int | None = None) -> QuerySet[Region]:
    regions = Region.objects.select_related("parent").order_by("code")
    if parent_code:
        regions = regions.filter(parent__code=parent_code)
    if level:
        regions = regions.filter(level=level)
    return regions


def region_find(*, code: str) -> Region | None:
    return Region.objects.filter(code=code).first()


def departments_list(
    *, region_code: str | None = None, q: str | None = None, active_only: bool = True
) -> QuerySet[Department]:
    """Departments, optionally in a region and its sub-regions, optionally matching a name or code."""
    departments = Department.objects.select_related("region", "parent")
    if active_only:
        departments = departments.filter(is_active=True)
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            return departments.none()
        departments = departments.filter(
            region__code__startswith=region.code[: REGION_PREFIX_LENGTH[RegionLevel(region.level)]]
        )
    if q:
        departments = departments.filter(
            Q(name__icontains=q) | Q(short_name__icontains=q) | Q(credit_code=q.upper())
        )
    return departments.order_by("region__code", "name")


def department_get(*, department_id: uuid.UUID | str) -> Department:
    department = (
        Department.objects.select_related("region", "parent").filter(pk=department_id, is_active=True).first()
    )
    if department is None:
        raise NotFound("未找到该部门。")
    return department


def staff_memberships(*, user: Any) -> QuerySet[Membership]:
    """The roles a staff member holds, with their departments."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.filter(user=user, department__is_active=True).select_related(
        "department__region"
    )


def staff_has_role(*, user: Any, role: Role, department: Department | None = None) -> bool:
    memberships = staff_memberships(user=user).filter(role=role)
    if department is not None:
        memberships = memberships.filter(department=department)
    return memberships.exists()


def staff_admin_department_ids(*, user: Any) -> set[uuid.UUID]:
    """The departments the user administers (department head / 部门管理员)."""
    return set(
        staff_memberships(user=user)
        .filter(role=Role.DEPARTMENT_ADMIN)
        .values_list("department_id", flat=True)
    )


def staff_is_platform_admin(*, user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or staff_has_role(user=user, role=Role.PLATFORM_ADMIN)
