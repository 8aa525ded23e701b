"""Licence background jobs: expiry (04) and the reminders to holders before expiry, both daily."""

from __future__ import annotations

from django_tasks import task

from onewindow.licences.services import licence_expiry_reminders_send, licences_expire


@task()
def licences_expire_job() -> int:
    """Daily: expire the licences whose last day of validity has passed."""
    return licences_expire()


@task()
def licence_expiry_reminders_job() -> int:
    """Daily: remind holders of licences expiring within their type's reminder period (once per licence)."""
    return licence_expiry_reminders_send()
