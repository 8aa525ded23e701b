"""Department processing in headless Chromium: a case accepted at the window (which starts its process) is
reviewed jointly by a reviewer
of department A and one of department B (two staff personas, each with their own inbox); B returns it with an
opinion, the process goes back to 承办; after it comes round again both approve, the approver of A approves
批准 and concludes the case on the cases page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.organisations.models import Role
from onewindow.workflow import services
from onewindow.workflow.models import OPEN_TASK_STATUSES, InstanceStatus, ProcessInstance, WorkTask
from onewindow.workflow.tests.conftest import joint_steps
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

INBOX = "/workbench/tasks/"


def staff(username, name, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, name=name, is_staff=True), department=department, role=role
    ).user


@pytest.fixture
def submitted_case(platform_admin, department_a, department_b, citizen):
    """A complete application for an item whose process has a joint review by departments A and B."""
    item = case_item(department=department_a, name="食品经营许可")
    services.process_definition_generate(
        actor=platform_admin,
        key="food-licence",
        name="食品经营许可审批",
        steps=joint_steps(department_a, department_b),
    )
    services.process_assign(actor=platform_admin, item=item, key="food-licence")
    return case_in_state("submitted", user=citizen, item=item)


def _clerk_approves(instance, clerk):
    [task] = WorkTask.objects.filter(instance=instance, status__in=OPEN_TASK_STATUSES, name="承办")
    services.task_approve(task=task, user=clerk)


def _sign_in(new_page, user, landing=INBOX):
    page = new_page()
    page.goto(f"/accounts/login/?next={landing}")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    return page


def _open_task(page, item_name="食品经营许可"):
    page.goto(INBOX)
    page.locator(".case-table").get_by_role("link", name=item_name).click()
    expect(page).to_have_url(re.compile(r"/workbench/tasks/[0-9a-f-]{36}/$"))


def test_a_joint_review_is_returned_approved_and_concluded(
    new_page, screenshot, submitted_case, department_a, department_b, clerk_a
):
    reviewer_a = staff("reviewer_a", "林审查", department_a, Role.REVIEWER)
    reviewer_b = staff("reviewer_b", "黄审查", department_b, Role.REVIEWER)
    approver_a = staff("approver_a", "王批准", department_a, Role.APPROVER)

    # The window clerk accepts the case: its process starts with the acceptance, 承办 is in the clerk's inbox.
    page_w = _sign_in(new_page, clerk_a, landing=f"/workbench/cases/{submitted_case.pk}/")
    page_w.locator("#act-accept button[type=submit]").click()
    expect(page_w.locator("#case-number")).to_be_visible()
    screenshot(page_w, "workflow-window-accepted")
    accepted_case = ProcessInstance.objects.get(case=submitted_case)
    case = accepted_case.case
    assert case.status == CaseStatus.IN_PROCESS
    _open_task(page_w)
    screenshot(page_w, "workflow-task-clerk")
    page_w.locator("#act-approve button[type=submit]").click()
    expect(page_w.locator(".message-success")).to_be_visible()

    page_a = _sign_in(new_page, reviewer_a)
    expect(page_a.locator(".case-table tbody tr")).to_have_count(1)
    expect(page_a.locator(".case-table")).to_contain_text("张*")
    expect(page_a.locator(".case-table")).to_contain_text(case.number)
    screenshot(page_a, "workflow-inbox-reviewer-a")

    page_b = _sign_in(new_page, reviewer_b)
    expect(page_b.locator(".case-table tbody tr")).to_have_count(1)
    screenshot(page_b, "workflow-inbox-reviewer-b")

    # B returns it with an opinion: the joint review is cancelled and 承办 opens again.
    _open_task(page_b)
    page_b.locator("#act-claim button[type=submit]").click()
    expect(page_b.locator(".message-success")).to_be_visible()
    page_b.locator("#act-return textarea").fill("缺少经营场所平面图，请补充后重新提交审查")
    screenshot(page_b, "workflow-task-reviewer-b")
    page_b.locator("#act-return button[type=submit]").click()
    expect(page_b.locator(".message-success")).to_be_visible()
    expect(page_b.locator(".case-timeline")).to_contain_text("缺少经营场所平面图")
    assert list(
        WorkTask.objects.filter(instance=accepted_case, status__in=OPEN_TASK_STATUSES).values_list(
            "name", flat=True
        )
    ) == ["承办"]
    page_a.goto(INBOX)
    expect(page_a.locator(".case-table tbody tr")).to_have_count(1)
    expect(page_a.locator(".case-table tbody tr td")).to_have_count(1)  # "no tasks here"

    # The clerk handles 承办 again; both reviewers approve.
    _clerk_approves(accepted_case, clerk_a)
    for page, opinion in ((page_a, "符合食品经营许可条件"), (page_b, "已补充平面图，同意")):
        _open_task(page)
        page.locator("#act-approve textarea").fill(opinion)
        page.locator("#act-approve button[type=submit]").click()
        expect(page.locator(".message-success")).to_be_visible()

    # The approver approves 批准, then concludes the case on the cases page.
    page_c = _sign_in(new_page, approver_a)
    _open_task(page_c)
    expect(page_c.locator(".case-timeline")).to_contain_text("缺少经营场所平面图")
    expect(page_c.locator(".case-timeline")).to_contain_text("已补充平面图，同意")
    screenshot(page_c, "workflow-task-approver")
    page_c.locator("#act-approve textarea").fill("准予许可")
    page_c.locator("#act-approve button[type=submit]").click()
    link = page_c.locator(f'a[href="/workbench/cases/{case.pk}/"]').first
    expect(link).to_be_visible()
    assert ProcessInstance.objects.get(pk=accepted_case.pk).status == InstanceStatus.COMPLETED
    screenshot(page_c, "workflow-task-completed")
    link.click()
    page_c.locator("#act-conclude select[name=code]").select_option("0")
    page_c.locator("#act-conclude input[name=result]").fill("食品经营许可证 JY13501000000001")
    page_c.locator("#act-conclude button[type=submit]").click()
    expect(page_c.locator(".message-success")).to_be_visible()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CONCLUDED
    screenshot(page_c, "workflow-case-concluded")
