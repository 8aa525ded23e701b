"""Workflow writes: process definitions, starting a case's process, the task actions and the step clocks."""

from onewindow.workflow.services.actions import (
    task_approve,
    task_claim,
    task_opinion_add,
    task_release,
    task_return,
    task_transfer,
)
from onewindow.workflow.services.definitions import (
    process_assign,
    process_definition_generate,
    process_definition_upload,
)
from onewindow.workflow.services.instances import (
    mirror_sync,
    step_clocks_pause,
    step_clocks_resume,
    work_task_due_dates_refresh,
)

__all__ = [
    "mirror_sync",
    "process_assign",
    "process_definition_generate",
    "process_definition_upload",
    "step_clocks_pause",
    "step_clocks_resume",
    "task_approve",
    "task_claim",
    "task_opinion_add",
    "task_release",
    "task_return",
    "task_transfer",
    "work_task_due_dates_refresh",
]
