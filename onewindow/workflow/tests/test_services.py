"""Definitions, process start and the task actions: permissions, conflicts, the joint review and returns."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import CaseEvent, CaseStatus
from onewindow.cases.tests.factories import case_in_state
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Role
from onewindow.workflow import services
from onewindow.workflow.bpmn import StepSpec
from onewindow.workflow.models import (
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    TaskAction,
    TaskStatus,
    WorkTask,
)
from onewindow.workflow.services import instances
from onewindow.workflow.tests.conftest import joint_steps, open_tasks, staff
from tests.factories import MembershipFactory

UPLOADED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="joint" name="并联审批" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:userTask id="review_a" name="市场监管审查"><bpmn:extensionElements><camunda:properties>
      <camunda:property name="role" value="reviewer"/><camunda:property name="department" value="{a}"/>
      <camunda:property name="limit_days" value="3"/></camunda:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:userTask id="review_b" name="卫健审查"><bpmn:extensionElements><camunda:properties>
      <camunda:property name="role" value="reviewer"/><camunda:property name="department" value="{b}"/>
      </camunda:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:parallelGateway id="join"/>
    <bpmn:userTask id="approve" name="批准"><bpmn:extensionElements><camunda:properties>
      <camunda:property name="role" value="approver"/><camunda:property name="limit_days" value="1"/>
      </camunda:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="review_a"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="review_b"/>
    <bpmn:sequenceFlow id="f4" sourceRef="review_a" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="review_b" targetRef="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="approve"/>
    <bpmn:sequenceFlow id="f7" sourceRef="approve" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def only(tasks, name):
    [task] = [t for t in tasks if t.name == name]
    return task


def of_department(tasks, user):
    """The task among ``tasks`` that belongs to ``user``'s (only) department."""
    department_id = user.memberships.get().department_id
    return next(t for t in tasks if t.department_id == department_id)


def to_joint_review(instance, clerk):
    services.task_approve(task=only(open_tasks(instance), "承办"), user=clerk)
    return open_tasks(instance)


# --- definitions ------------------------------------------------------------------------------------------


def test_an_uploaded_bpmn_with_a_parallel_gateway_runs(
    platform_admin, department_a, department_b, item, citizen, clerk_a, reviewer_a, reviewer_b, approver_a
):
    xml = UPLOADED.format(a=department_a.credit_code, b=department_b.credit_code).encode()
    services.process_definition_upload(actor=platform_admin, key="joint", name="并联审批", xml=xml)
    services.process_assign(actor=platform_admin, item=item, key="joint")
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    instance = case.process
    review_a, review_b = open_tasks(instance)[::-1]
    assert (review_a.name, review_a.department, review_b.name, review_b.department) == (
        "市场监管审查",
        department_a,
        "卫健审查",
        department_b,
    )
    services.task_approve(task=review_b, user=reviewer_b)
    assert [t.name for t in open_tasks(instance)] == ["市场监管审查"]  # the join waits for department A
    services.task_approve(task=review_a, user=reviewer_a)
    assert [t.name for t in open_tasks(instance)] == ["批准"]


def test_an_upload_with_a_script_task_is_refused_and_nothing_is_stored(platform_admin):
    xml = UPLOADED.replace('<bpmn:endEvent id="end"/>', '<bpmn:endEvent id="end"/><bpmn:scriptTask id="s1"/>')
    with pytest.raises(DomainError) as caught:
        services.process_definition_upload(
            actor=platform_admin, key="joint", name="并联审批", xml=xml.encode()
        )
    assert caught.value.code == "bpmn_script_refused" and "s1" in caught.value.message
    assert not ProcessDefinition.objects.exists()


def test_an_upload_naming_an_unknown_department_is_refused(platform_admin, department_a):
    xml = UPLOADED.format(a=department_a.credit_code, b="91350100MA00000000").encode()
    with pytest.raises(DomainError) as caught:
        services.process_definition_upload(actor=platform_admin, key="joint", name="并联审批", xml=xml)
    assert caught.value.code == "process_department_unknown" and "91350100MA00000000" in caught.value.message


def test_only_administrators_may_define_processes(clerk_a, department_a, department_b):
    with pytest.raises(DomainError) as caught:
        services.process_definition_generate(
            actor=clerk_a, key="x", name="x", steps=joint_steps(department_a, department_b)
        )
    assert caught.value.status == 403


