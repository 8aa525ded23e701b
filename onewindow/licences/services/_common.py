"""Checks the licence services share: who may act for an issuing department."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.errors import PermissionDenied
from onewindow.organisations.models import Department, Role
from onewindow.organisations.selectors import staff_memberships

# For the Chinese refusal messages (DomainError messages are Chinese literals, whatever the request language).
STATUS_ZH = {
    "valid": "有效",
    "suspended": "已暂停",
    "revoked": "已吊销（注销）",
    "expired": "已过期",
    "superseded": "已被新证照替代",
}
# Who may suspend, lift, revoke, renew and change a department's licences.
LIFECYCLE_ROLES = (Role.APPROVER, Role.DEPARTMENT_ADMIN)
# Who manages a department's licence types and signing keys.
ADMIN_ROLES = (Role.DEPARTMENT_ADMIN,)


def department_role_check(user: Any, department: Department, roles: Iterable[str], doing: str) -> None:
    """The user holds one of ``roles`` in ``department`` (the issuing department)."""
    if not staff_memberships(user=user).filter(department=department, role__in=list(roles)).exists():
        raise PermissionDenied(f"只有发证部门（{department.name}）的相应岗位人员可以{doing}。")
