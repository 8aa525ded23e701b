"""Who may act on a ticket: the 12345 office's staff (operators), its heads (who decide disputed returns), the
staff of a department a ticket was dispatched to, and supervisors (监察, who read every escalated ticket)."""

from __future__ import annotations

import uuid
from typing import Any

from onewindow.core.errors import PermissionDenied
from onewindow.hotline.models import HotlineOffice
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_memberships

DECIDER_ROLES = (Role.HEAD, Role.DEPARTMENT_ADMIN, Role.SUPERVISOR)


def office_department_ids() -> set[uuid.UUID]:
    return set(HotlineOffice.objects.values_list("department_id", flat=True))


def is_operator(user: Any) -> bool:
    """Staff of a 12345 office take calls, classify, dispatch, merge and call back."""
    offices = office_department_ids()
    return any(m.department_id in offices for m in staff_memberships(user=user))


def is_office_decider(user: Any) -> bool:
    """The office's heads decide a disputed return (退单争议由 12345 办公室裁定)."""
    offices = office_department_ids()
    return any(m.department_id in offices and m.role in DECIDER_ROLES for m in staff_memberships(user=user))


def is_supervisor(user: Any) -> bool:
    return any(m.role == Role.SUPERVISOR for m in staff_memberships(user=user))


def handler_department_ids(user: Any) -> set[uuid.UUID]:
    return {m.department_id for m in staff_memberships(user=user)}


def operator_check(user: Any) -> None:
    if not is_operator(user):
        raise PermissionDenied("只有 12345 热线办公室的工作人员可以执行此操作。")


def decider_check(user: Any) -> None:
    if not is_office_decider(user):
        raise PermissionDenied("退单争议由 12345 热线办公室负责人裁定。")
