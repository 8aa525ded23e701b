"""The workflow demo: every demo item has a process, joint reviews span several departments with staff for each
step, two bundles fan out across departments, the cases in flight sit in the right inboxes, and loading the
demo again adds nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from onewindow.cases.models import Case, CaseStatus
from onewindow.catalogue.models import Bundle, Item
from onewindow.demo.data import PERSONAS
from onewindow.demo.workflow import FAN_OUT_BUNDLES, JOINT_REVIEWS
from onewindow.identity.services.people import person_by_identifier
from onewindow.organisations.models import Membership, Role
from onewindow.workflow import selectors, services
from onewindow.workflow.models import (
    OPEN_TASK_STATUSES,
    InstanceStatus,
    ProcessAssignment,
    ProcessDefinition,
    ProcessInstance,
    ProcessStep,
    TaskStatus,
    WorkTask,
)

pytestmark = pytest.mark.django_db


def staff(username):
    return get_user_model().objects.get(username=username)


def process_of(item: Item) -> ProcessDefinition:
    key = ProcessAssignment.objects.get(item=item).definition_key
    return ProcessDefinition.objects.filter(key=key).order_by("-version").first()


def step_departments(item: Item) -> set:
    """The departments the item's process gives tasks to (a step without one: the item's own)."""
    return {
        step.department_id or item.department_id
        for step in ProcessStep.objects.filter(definition=process_of(item))
    }


def stages(definition: ProcessDefinition) -> list[list[ProcessStep]]:
    """Steps grouped by stage: the parallel steps of a joint review share the name before the bracket."""
    grouped: list[list[ProcessStep]] = []
    for step in definition.steps.order_by("position"):
        base = step.name.split("（", 1)[0]
        if grouped and grouped[-1][0].name.split("（", 1)[0] == base:
            grouped[-1].append(step)
        else:
            grouped.append([step])
    return grouped


def open_task(case: Case, **filters) -> WorkTask:
    return WorkTask.objects.get(case=case, status__in=OPEN_TASK_STATUSES, **filters)


def demo_case(item_name: str, phone: str) -> Case:
    return Case.objects.get(item_version__name=item_name, applicant=person_by_identifier(phone), parent=None)


def test_every_published_demo_item_has_a_process_within_its_promised_days(demo):
    items = list(Item.objects.exclude(published_version=None).select_related("published_version"))
    assert len(items) >= 161
    for item in items:
        definition = process_of(item)
        assert definition is not None, item
        groups = stages(definition)
        assert groups, item
        # A joint review's parallel steps run at once: the stage's limit counts once.
        total = sum(max(step.limit_days or 0 for step in group) for group in groups)
        assert total <= item.published_version.promised_days, (item, total)
        for group in groups:
            for step in group:
                assert step.role in (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER)


def test_at_least_three_items_have_a_parallel_joint_review_of_several_departments(demo):
    joint = []
    for item in Item.objects.exclude(published_version=None):
        for group in stages(process_of(item)):
            departments = {step.department_id for step in group}
            if len(group) >= 2 and len(departments) >= 2:
                assert all(step.department_id for step in group)
                # Each parallel step names the department reviewing in it.
                assert all(step.department.short_name in step.name for step in group)
                joint.append(item.published_version.name)
    assert len(joint) >= 3
    assert {"食品经营许可（新办）", "建筑工程施工许可证核发", "特殊建设工程消防验收"} <= set(joint)
    assert len(JOINT_REVIEWS) == len(set(joint))


def test_every_department_of_a_joint_review_has_a_clerk_reviewer_and_approver_persona(demo):
    joint_departments = {
        step.department_id
        for definition in ProcessDefinition.objects.filter(
            key__in=[spec[0] for spec in JOINT_REVIEWS.values()]
        )
        for step in definition.steps.all()
        if step.department_id
    }
    assert len(joint_departments) >= 5
    personas = [persona.username for persona in PERSONAS]
    for department_id in joint_departments:
        roles = set(
            Membership.objects.filter(department_id=department_id, user__username__in=personas).values_list(
                "role", flat=True
            )
        )
        assert {Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER} <= roles, department_id


def test_two_bundles_fan_out_across_departments(demo):
    fanning = []
    for bundle in Bundle.objects.prefetch_related("entries__item"):
        departments = set()
        for entry in bundle.entries.all():
            departments |= step_departments(entry.item)
        if len(departments) >= 2:
            fanning.append(bundle.code)
    assert set(FAN_OUT_BUNDLES) <= set(fanning)


def test_the_demo_bundle_application_runs_stage_by_stage_under_one_number(demo):
    parent = Case.objects.get(bundle__code="second-hand-house")
    children = {
        c.department.short_name: c for c in Case.objects.filter(parent=parent).select_related("department")
    }
    assert len(children) == 3
    first = children.pop(next(name for name, c in children.items() if c.status == CaseStatus.IN_PROCESS))
    assert parent.number and first.number == f"{parent.number}-01"
    # Stages 2 (税务) and 3 (不动产登记) wait for stage 1 (住建) to conclude.
    assert all(child.status == CaseStatus.DRAFT for child in children.values())
    inbox = selectors.tasks_for_user(user=staff("clerk_housing"), status=TaskStatus.READY)
    assert inbox.filter(case__parent=parent).count() == 1
    for username in ("clerk_tax", "clerk_land"):
        inbox = selectors.tasks_for_user(user=staff(username), status=TaskStatus.READY)
        assert not inbox.filter(case__parent=parent).exists(), username


def test_cases_in_flight_are_in_the_right_inboxes(demo):
    def todo(username, status=TaskStatus.READY):
        return {
            (task.case.item_version.name, task.name)
            for task in selectors.tasks_for_user(user=staff(username), status=status)
        }

    assert ("食品经营许可（新办）", "承办") in todo("clerk_market", TaskStatus.CLAIMED)
    assert ("药品零售企业经营许可（新办）", "承办") in todo("clerk_market")  # returned to the window
    assert ("食品经营许可（新办）", "联合审查（市市场监管局）") in todo("reviewer")
    assert ("食品经营许可（新办）", "联合审查（市卫健委）") in todo("reviewer2")
    assert ("建筑工程施工许可证核发", "联合审查（市自然资源局）") in todo("reviewer_land")
    assert ("建筑工程施工许可证核发", "联合审查（市生态环境局）") in todo("reviewer_env")
    assert not any(name == "建筑工程施工许可证核发" for name, _ in todo("reviewer_housing"))
    assert ("特殊建设工程消防验收", "批准") in todo("approver_housing")
    assert ("特种设备使用登记", "审核") in todo("reviewer", "overdue")


def test_the_returned_case_carries_the_opinion(demo):
    case = demo_case("药品零售企业经营许可（新办）", "13900000004")
    returned = WorkTask.objects.get(case=case, status=TaskStatus.DONE, name="审核")
    assert returned.action == "return" and "执业药师" in returned.opinion
    assert open_task(case).name == "承办"


def test_a_demo_joint_review_runs_to_completion_with_the_personas(demo):
    case = demo_case("食品经营许可（新办）", "13900000003")
    services.task_approve(task=open_task(case, department__short_name="市市场监管局"), user=staff("reviewer"))
    services.task_approve(task=open_task(case, department__short_name="市卫健委"), user=staff("reviewer2"))
    services.task_approve(task=open_task(case, name="批准"), user=staff("approver"), opinion="准予许可。")
    assert ProcessInstance.objects.get(case=case).status == InstanceStatus.COMPLETED


def test_loading_the_demo_again_adds_nothing(demo):
    def counts():
        return {
            model.__name__: model.objects.count()
            for model in (
                ProcessDefinition,
                ProcessStep,
                ProcessAssignment,
                ProcessInstance,
                WorkTask,
                Case,
                get_user_model(),
            )
        }

    before = counts()
    report = StringIO()
    call_command("demo", stdout=report)
    assert counts() == before
    created = dict((name, int(n)) for n, name in re.findall(r"(\d+) (\w+) created", report.getvalue()))
    assert created["processes"] == created["cases_in_flight"] == created["bundle_applications"] == 0
    assert set(created.values()) == {0}


def test_the_demo_inbox_page_lists_the_clerks_tasks(demo, client_as, django_assert_max_num_queries):
    client = client_as(staff("clerk_housing"))
    with django_assert_max_num_queries(20):
        response = client.get("/workbench/tasks/")
    assert response.status_code == 200
    assert "存量房买卖合同网签备案" in response.content.decode()
