"""Case background jobs: the applicant's notifications after each state change and their retries, and the
scheduler's daily intake rules (deemed acceptance, return of uncorrected applications)."""

from __future__ import annotations

from django_tasks import task

from onewindow.cases.notifications import case_notification_send, deliveries_retry_due
from onewindow.cases.services import case_deemed_accept_overdue, cases_withdraw_uncorrected


@task()
def case_notify(case_id: str, event: str, sealed_password: str = "", case_event_id: str = "") -> list[str]:
    """Tell the applicant about a state change: in-site message, SMS and e-mail (see cases.notifications).
    ``sealed_password`` (from ``password_seal``) puts the query password in the acceptance SMS and e-mail;
    ``case_event_id`` makes a second run of the same notification do nothing."""
    deliveries = case_notification_send(
        case_id=case_id, event=event, sealed_password=sealed_password, case_event_id=case_event_id
    )
    return [str(delivery.pk) for delivery in deliveries]


@task()
def cases_notifications_retry() -> int:
    """Every minute: try again the SMS and e-mails whose gateway failed, once their pause is over."""
    return deliveries_retry_due()


@task()
def cases_deemed_accept_job() -> int:
    """Daily: accept by default the cases left without a correction notice for 5 working days."""
    return case_deemed_accept_overdue()


@task()
def cases_withdraw_uncorrected_job() -> int:
    """Daily: return (退件) the applications whose correction period ran out."""
    return cases_withdraw_uncorrected()
