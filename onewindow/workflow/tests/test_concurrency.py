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
