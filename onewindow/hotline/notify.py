"""Telling supervisors (监察) that a ticket went past its time limit: a queued task, sent after the commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django_tasks import task

from onewindow.hotline.models import Ticket
from onewindow.hotline.permissions import office_department_ids
from onewindow.organisations.models import Membership, Role

log = logging.getLogger(__name__)


def supervisor_emails(ticket: Ticket) -> list[str]:
    """Supervisors of the lead department and of the 12345 office."""
    departments = office_department_ids() | (
        {ticket.lead_department_id} if ticket.lead_department_id else set()
    )
    users = get_user_model().objects.filter(
        Q(
            pk__in=Membership.objects.filter(role=Role.SUPERVISOR, department_id__in=departments).values(
                "user_id"
            )
        ),
        is_active=True,
    )
    return sorted({email for email in users.values_list("email", flat=True) if email})


@task()
def ticket_escalation_notify(ticket_id: str) -> int:
    """Mail the supervisors about one escalated ticket; the workbench list shows it whatever the mail does."""
    ticket = Ticket.objects.select_related("lead_department", "category").filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    recipients = supervisor_emails(ticket)
    if not recipients:
        return 0
    lead = ticket.lead_department.name if ticket.lead_department else "未派单"
    subject = f"【12345 督办】工单 {ticket.number} 已超期"
    body = (
        f"工单 {ticket.number}（{ticket.category.name if ticket.category else '未分类'}）应于 {ticket.due_on} 前答复，"
        f"主办单位：{lead}，至今未答复，已转督办。\n"
        f"请登录工作台查看：{settings.ONEWINDOW_PUBLIC_BASE_URL}/workbench/hotline/tickets/{ticket.pk}/"
    )
    try:
        send_mail(subject, body, None, recipients)
    except OSError:  # the escalation is recorded; a mail outage must not undo it
        log.exception("escalation mail failed")
        return 0
    return len(recipients)
