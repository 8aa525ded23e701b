"""The inbox and task pages: who may see what, each action through the page, refusals shown on the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.cases.models import CaseStatus
from onewindow.catalogue.models import ItemVersion
from onewindow.core.masking import mask_name
from onewindow.workflow import services
from onewindow.workflow.models import InstanceStatus, TaskOpinion, TaskStatus
from onewindow.workflow.tests.conftest import open_tasks

pytestmark = pytest.mark.django_db

INBOX = "/workbench/tasks/"


def task_url(task, action=""):
    if action:
        return reverse("workflow:task_action", args=[task.pk, action])
    return reverse("workflow:task_detail", args=[task.pk])


def only(instance, department):
    return next(t for t in open_tasks(instance) if t.department_id == department.pk)


@pytest.fixture
def joint(start, clerk_a, department_a):
    """A started case whose 承办 step is approved: the joint review of A and B is open."""
    instance = start()
    services.task_approve(task=only(instance, department_a), user=clerk_a)
    return instance


def test_the_inbox_is_mounted_where_the_lead_mounts_it():
    assert reverse("workflow:inbox") == INBOX


# --- permissions -------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, joint, department_a):
    response = client.get(task_url(only(joint, department_a)))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_citizen_is_refused(client_as, citizen):
    assert client_as(citizen).get(INBOX).status_code == 403


def test_another_departments_task_is_refused(client_as, joint, reviewer_a, department_b):
    response = client_as(reviewer_a).get(task_url(only(joint, department_b)))
    assert response.status_code == 403


def test_a_reviewer_sees_the_task_with_the_masked_applicant(
    client_as, joint, reviewer_a, department_a, citizen
):
    response = client_as(reviewer_a).get(task_url(only(joint, department_a)))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<dd>{mask_name(citizen.name)}</dd>" in page
    assert "食品经营许可" in page and 'action="' + task_url(only(joint, department_a), "claim") in page


def _with_phone(instance):
    """The case's form asks for a phone (set on the version directly: fixtures only)."""
    case = instance.case
    schema = case.item_version.form_schema
    schema["properties"]["mobile"] = {"type": "string", "title": "手机号码", "format": "mobile"}
    ItemVersion.objects.filter(pk=case.item_version_id).update(form_schema=schema)
    case.item_version.refresh_from_db()
    case.form_data = {"applicant_name": "张三", "mobile": "13912345678"}
    case.save(update_fields=["form_data"])


def test_a_joint_review_department_sees_personal_answers_masked(client_as, joint, reviewer_b, department_b):
    _with_phone(joint)
    page = client_as(reviewer_b).get(task_url(only(joint, department_b))).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    assert "张三" not in page  # the applicant's name is masked in the form too, as in the header


def test_the_handling_department_sees_personal_answers_in_clear(client_as, joint, reviewer_a, department_a):
    _with_phone(joint)
    page = client_as(reviewer_a).get(task_url(only(joint, department_a))).content.decode()
    assert "13912345678" in page


# --- inbox ---------------------------------------------------------------------------------------------------


def test_the_to_do_tab_lists_the_ready_tasks_of_my_role(
    client_as, joint, reviewer_a, reviewer_b, department_b
):
    page = client_as(reviewer_b).get(INBOX).content.decode()
    assert task_url(only(joint, department_b)) in page
    assert client_as(reviewer_b).get(INBOX, {"tab": "claimed"}).context["page"].paginator.count == 0


def test_claimed_and_done_tabs_follow_the_actions(client_as, joint, reviewer_a, department_a):
    task = only(joint, department_a)
    client = client_as(reviewer_a)
    client.post(task_url(task, "claim"))
    assert [row["task"] for row in client.get(INBOX, {"tab": "claimed"}).context["rows"]] == [task]
    client.post(task_url(task, "approve"), {"approve-opinion": "同意"})
    assert [row["task"] for row in client.get(INBOX, {"tab": "done"}).context["rows"]] == [task]
    assert client.get(INBOX).context["page"].paginator.count == 0


