"""Licence background jobs: expiry (04) and the reminders to holders before expiry, both daily."""

from __future__ import annotations

from django_tasks import task

from onewindow.licences.services import licence_expiry_reminders_send, licences_expire
from onewindow.licences.services.copies import licence_copy_draw_pending


@task()
def licences_expire_job() -> int:
    """Daily: expire the licences whose last day of validity has passed."""
    return licences_expire()


@task()
def licence_expiry_reminders_job() -> int:
    """Daily: remind holders of licences expiring within their type's reminder period (once per licence)."""
    return licence_expiry_reminders_send()


@task()
def licence_copy_draw_job(case_material_id: str) -> bool:
    """Draw the watermarked copy of a licence attached to an application (queued with the attachment)."""
    return licence_copy_draw_pending(case_material_id)
