"""Catalogue background jobs."""

from __future__ import annotations

from django_tasks import task

from onewindow.catalogue.exchange.jobs import import_job_run
from onewindow.catalogue.models import ImportJob
from onewindow.catalogue.selectors import catalogue_access
from onewindow.organisations.models import Department


@task()
def catalogue_import_run(job_id: str) -> str:
    """Run a spreadsheet import job; its row shows the progress to the page that polls it."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # Rights are taken when the job runs, not when it was queued: a role revoked meanwhile no longer counts.
    access = catalogue_access(job.created_by)
    departments = access.departments if access else Department.objects.none()
    job = import_job_run(
        job=job,
        departments=departments,
        may_publish=bool(access and access.is_platform_admin),
        may_import_lists=bool(access and access.is_platform_admin),
    )
    return job.status
