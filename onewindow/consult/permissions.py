"""Who answers, reviews and handles: staff of the department concerned; supervisors (监察) for complaints."""

from __future__ import annotations

from typing import Any

from onewindow.core.errors import PermissionDenied
from onewindow.organisations.models import Department, Role
from onewindow.organisations.selectors import staff_memberships

REVIEWER_ROLES = (Role.HEAD, Role.DEPARTMENT_ADMIN)


def member_of(user: Any, department: Department) -> bool:
    return any(m.department_id == department.pk for m in staff_memberships(user=user))


def faq_reviewer_of(user: Any, department: Department) -> bool:
    return any(
        m.department_id == department.pk and m.role in REVIEWER_ROLES for m in staff_memberships(user=user)
    )


def is_supervisor(user: Any) -> bool:
    return any(m.role == Role.SUPERVISOR for m in staff_memberships(user=user))


def member_check(user: Any, department: Department) -> None:
    if not member_of(user, department):
        raise PermissionDenied("只有该部门的工作人员可以处理。")