def test_overdue_and_due_soon_tabs(client_as, joint, reviewer_a, department_a, at):
    task = only(joint, department_a)
    client = client_as(reviewer_a)
    at(task.due_on.isoformat())
    assert client.get(INBOX, {"tab": "due_soon"}).context["page"].paginator.count == 1
    at("2026-12-01")
    response = client.get(INBOX, {"tab": "overdue"})
    assert response.context["page"].paginator.count == 1
    assert "row-overdue" in response.content.decode()


def test_search_by_case_number_item_and_applicant(client_as, joint, reviewer_a, citizen):
    client = client_as(reviewer_a)
    number = joint.case.number
    for q, found in ((number, 1), ("食品", 1), (citizen.name, 1), ("没有这个", 0)):
        assert client.get(INBOX, {"q": q}).context["page"].paginator.count == found, q


def test_the_department_tab_is_for_department_heads(client_as, joint, head_a, reviewer_a, department_a):
    client_as(reviewer_a).post(task_url(only(joint, department_a), "claim"))
    assert "department" not in [e["tab"].key for e in client_as(reviewer_a).get(INBOX).context["tabs"]]
    response = client_as(head_a).get(INBOX, {"tab": "department"})
    assert [row["task"].assignee for row in response.context["rows"]] == [reviewer_a]


def test_the_inbox_query_count_does_not_grow_with_the_tasks(
    client_as, start, clerk_a, reviewer_a, department_a, django_assert_max_num_queries
):
    for _ in range(3):
        instance = start()
        services.task_approve(task=only(instance, department_a), user=clerk_a)
    client = client_as(reviewer_a)
    with django_assert_max_num_queries(18):
        response = client.get(INBOX)
    assert len(response.context["rows"]) == 3


def test_the_inbox_reads_its_page_of_tasks_without_joins(client_as, start, clerk_a, reviewer_a, department_a):
    """A join of the eight tables a row shows took PostgreSQL longer to plan than the whole page otherwise
    takes (bench/README.md): the tasks come alone, what a row shows from small queries after."""
    services.task_approve(task=only(start(), department_a), user=clerk_a)
    with CaptureQueriesContext(connection) as captured:
        response = client_as(reviewer_a).get(INBOX)
    assert len(response.context["rows"]) == 1
    listed = [
        q["sql"] for q in captured if 'FROM "workflow_worktask"' in q["sql"] and "COUNT(" not in q["sql"]
    ]
    assert listed and all("JOIN" not in sql for sql in listed)


def test_the_task_page_query_count_is_bounded(
    client_as, joint, reviewer_a, department_a, django_assert_max_num_queries
):
    client, url = client_as(reviewer_a), task_url(only(joint, department_a))
    with django_assert_max_num_queries(22):
        assert client.get(url).status_code == 200


# --- actions ------------------------------------------------------------------------------------------------


def test_claim_and_release(client_as, joint, reviewer_a, department_a):
    task = only(joint, department_a)
    client = client_as(reviewer_a)
    assert client.post(task_url(task, "claim")).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.assignee) == (TaskStatus.CLAIMED, reviewer_a)
    client.post(task_url(task, "release"))
    task.refresh_from_db()
    assert (task.status, task.assignee) == (TaskStatus.READY, None)


def test_add_an_opinion(client_as, joint, reviewer_a, department_a):
    task = only(joint, department_a)
    response = client_as(reviewer_a).post(
        task_url(task, "opinion"), {"opinion-opinion": "材料齐全"}, follow=True
    )
    assert TaskOpinion.objects.get(task=task).text == "材料齐全"
    assert "材料齐全" in response.content.decode()


def test_transfer_to_a_colleague(client_as, joint, reviewer_a, reviewer_a2, department_a):
    task = only(joint, department_a)
    client_as(reviewer_a).post(task_url(task, "transfer"), {"transfer-to_user": reviewer_a2.pk})
    task.refresh_from_db()
    assert task.assignee == reviewer_a2