def test_a_department_administrator_may_define_processes(head_a, department_a, department_b):
    defined = services.process_definition_generate(
        actor=head_a, key="x", name="审批", steps=joint_steps(department_a, department_b)
    )
    assert (defined.version, defined.steps.count()) == (1, 4)
    assert AuditEntry.objects.filter(action="workflow.definition_create").count() == 1


def test_each_upload_under_a_key_is_the_next_version(platform_admin, definition, department_a, department_b):
    steps = [
        *joint_steps(department_a, department_b),
        StepSpec(name="复核", role=Role.APPROVER, limit_days=1),
    ]
    again = services.process_definition_generate(
        actor=platform_admin, key="food-licence", name="v2", steps=steps
    )
    assert (definition.version, again.version) == (1, 2)


def test_a_running_case_keeps_its_definition_version_after_a_new_upload(
    start, platform_admin, department_a, department_b
):
    first = start()
    steps = [StepSpec(name="直接批准", role=Role.APPROVER, limit_days=1)]
    services.process_definition_generate(actor=platform_admin, key="food-licence", name="简化", steps=steps)
    first.refresh_from_db()
    assert first.definition.version == 1
    assert [t.name for t in open_tasks(first)] == ["承办"]
    second = start()
    assert second.definition.version == 2 and [t.name for t in open_tasks(second)] == ["直接批准"]


# --- start ------------------------------------------------------------------------------------------------


def test_acceptance_starts_the_process_and_mirrors_the_first_task(start, department_a):
    instance = start()
    assert instance.case.status == CaseStatus.IN_PROCESS
    [task] = open_tasks(instance)
    assert (task.name, task.department, task.role, task.status) == (
        "承办",
        department_a,
        Role.WINDOW_CLERK,
        "ready",
    )
    # 2 working days from Tuesday 29 September 2026 (the National Day holiday starts 1 October).
    assert task.due_on == task.deadline.due_on and task.due_on > dt.date(2026, 9, 29)
    assert task.deadline.working_days == 2


def test_an_item_without_a_process_is_handled_on_the_case_page_alone(citizen, item, clerk_a):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    assert case.status == CaseStatus.ACCEPTED and not ProcessInstance.objects.filter(case=case).exists()
    case = case_services.case_process_start(case=case, actor=clerk_a)
    assert case.status == CaseStatus.IN_PROCESS and not ProcessInstance.objects.filter(case=case).exists()


def test_a_process_assigned_after_acceptance_starts_on_request(
    citizen, item, clerk_a, platform_admin, department_a, department_b
):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    services.process_definition_generate(
        actor=platform_admin, key="late", name="后配流程", steps=joint_steps(department_a, department_b)
    )
    services.process_assign(actor=platform_admin, item=item, key="late")
    case = case_services.case_process_start(case=case, actor=clerk_a)  # 开始办理 on the case page
    instance = ProcessInstance.objects.get(case=case)
    assert instance.case.status == CaseStatus.IN_PROCESS
    assert [t.name for t in open_tasks(instance)] == ["承办"]


def test_deemed_acceptance_starts_the_process_without_a_clerk(definition, citizen, item, at):
    case = case_in_state("submitted", user=citizen, item=item)
    at("2026-10-20")  # more than 5 working days after receipt, no correction notice
    assert case_services.case_deemed_accept_overdue() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROCESS
    assert [t.name for t in open_tasks(case.process)] == ["承办"]


def test_a_failing_process_start_rolls_the_acceptance_back(definition, citizen, item, clerk_a, monkeypatch):
    case = case_in_state("submitted", user=citizen, item=item)

    def crash(*args, **kwargs):
        raise RuntimeError("engine failure")

    monkeypatch.setattr(instances, "mirror_sync", crash)
    with pytest.raises(RuntimeError):
        case_services.case_accept(case=case, clerk=clerk_a)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and not case.number
    assert not ProcessInstance.objects.filter(case=case).exists()


def test_joint_review_opens_one_task_per_department_with_its_due_date(
    start, clerk_a, department_a, department_b
):
    tasks = to_joint_review(start(), clerk_a)
    assert sorted((t.department.name, t.role, t.deadline.working_days) for t in tasks) == sorted(
        [(department_a.name, Role.REVIEWER, 5), (department_b.name, Role.REVIEWER, 5)]
    )


