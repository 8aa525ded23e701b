"""The repair command rebuilds the task mirror from the engine state after a crash left it missing or stale."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from onewindow.core.errors import DomainError
from onewindow.workflow import services
from onewindow.workflow.engine import workflow_dump, workflow_load
from onewindow.workflow.models import ProcessInstance, TaskStatus, WorkTask
from onewindow.workflow.repair import workflow_repair
from onewindow.workflow.tests.conftest import open_tasks


def engine_step_without_mirror(instance: ProcessInstance) -> None:
    """What a crash between the engine step and the mirror update would leave: the engine moved on (承办
    completed, both reviews ready), the mirror still shows 承办 open."""
    workflow = workflow_load(instance.state, instance.definition)
    [ready] = [t for t in workflow.get_tasks() if t.task_spec.name == "Step_1"]
    ready.run()
    workflow.do_engine_steps()
    ProcessInstance.objects.filter(pk=instance.pk).update(
        state=workflow_dump(workflow), revision=instance.revision + 1
    )


def test_repair_opens_missing_rows_and_closes_stale_ones(start):
    instance = start()
    engine_step_without_mirror(instance)
    report = workflow_repair()
    assert (report.instances, report.opened, report.closed) == (1, 2, 1)
    assert sorted(t.name for t in open_tasks(instance))[0].startswith("联合审查")
    assert len(open_tasks(instance)) == 2
    assert WorkTask.objects.get(name="承办").status == TaskStatus.DONE


def test_repair_recreates_deleted_rows_and_the_action_then_works(start, clerk_a):
    instance = start()
    WorkTask.objects.filter(instance=instance).delete()
    workflow_repair()
    [task] = open_tasks(instance)
    services.task_approve(task=task, user=clerk_a)
    assert len(open_tasks(instance)) == 2


def test_repair_is_idempotent(start):
    instance = start()
    engine_step_without_mirror(instance)
    workflow_repair()
    before = sorted(WorkTask.objects.values_list("pk", "status"))
    report = workflow_repair()
    assert (report.opened, report.closed) == (0, 0)
    assert sorted(WorkTask.objects.values_list("pk", "status")) == before


def test_an_action_on_a_stale_row_is_refused_until_repaired(start, clerk_a):
    instance = start()
    engine_step_without_mirror(instance)
    stale = open_tasks(instance)[0]
    with pytest.raises(DomainError) as caught:
        services.task_approve(task=stale, user=clerk_a)
    assert (caught.value.code, caught.value.status) == ("task_out_of_sync", 409)


def test_the_repair_command_reports_what_it_did(start):
    engine_step_without_mirror(start())
    out = StringIO()
    call_command("workflow_repair", stdout=out)
    assert "tasks opened: 2" in out.getvalue() and "tasks closed: 1" in out.getvalue()
