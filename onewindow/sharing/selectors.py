"""Reads of the data-sharing platform, scoped by who asks: the catalogue is open to all staff; approvals and
the access log to the administrators of the departments concerned (platform administrators see all); a
person's and a company's 谁查了我的数据 only to themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.identity.models import Company, Person
from onewindow.organisations.models import Department, Role
from onewindow.organisations.selectors import staff_memberships
from onewindow.sharing.models import AccessLogEntry, SharedResource, SharingApproval, SubjectKind

# Who oversees the sharing approvals and the access log: the platform, and each department's administrators for
# their own department (the selectors below); the workbench's sub-menu offers those pages to the same roles.
OVERSIGHT_ROLES = (Role.PLATFORM_ADMIN, Role.DEPARTMENT_ADMIN)


def is_platform_admin(user: Any) -> bool:
    return staff_memberships(user=user).filter(role=Role.PLATFORM_ADMIN).exists()


def admin_departments(*, user: Any) -> QuerySet[Department]:
    """Departments whose sharing the user administers (department administrators)."""
    ids = staff_memberships(user=user).filter(role=Role.DEPARTMENT_ADMIN).values("department_id")
    return Department.objects.filter(pk__in=ids, is_active=True).order_by("name")


def staff_departments(*, user: Any) -> QuerySet[Department]:
    ids = staff_memberships(user=user).exclude(role=Role.PLATFORM_ADMIN).values("department_id")
    return Department.objects.filter(pk__in=ids, is_active=True).order_by("name")


def resources_list(*, q: str = "") -> QuerySet[SharedResource]:
    resources = SharedResource.objects.select_related("provider").order_by("code")
    if q:
        resources = resources.filter(
            Q(name__icontains=q) | Q(code__icontains=q) | Q(provider__name__icontains=q)
        )
    return resources


def resource_get(*, code: str) -> SharedResource:
    resource = SharedResource.objects.select_related("provider").filter(code=code).first()
    if resource is None:
        raise NotFound("未找到该共享资源。")
    return resource


def approvals_for_staff(*, user: Any) -> QuerySet[SharingApproval]:
    """Approvals the user may see: those asked by, or asked of, a department they administer."""
    approvals = SharingApproval.objects.select_related("resource__provider", "consumer", "decided_by")
    if is_platform_admin(user):
        return approvals
    departments = admin_departments(user=user)
    if not departments.exists():
        raise PermissionDenied("只有部门管理员可以查看共享授权。")
    return approvals.filter(Q(consumer__in=departments) | Q(resource__provider__in=departments))


def approval_get(*, user: Any, approval_id: Any) -> SharingApproval:
    approval = approvals_for_staff(user=user).filter(pk=approval_id).first()
    if approval is None:
        raise NotFound("未找到该共享申请。")
    return approval


def access_log_for_staff(*, user: Any, outcome: str = "") -> QuerySet[AccessLogEntry]:
    """The queries a department made, or that were made of the resources it provides (newest first)."""
    entries = AccessLogEntry.objects.select_related("resource", "consumer").order_by("-seq")
    if outcome:
        entries = entries.filter(outcome=outcome)
    if is_platform_admin(user):
        return entries
    departments = admin_departments(user=user)
    if not departments.exists():
        raise PermissionDenied("只有部门管理员可以查看数据共享访问日志。")
    return entries.filter(Q(consumer__in=departments) | Q(resource__provider__in=departments))


def data_usage_of(
    *, person: Person | None = None, company: Company | None = None
) -> QuerySet[AccessLogEntry]:
    """谁查了我的数据: every query about the person (by their ID number's keyed hash) or the company."""
    condition = Q(pk__in=[])
    if person is not None and person.id_number_hash:
        condition |= Q(subject_kind=SubjectKind.PERSON, subject_key=person.id_number_hash)
    if company is not None:
        condition |= Q(subject_kind=SubjectKind.COMPANY, subject_key=company.credit_code)
    return AccessLogEntry.objects.filter(condition).select_related("resource", "consumer").order_by("-seq")