# --- actions ----------------------------------------------------------------------------------------------


def test_both_departments_must_approve_before_the_approval_step(start, clerk_a, reviewer_a, reviewer_b):
    instance = start()
    tasks = to_joint_review(instance, clerk_a)
    services.task_approve(task=of_department(tasks, reviewer_a), user=reviewer_a)
    assert len(open_tasks(instance)) == 1
    services.task_approve(task=open_tasks(instance)[0], user=reviewer_b)
    assert [t.name for t in open_tasks(instance)] == ["批准"]


def test_completing_a_task_twice_is_a_conflict(start, clerk_a):
    instance = start()
    task = open_tasks(instance)[0]
    services.task_approve(task=task, user=clerk_a)
    with pytest.raises(DomainError) as caught:
        services.task_approve(task=task, user=clerk_a)
    assert (caught.value.code, caught.value.status) == ("task_already_done", 409)


def test_a_task_of_another_department_is_forbidden(start, clerk_a, reviewer_a):
    instance = start()
    tasks = to_joint_review(instance, clerk_a)
    mine = of_department(tasks, reviewer_a)
    other = next(t for t in tasks if t.pk != mine.pk)
    with pytest.raises(DomainError) as caught:
        services.task_approve(task=other, user=reviewer_a)
    assert caught.value.status == 403
    assert WorkTask.objects.get(pk=other.pk).status == TaskStatus.READY


def test_a_task_of_another_role_is_forbidden(start, reviewer_a):
    with pytest.raises(DomainError) as caught:
        services.task_claim(task=open_tasks(start())[0], user=reviewer_a)
    assert caught.value.status == 403


def test_a_task_claimed_by_a_colleague_cannot_be_approved(start, clerk_a, reviewer_a, reviewer_a2):
    tasks = to_joint_review(start(), clerk_a)
    mine = of_department(tasks, reviewer_a)
    services.task_claim(task=mine, user=reviewer_a)
    with pytest.raises(DomainError) as caught:
        services.task_approve(task=mine, user=reviewer_a2)
    assert (caught.value.code, caught.value.status) == ("task_claimed_by_other", 409)


def test_claim_and_release_record_the_assignee_and_a_step_event(start, clerk_a):
    task = open_tasks(start())[0]
    claimed = services.task_claim(task=task, user=clerk_a)
    assert (claimed.status, claimed.assignee) == (TaskStatus.CLAIMED, clerk_a)
    released = services.task_release(task=task, user=clerk_a)
    assert (released.status, released.assignee) == (TaskStatus.READY, None)
    assert list(
        CaseEvent.objects.filter(case=task.case, action__startswith="step_").values_list("action", flat=True)
    ) == [
        "step_claimed",
        "step_released",
    ]


def test_transfer_goes_to_a_colleague_with_the_same_role_only(
    start, clerk_a, reviewer_a, reviewer_a2, reviewer_b
):
    tasks = to_joint_review(start(), clerk_a)
    mine = of_department(tasks, reviewer_a)
    moved = services.task_transfer(task=mine, user=reviewer_a, to_user=reviewer_a2)
    assert (moved.status, moved.assignee) == (TaskStatus.CLAIMED, reviewer_a2)
    with pytest.raises(DomainError) as caught:
        services.task_transfer(task=mine, user=reviewer_a2, to_user=reviewer_b)
    assert caught.value.code == "transfer_target_invalid"


def test_a_department_head_may_reassign_a_claimed_task(start, clerk_a, reviewer_a, reviewer_a2, head_a):
    tasks = to_joint_review(start(), clerk_a)
    mine = of_department(tasks, reviewer_a)
    services.task_claim(task=mine, user=reviewer_a)
    assert services.task_transfer(task=mine, user=head_a, to_user=reviewer_a2).assignee == reviewer_a2


def test_an_opinion_is_added_without_finishing_the_step(start, clerk_a):
    task = open_tasks(start())[0]
    opinion = services.task_opinion_add(task=task, user=clerk_a, text="申请人已电话确认地址")
    assert opinion.text == "申请人已电话确认地址"
    assert WorkTask.objects.get(pk=task.pk).status == TaskStatus.READY


