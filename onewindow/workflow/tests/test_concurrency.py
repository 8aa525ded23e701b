"""Two departments approving their joint-review tasks at the same moment: the instance row lock serialises the
engine steps, so both approvals count and the join fires exactly once."""

from __future__ import annotations

import threading

from django.db import connection

from onewindow.cases.tests.test_acceptance import committed_db  # noqa: F401  (fixture)
from onewindow.workflow import services
from onewindow.workflow.models import TaskStatus, WorkTask
from onewindow.workflow.tests.conftest import open_tasks


def test_parallel_approvals_at_once_both_count_and_open_one_approval_task(
    committed_db,  # noqa: F811
    start,
    clerk_a,
    reviewer_a,
    reviewer_b,
):
    instance = start()
    services.task_approve(task=open_tasks(instance)[0], user=clerk_a)
    tasks = {t.department_id: t for t in open_tasks(instance)}
    pairs = [(tasks[u.memberships.get().department_id], u) for u in (reviewer_a, reviewer_b)]
    barrier, outcomes = threading.Barrier(2), []

    def approve(task, user):
        try:
            barrier.wait(timeout=10)
            services.task_approve(task=task, user=user)
            outcomes.append("ok")
        except Exception as error:  # reported below: a thread's exception would otherwise vanish
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["ok", "ok"]
    assert [t.name for t in open_tasks(instance)] == ["批准"]
    assert WorkTask.objects.filter(instance=instance, name="批准", status=TaskStatus.READY).count() == 1


def test_a_denial_racing_a_step_approval_never_deadlocks(
    committed_db,  # noqa: F811
    start,
    clerk_a,
    reviewer_a,
    approver_a,
):
    """Both lock the case row first, then the process instance: one waits for the other, neither fails with a
    deadlock, and no task is left open on the decided case."""
    from onewindow.cases import services as case_services
    from onewindow.cases.models import Case, CaseStatus
    from onewindow.core.errors import DomainError

    instance = start()
    services.task_approve(task=open_tasks(instance)[0], user=clerk_a)
    mine = next(
        t for t in open_tasks(instance) if t.department_id == reviewer_a.memberships.get().department_id
    )
    barrier, outcomes = threading.Barrier(2), []

    def run(action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes.append("ok")
        except DomainError as refused:  # a clean refusal (the case was decided first) is fine
            outcomes.append(refused.code)
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    def approve():
        services.task_approve(task=mine, user=reviewer_a)

    def deny():
        case_services.case_conclude(
            case=Case.objects.get(pk=instance.case_id), actor=approver_a, code=2, reason="不符合法定条件"
        )

    threads = [threading.Thread(target=run, args=(action,)) for action in (approve, deny)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(outcome in ("ok", "case_not_in_process", "task_already_done") for outcome in outcomes), (
        outcomes
    )
    assert Case.objects.get(pk=instance.case_id).status == CaseStatus.CONCLUDED
    assert open_tasks(instance) == []
