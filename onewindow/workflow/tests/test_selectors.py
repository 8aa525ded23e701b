"""Inboxes: scoped to the asker's departments and roles, with a fixed number of queries however long."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.core.errors import DomainError
from onewindow.workflow import services
from onewindow.workflow.selectors import task_get_for_staff, tasks_for_department, tasks_for_user
from onewindow.workflow.tests.conftest import open_tasks


@pytest.fixture
def reviews(start, clerk_a):
    """Three cases at the joint review: three tasks for each department."""
    instances = [start() for _ in range(3)]
    for instance in instances:
        services.task_approve(task=open_tasks(instance)[0], user=clerk_a)
    return instances


def _touch(tasks):
    return [
        (
            t.case.number,
            t.case.item_version.name,
            t.case.applicant_id,
            t.department.name,
            t.step.name,
            t.assignee,
        )
        for t in tasks
    ]


def test_department_inbox_lists_only_the_askers_departments(reviews, reviewer_a, department_a):
    tasks = list(tasks_for_department(user=reviewer_a, status="ready"))
    assert len(tasks) == 3 and {t.department for t in tasks} == {department_a}


def test_department_inbox_query_count_does_not_grow_with_the_list(
    reviews, reviewer_a, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        _touch(tasks_for_department(user=reviewer_a, status="open"))


def test_another_departments_inbox_is_forbidden(reviews, reviewer_a, department_b):
    with pytest.raises(DomainError) as caught:
        tasks_for_department(user=reviewer_a, department_id=department_b.pk)
    assert caught.value.status == 403


def test_personal_inbox_has_claimable_and_own_tasks_only(
    reviews, reviewer_a, reviewer_a2, django_assert_max_num_queries
):
    services.task_claim(task=tasks_for_department(user=reviewer_a, status="ready")[0], user=reviewer_a)
    with django_assert_max_num_queries(2):
        mine = _touch(tasks_for_user(user=reviewer_a))
    assert len(mine) == 3
    assert len(list(tasks_for_user(user=reviewer_a2))) == 2  # the claimed one is no longer offered
    assert len(list(tasks_for_user(user=reviewer_a, status="claimed"))) == 1


def test_overdue_and_due_soon_views(reviews, reviewer_a, at):
    due = tasks_for_department(user=reviewer_a, status="open")[0].due_on
    at(str(due - dt.timedelta(days=1)))
    assert len(list(tasks_for_department(user=reviewer_a, status="due_soon"))) == 3
    at(str(due + dt.timedelta(days=1)))
    assert len(list(tasks_for_department(user=reviewer_a, status="overdue"))) == 3


def test_a_task_of_another_department_is_not_shown(reviews, reviewer_a, department_b):
    other = next(t for t in open_tasks(reviews[0]) if t.department == department_b)
    with pytest.raises(DomainError) as caught:
        task_get_for_staff(user=reviewer_a, task_id=other.pk)
    assert caught.value.status == 403