def test_approval_writes_the_step_record_and_audit(start, clerk_a):
    task = open_tasks(start())[0]
    done = services.task_approve(task=task, user=clerk_a, opinion="材料齐全")
    assert (done.status, done.action, done.completed_by, done.opinion) == (
        TaskStatus.DONE,
        TaskAction.APPROVE,
        clerk_a,
        "材料齐全",
    )
    event = CaseEvent.objects.get(case=task.case, action="step_approved")
    assert "承办" in event.note and "材料齐全" in event.note and event.to_status == CaseStatus.IN_PROCESS
    assert AuditEntry.objects.filter(action="workflow.task_approve").count() == 1


def test_return_with_an_opinion_goes_back_to_the_earlier_step(start, clerk_a, reviewer_a, reviewer_b):
    instance = start()
    tasks = to_joint_review(instance, clerk_a)
    mine = of_department(tasks, reviewer_a)
    services.task_return(task=mine, user=reviewer_a, opinion="经营场所平面图缺失")
    # Both departments' review tasks are gone; 承办 is open again with a fresh clock.
    assert [t.name for t in open_tasks(instance)] == ["承办"]
    statuses = {t.department_id: t.status for t in WorkTask.objects.filter(pk__in=[t.pk for t in tasks])}
    assert sorted(statuses.values()) == [TaskStatus.CANCELLED, TaskStatus.DONE]
    returned = WorkTask.objects.get(pk=mine.pk)
    assert (returned.action, returned.opinion) == (TaskAction.RETURN, "经营场所平面图缺失")
    assert "经营场所平面图缺失" in CaseEvent.objects.get(action="step_returned").note
    # The case runs again: 承办 → both reviews.
    assert len(to_joint_review(instance, clerk_a)) == 2


def test_return_needs_an_opinion(start, clerk_a, reviewer_a):
    tasks = to_joint_review(start(), clerk_a)
    mine = of_department(tasks, reviewer_a)
    with pytest.raises(DomainError) as caught:
        services.task_return(task=mine, user=reviewer_a, opinion="  ")
    assert caught.value.code == "opinion_required"


def test_the_first_step_cannot_be_returned(start, clerk_a):
    with pytest.raises(DomainError) as caught:
        services.task_return(task=open_tasks(start())[0], user=clerk_a, opinion="退回")
    assert caught.value.code == "task_return_target_invalid"


def test_a_return_after_the_joint_review_goes_to_the_step_before_it(
    start, clerk_a, reviewer_a, reviewer_b, approver_a
):
    instance = start()
    for task in to_joint_review(instance, clerk_a):
        services.task_approve(
            task=task, user=reviewer_a if task.department.name.endswith("监督管理局") else reviewer_b
        )
    approval = open_tasks(instance)[0]
    review_step = WorkTask.objects.filter(instance=instance, name__startswith="联合审查").first().step
    with pytest.raises(DomainError):
        services.task_return(task=approval, user=approver_a, opinion="重新审查", to_step=review_step)
    services.task_return(task=approval, user=approver_a, opinion="重新审查")
    assert [t.name for t in open_tasks(instance)] == ["承办"]


def test_approving_the_last_step_completes_the_process_and_the_approver_concludes(
    start, clerk_a, reviewer_a, reviewer_b, approver_a
):
    instance = start()
    for task in to_joint_review(instance, clerk_a):
        services.task_approve(
            task=task, user=reviewer_a if task.department.name.endswith("监督管理局") else reviewer_b
        )
    services.task_approve(task=open_tasks(instance)[0], user=approver_a, opinion="准予许可")
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED and instance.completed_at is not None
    case = instance.case
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROCESS  # ready to conclude: the approver decides
    concluded = case_services.case_conclude(
        case=case, actor=approver_a, code=0, result="食品经营许可证 JY001"
    )
    assert concluded.status == CaseStatus.CONCLUDED


def test_no_step_can_be_approved_while_the_case_is_suspended(start, clerk_a, reviewer_a):
    instance = start()
    tasks = to_joint_review(instance, clerk_a)
    case = instance.case
    case.refresh_from_db()
    case_services.case_suspend(
        case=case,
        actor=reviewer_a,
        kind="inspection",
        reason="现场核查",
        basis="《行政许可法》第四十五条",
        expected_working_days=3,
    )
    mine = of_department(tasks, reviewer_a)
    with pytest.raises(DomainError) as caught:
        services.task_approve(task=mine, user=reviewer_a)
    assert caught.value.code == "case_not_in_process"


