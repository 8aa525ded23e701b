"""Background jobs of the ratings app: escalating overdue rectifications and telling the supervisors."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db.models import Q
from django_tasks import task

from onewindow.organisations.models import Membership, Role
from onewindow.ratings.access import covers
from onewindow.ratings.models import Rectification


@task()
def rectifications_escalate_job() -> int:
    """Periodic: overdue rectifications escalate to the supervisors (e-supervision)."""
    from onewindow.ratings.services import rectifications_escalate

    return rectifications_escalate()


@task()
def rectification_escalated_notify(*, rectification_id: str) -> int:
    """Mail the supervisors covering the department that an overdue bad rating was escalated (no rater
    identity in the message)."""
    rectification = (
        Rectification.objects.select_related("department__region", "rating__item__published_version")
        .filter(pk=rectification_id)
        .first()
    )
    if rectification is None:
        return 0
    supervisors = Membership.objects.filter(
        Q(role=Role.SUPERVISOR) | Q(role=Role.PLATFORM_ADMIN), user__is_active=True
    ).select_related("department__region", "user")
    recipients = sorted(
        {
            m.user.email
            for m in supervisors
            if m.user.email
            and (m.role == Role.PLATFORM_ADMIN or covers(m.department, rectification.department))
        }
    )
    if not recipients:
        return 0
    item = rectification.rating.item
    version = item.published_version if item else None
    subject = f"差评整改逾期：{rectification.department.name}"
    body = (
        f"{rectification.department.name}的一条差评整改已超过期限（{rectification.due_on:%Y年%m月%d日}），"
        f"已升级至电子监察。\n事项：{version.name if version else '窗口服务'}\n请在工作台“好差评 · 监察”中查看。"
    )
    send_mail(subject, body, None, recipients)
    return len(recipients)
