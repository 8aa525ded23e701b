"""Spreadsheet imports as background jobs: the upload is stored as a job row, which the task updates with its
progress as it runs, so a page can poll it."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from onewindow.catalogue.exchange.spreadsheet import catalogue_import
from onewindow.catalogue.models import ImportJob, ImportJobStatus
from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.queue import enqueue_in_transaction
from onewindow.core.services import audit_record
from onewindow.organisations.models import Department


@transaction.atomic
def import_job_create(*, actor: Any, upload: UploadedFile, publish: bool) -> ImportJob:
    """Store an uploaded workbook as an import job and queue ``catalogue_import_run`` for it, in the same
    transaction (core.queue): a job row never waits for a run that was not queued."""
    from onewindow.catalogue.tasks import catalogue_import_run  # the task module imports this one

    job = ImportJob(created_by=actor, file_name=(upload.name or "catalogue.xlsx")[:200], publish=publish)
    job.file.save("catalogue.xlsx", upload, save=False)
    job.save()
    audit_record(actor=actor, action="catalogue.import_start", target=job, changes={"publish": publish})
    enqueue_in_transaction(catalogue_import_run, job_id=str(job.pk))
    return job


def import_job_run(
    *, job: ImportJob, departments: QuerySet[Department] | None, may_publish: bool
) -> ImportJob:
    """Run an import job, recording its progress on the job row as it goes (readable while it runs)."""
    last_saved = [-1]

    def progress(stage: str, done: int, total: int) -> None:
        # One write per percent at most: a 10,000-row workbook need not cost 10,000 updates.
        step = max(1, total // 100)
        if stage != job.status or done == total or done - last_saved[0] >= step:
            job.status, job.done, job.total = stage, done, total
            ImportJob.objects.filter(pk=job.pk).update(
                status=stage, done=done, total=total, updated_at=clock.now()
            )
            last_saved[0] = done

    try:
        with job.file.open("rb") as file:
            result = catalogue_import(
                actor=job.created_by,
                file=cast(BinaryIO, file),
                departments=departments,
                publish=job.publish and may_publish,
                progress=progress,
            )
    except DomainError as error:
        job.status, job.message = ImportJobStatus.FAILED, error.message[:500]
        job.problems = [_problem_row(p) for p in error.problems]
    except Exception:
        job.status, job.message = (
            ImportJobStatus.FAILED,
            "导入时发生系统错误，未写入任何数据。请稍后重试或联系平台管理员。",
        )
        job.finished_at = clock.now()
        job.save()
        raise
    else:
        job.status, job.done = ImportJobStatus.DONE, job.total
        job.created_items, job.updated_items = result.created, result.updated
        job.message = (
            f"导入完成：新增 {result.created} 个事项，{result.updated} 个事项生成新版本，{result.unchanged} 个事项无变化"
            + (f"，已发布 {result.published} 个版本。" if result.published else "（均为草稿，待提交审核）。")
        )
    job.finished_at = clock.now()
    job.save()
    return job


def _problem_row(problem: FieldProblem) -> dict[str, Any]:
    sheet, _, column = problem.field.rpartition(".")
    return {
        "sheet": sheet,
        "row": problem.row,
        "column": column,
        "code": problem.code,
        "message": str(problem.message),
    }