def test_suspending_the_case_pauses_the_open_step_clocks(start, clerk_a, reviewer_a, at):
    instance = start()
    tasks = to_joint_review(instance, clerk_a)
    before = {t.pk: t.due_on for t in tasks}
    case = instance.case
    case.refresh_from_db()
    case_services.case_suspend(
        case=case,
        actor=reviewer_a,
        kind="inspection",
        reason="现场核查",
        basis="第四十五条",
        expected_working_days=3,
    )
    assert all(t.deadline.pauses.filter(end_on=None).exists() for t in open_tasks(instance))
    at("2026-10-13")
    case.refresh_from_db()
    case_services.case_resume(case=case, actor=reviewer_a, ended_on=dt.date(2026, 10, 12))
    assert not any(t.deadline.pauses.filter(end_on=None).exists() for t in open_tasks(instance))
    after = {t.pk: t.due_on for t in WorkTask.objects.filter(pk__in=before)}
    assert all(after[pk] > before[pk] for pk in before)


def test_moved_step_deadlines_are_copied_to_the_inbox_rows(start):
    task = open_tasks(start())[0]
    assert task.deadline is not None
    task.deadline.due_on = task.deadline.due_on + dt.timedelta(days=3)
    task.deadline.save()
    assert services.work_task_due_dates_refresh() == 1
    assert WorkTask.objects.get(pk=task.pk).due_on == task.deadline.due_on
    assert services.work_task_due_dates_refresh() == 0


# --- conclusion ---------------------------------------------------------------------------------------------


def test_approval_is_refused_while_steps_are_open_and_nothing_changes(start, approver_a):
    instance = start()
    case = instance.case
    case.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        case_services.case_conclude(case=case, actor=approver_a, code=0, result="食品经营许可证")
    assert caught.value.code == "process_not_completed" and caught.value.status == 409
    assert "承办" in caught.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROCESS and len(open_tasks(instance)) == 1


def test_a_denial_before_the_last_step_cancels_the_open_steps(start, clerk_a, approver_a):
    instance = start()
    to_joint_review(instance, clerk_a)
    case = instance.case
    case.refresh_from_db()
    case_services.case_conclude(case=case, actor=approver_a, code=2, reason="不符合《食品安全法》第三十五条")
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.CANCELLED
    assert open_tasks(instance) == []
    assert instance.tasks.filter(status=TaskStatus.CANCELLED).count() == 2


# --- who may publish a new version of a key --------------------------------------------------------------


def test_a_department_admins_new_key_is_maintained_by_their_department(head_a, department_a, department_b):
    defined = services.process_definition_generate(
        actor=head_a, key="x", name="审批", steps=joint_steps(department_a, department_b)
    )
    again = services.process_definition_generate(
        actor=head_a, key="x", name="审批 v2", steps=joint_steps(department_a, department_b)[:1]
    )
    assert (defined.department, again.department, again.version) == (department_a, department_a, 2)


def test_another_departments_admin_may_not_publish_a_new_version(head_a, department_a, department_b):
    services.process_definition_generate(
        actor=head_a, key="x", name="审批", steps=joint_steps(department_a, department_b)
    )
    head_b = staff("head_b", department_b, Role.DEPARTMENT_ADMIN)
    xml = UPLOADED.format(a=department_a.credit_code, b=department_b.credit_code).encode()
    with pytest.raises(DomainError) as caught:
        services.process_definition_upload(actor=head_b, key="x", name="改版", xml=xml)
    assert caught.value.status == 403 and "市市场监督管理局" in caught.value.message
    assert ProcessDefinition.objects.filter(key="x").count() == 1


def test_a_key_a_platform_admin_created_without_a_department_is_theirs_alone(
    definition, head_a, platform_admin, department_a, department_b
):
    with pytest.raises(DomainError) as caught:
        services.process_definition_generate(
            actor=head_a, key="food-licence", name="改版", steps=joint_steps(department_a, department_b)[:1]
        )
    assert caught.value.status == 403
    again = services.process_definition_generate(
        actor=platform_admin,
        key="food-licence",
        name="改版",
        steps=joint_steps(department_a, department_b)[:1],
    )
    assert (again.version, again.department) == (2, None)


