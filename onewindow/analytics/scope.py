"""Who may read which figures: platform administrators everything, a supervisor (监察) every department in the
region of their own department and below, a department head (负责人) or department administrator their own
departments. Everyone else is refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from onewindow.core.errors import PermissionDenied
from onewindow.organisations.models import Department, Region, Role
from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships

HEAD_ROLES = (Role.HEAD, Role.DEPARTMENT_ADMIN)
REFUSED = "只有监察人员、平台管理员和部门负责人可以查看统计分析。"


@dataclass(frozen=True)
class Scope:
    """The departments a reader may see; ``department_ids`` None means every department."""

    department_ids: frozenset[uuid.UUID] | None
    root_region_ids: frozenset[uuid.UUID]  # where the region drill-down starts (empty: the top regions)

    def allows(self, department_id: uuid.UUID) -> bool:
        return self.department_ids is None or department_id in self.department_ids


def region_subtree_ids(root_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """The regions at and below ``root_ids`` (one query per level: the division tree has five)."""
    found, frontier = set(root_ids), set(root_ids)
    while frontier:
        frontier = set(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def analytics_scope(*, user: Any) -> Scope:
    if staff_is_platform_admin(user=user):
        return Scope(department_ids=None, root_region_ids=frozenset())
    memberships = list(staff_memberships(user=user).filter(role__in=(Role.SUPERVISOR, *HEAD_ROLES)))
    if not memberships:
        raise PermissionDenied(REFUSED)
    supervised_roots = {m.department.region_id for m in memberships if m.role == Role.SUPERVISOR}
    ids = {m.department_id for m in memberships if m.role in HEAD_ROLES}
    if supervised_roots:
        regions = region_subtree_ids(supervised_roots)
        ids |= set(Department.objects.filter(region_id__in=regions).values_list("pk", flat=True))
    roots = supervised_roots or {m.department.region_id for m in memberships}
    return Scope(department_ids=frozenset(ids), root_region_ids=frozenset(roots))
