"""What the licence services share: who may act for an issuing department, and locking a licence to act on it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.licences.models import Licence
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
# Who sees the licences a department issued: any of its staff. The platform's own administrators hold no
# department's licences (their membership only marks the platform role).
VIEWER_ROLES = tuple(role for role in Role if role != Role.PLATFORM_ADMIN)


def department_role_check(user: Any, department: Department, roles: Iterable[str], doing: str) -> None:
    """The user holds one of ``roles`` in ``department`` (the issuing department)."""
    if not staff_memberships(user=user).filter(department=department, role__in=list(roles)).exists():
        raise PermissionDenied(f"只有发证部门（{department.name}）的相应岗位人员可以{doing}。")


def licence_lock(licence: Licence, *, actor: Any, doing: str, allowed: set[str]) -> Licence:
    """Lock the licence row, check the actor works in its issuing department with a lifecycle role and that its
    status allows ``doing`` (409 otherwise)."""
    licence = (
        Licence.objects.select_for_update(of=("self",))
        .select_related("licence_type__issuer", "issuer", "holder_person__user", "holder_company")
        .get(pk=licence.pk)
    )
    department_role_check(actor, licence.issuer, LIFECYCLE_ROLES, doing)
    if licence.status not in allowed:
        raise DomainError(
            code="licence.state_conflict",
            message=f"证照当前状态为“{STATUS_ZH[licence.status]}”，不能{doing}。",
            status=409,
        )
    return licence