def test_a_platform_admin_publishes_any_key_which_keeps_its_department(
    head_a, platform_admin, department_a, department_b
):
    services.process_definition_generate(
        actor=head_a, key="x", name="审批", steps=joint_steps(department_a, department_b)
    )
    again = services.process_definition_generate(
        actor=platform_admin,
        key="x",
        name="审批 v2",
        steps=joint_steps(department_a, department_b)[:1],
        department=department_b,
    )
    assert (again.version, again.department) == (2, department_a)


def test_a_platform_admin_may_hand_a_new_key_to_a_department(platform_admin, department_b, department_a):
    defined = services.process_definition_generate(
        actor=platform_admin,
        key="x",
        name="审批",
        steps=joint_steps(department_a, department_b),
        department=department_b,
    )
    head_b = staff("head_b", department_b, Role.DEPARTMENT_ADMIN)
    again = services.process_definition_generate(
        actor=head_b, key="x", name="审批 v2", steps=joint_steps(department_a, department_b)[:1]
    )
    assert (defined.department, again.version) == (department_b, 2)


def test_a_department_admin_may_not_create_a_key_for_another_department(head_a, department_a, department_b):
    with pytest.raises(DomainError) as caught:
        services.process_definition_generate(
            actor=head_a,
            key="x",
            name="审批",
            steps=joint_steps(department_a, department_b),
            department=department_b,
        )
    assert caught.value.status == 403 and not ProcessDefinition.objects.exists()


def test_an_admin_of_two_departments_must_choose_the_maintaining_one(head_a, department_a, department_b):
    MembershipFactory(user=head_a, department=department_b, role=Role.DEPARTMENT_ADMIN)
    steps = joint_steps(department_a, department_b)
    with pytest.raises(DomainError) as caught:
        services.process_definition_generate(actor=head_a, key="x", name="审批", steps=steps)
    assert caught.value.code == "process_department_required"
    defined = services.process_definition_generate(
        actor=head_a, key="x", name="审批", steps=steps, department=department_b
    )
    assert defined.department == department_b


def test_a_reserved_key_is_refused(platform_admin, department_a, department_b):
    with pytest.raises(DomainError) as caught:
        services.process_definition_generate(
            actor=platform_admin, key="Upload", name="x", steps=joint_steps(department_a, department_b)
        )
    assert caught.value.code == "process_key_invalid"


def test_one_case_whose_process_cannot_start_does_not_hold_up_deemed_acceptance(
    definition, citizen, item, at, monkeypatch
):
    first = case_in_state("submitted", user=citizen, item=item)
    second = case_in_state("submitted", user=citizen, item=item)
    real_sync = instances.mirror_sync

    def crash_on_first(instance, workflow):
        if instance.case_id == first.pk:
            raise RuntimeError("engine failure")
        return real_sync(instance, workflow)

    monkeypatch.setattr(instances, "mirror_sync", crash_on_first)
    at("2026-10-20")
    assert case_services.case_deemed_accept_overdue() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (CaseStatus.SUBMITTED, CaseStatus.IN_PROCESS)


def test_a_special_procedure_dated_before_a_step_opened_pauses_that_step_from_its_start(
    start, clerk_a, reviewer_a, at
):
    instance = start()
    at("2026-10-12")
    tasks = to_joint_review(instance, clerk_a)  # the joint-review steps open on 12 October
    case = instance.case
    case.refresh_from_db()
    case_services.case_suspend(
        case=case,
        actor=reviewer_a,
        kind="inspection",
        reason="现场核查",
        basis="第四十五条",
        expected_working_days=3,
        started_on=dt.date(2026, 10, 9),
    )
    pauses = [t.deadline.pauses.get() for t in WorkTask.objects.filter(pk__in=[t.pk for t in tasks])]
    assert {p.start_on for p in pauses} == {dt.date(2026, 10, 12)}
    case.refresh_from_db()
    case_services.case_resume(case=case, actor=reviewer_a, ended_on=dt.date(2026, 10, 12))
    assert all(p.end_on == dt.date(2026, 10, 12) for p in (p.__class__.objects.get(pk=p.pk) for p in pauses))