def test_a_transfer_without_any_colleague_left_says_why(client_as, joint, reviewer_a, department_a):
    task = only(joint, department_a)  # reviewer_a is the only reviewer of department A here
    response = client_as(reviewer_a).post(task_url(task, "transfer"), {"transfer-to_user": reviewer_a.pk})
    assert response.status_code == 400
    assert "alert-error" in response.content.decode()
    task.refresh_from_db()
    assert task.assignee is None


def test_a_department_head_reassigns(client_as, joint, head_a, reviewer_a, reviewer_a2, department_a):
    task = only(joint, department_a)
    client_as(reviewer_a).post(task_url(task, "claim"))
    page = client_as(head_a).get(task_url(task)).content.decode()
    assert task_url(task, "transfer") in page and task_url(task, "approve") not in page
    client_as(head_a).post(task_url(task, "transfer"), {"transfer-to_user": reviewer_a2.pk})
    task.refresh_from_db()
    assert task.assignee == reviewer_a2


def test_return_needs_an_opinion(client_as, joint, reviewer_b, department_b):
    task = only(joint, department_b)
    response = client_as(reviewer_b).post(task_url(task, "return"), {"return-opinion": ""})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == TaskStatus.READY


def test_return_goes_back_to_the_earlier_step(client_as, joint, reviewer_b, department_b):
    task = only(joint, department_b)
    client_as(reviewer_b).post(task_url(task, "return"), {"return-opinion": "缺少平面图"})
    task.refresh_from_db()
    assert (task.status, task.action, task.opinion) == (TaskStatus.DONE, "return", "缺少平面图")
    assert [t.name for t in open_tasks(joint)] == ["承办"]


def test_completing_twice_shows_the_409_message(client_as, joint, reviewer_a, department_a):
    task = only(joint, department_a)
    client = client_as(reviewer_a)
    client.post(task_url(task, "approve"))
    response = client.post(task_url(task, "approve"))
    assert response.status_code == 409
    assert "不能再通过" in response.content.decode()


def test_a_task_claimed_by_another_shows_the_409_message(
    client_as, joint, reviewer_a, reviewer_a2, department_a
):
    task = only(joint, department_a)
    client_as(reviewer_a).post(task_url(task, "claim"))
    response = client_as(reviewer_a2).post(task_url(task, "approve"))
    assert response.status_code == 409
    assert "已由" in response.content.decode()


def test_a_wrong_role_in_the_department_shows_the_403_message(client_as, joint, approver_a, department_a):
    response = client_as(approver_a).post(task_url(only(joint, department_a), "claim"))
    assert response.status_code == 403
    assert "岗位人员可以签收" in response.content.decode()


def test_the_completed_process_points_to_the_case_page(
    client_as, joint, reviewer_a, reviewer_b, approver_a, department_a, department_b
):
    services.task_approve(task=only(joint, department_a), user=reviewer_a)
    services.task_approve(task=only(joint, department_b), user=reviewer_b)
    last = only(joint, department_a)
    response = client_as(approver_a).post(
        task_url(last, "approve"), {"approve-opinion": "准予许可"}, follow=True
    )
    joint.refresh_from_db()
    assert joint.status == InstanceStatus.COMPLETED and joint.case.status == CaseStatus.IN_PROCESS
    page = response.content.decode()
    assert reverse("cases_staff:case_detail", args=[joint.case.pk]) in page
    assert "approve" not in response.context["actions"]


def test_the_other_department_of_a_joint_review_can_open_the_cases_materials(
    client_as, joint, reviewer_b, department_b, reviewer_a, department_a
):
    material = joint.case.materials.exclude(file="").first()
    assert material is not None
    url = reverse("workflow:task_material", args=[only(joint, department_b).pk, material.pk])
    response = client_as(reviewer_b).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    # Someone outside the task's department gets the 403 page, not the file.
    assert client_as(reviewer_a).get(url).status_code == 403
