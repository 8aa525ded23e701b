"""The workflow API: a department system works its inbox with a bearer token (no CSRF), under the same rules,
scoping and audit as the workbench; a browser session keeps CSRF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from onewindow.core.models import AuditEntry
from onewindow.identity.tests.oidc_flow import department_system
from onewindow.workflow.models import TaskStatus, WorkTask
from onewindow.workflow.tests.conftest import open_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def bearer(platform_admin):
    """``bearer(user, scope)``: the Authorization header of a live access token of a department system."""
    application, _secret = department_system(platform_admin)
    made = []

    def make(user, scope="openid tasks:read tasks:write"):
        raw = f"token-{user.username}-{len(made)}-{scope.replace(' ', '_')}"[:255]
        made.append(
            AccessToken.objects.create(
                user=user,
                application=application,
                token=raw,
                scope=scope,
                expires=timezone.now() + dt.timedelta(hours=1),
            )
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def _first_task(start):
    instance = start()
    (task,) = open_tasks(instance)
    return instance, task


def test_a_token_lists_the_inbox_of_its_user(start, clerk_a, bearer):
    _instance, task = _first_task(start)

    answer = Client().get("/api/v1/tasks", **bearer(clerk_a))

    assert answer.status_code == 200, answer.content
    assert [row["id"] for row in answer.json()["items"]] == [str(task.pk)]
    assert answer.json()["items"][0]["case"]["number"]


def test_claim_and_approve_with_a_token_need_no_csrf_and_move_the_process_on(start, clerk_a, bearer):
    instance, task = _first_task(start)
    client = Client(enforce_csrf_checks=True)

    claimed = client.post(f"/api/v1/tasks/{task.pk}/claim", **bearer(clerk_a))
    approved = client.post(
        f"/api/v1/tasks/{task.pk}/approve",
        {"opinion": "材料齐全"},
        content_type="application/json",
        **bearer(clerk_a),
    )

    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["status"]["code"] == TaskStatus.CLAIMED
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"]["code"] == TaskStatus.DONE
    assert {t.name for t in open_tasks(instance)} == {"联合审查（市卫健委）", "联合审查（市市场监管局）"}
    actions = set(AuditEntry.objects.filter(target_id=str(task.pk)).values_list("action", flat=True))
    assert {"workflow.task_claim", "workflow.task_approve"} <= actions


def test_a_read_only_token_may_list_but_not_claim(start, clerk_a, bearer):
    _instance, task = _first_task(start)
    headers = bearer(clerk_a, "openid tasks:read")

    listed = Client().get("/api/v1/tasks", **headers)
    refused = Client().post(f"/api/v1/tasks/{task.pk}/claim", **headers)

    assert listed.status_code == 200
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in refused["WWW-Authenticate"]
    assert WorkTask.objects.get(pk=task.pk).status == TaskStatus.READY


def test_another_departments_task_is_403(start, clerk_b, bearer):
    _instance, task = _first_task(start)

    answer = Client().post(f"/api/v1/tasks/{task.pk}/claim", **bearer(clerk_b))

    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


def test_a_session_write_needs_the_csrf_token(start, clerk_a):
    _instance, task = _first_task(start)
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk_a)

    refused = client.post(f"/api/v1/tasks/{task.pk}/claim")
    client.get("/workbench/tasks/")  # sets the csrftoken cookie, as any page does
    token = client.cookies["csrftoken"].value
    accepted = client.post(f"/api/v1/tasks/{task.pk}/claim", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert accepted.status_code == 200, accepted.content


def test_return_needs_an_opinion_and_reopens_the_earlier_step(start, clerk_a, reviewer_a, bearer):
    instance, task = _first_task(start)
    Client().post(f"/api/v1/tasks/{task.pk}/approve", {}, content_type="application/json", **bearer(clerk_a))
    review = next(t for t in open_tasks(instance) if t.name == "联合审查（市市场监管局）")

    missing = Client().post(
        f"/api/v1/tasks/{review.pk}/return", {}, content_type="application/json", **bearer(reviewer_a)
    )
    returned = Client().post(
        f"/api/v1/tasks/{review.pk}/return",
        {"opinion": "请补充场所平面图"},
        content_type="application/json",
        **bearer(reviewer_a),
    )

    assert missing.status_code == 422
    assert returned.status_code == 200, returned.content
    assert [t.name for t in open_tasks(instance)] == ["承办"]


def test_transfer_to_a_colleague_with_the_same_role(start, reviewer_a, reviewer_a2, clerk_a, bearer):
    instance, task = _first_task(start)
    Client().post(f"/api/v1/tasks/{task.pk}/approve", {}, content_type="application/json", **bearer(clerk_a))
    review = next(t for t in open_tasks(instance) if t.name == "联合审查（市市场监管局）")

    moved = Client().post(
        f"/api/v1/tasks/{review.pk}/transfer",
        {"to_user_id": str(reviewer_a2.pk)},
        content_type="application/json",
        **bearer(reviewer_a),
    )
    wrong = Client().post(
        f"/api/v1/tasks/{review.pk}/transfer",
        {"to_user_id": str(clerk_a.pk)},
        content_type="application/json",
        **bearer(reviewer_a2),
    )

    assert moved.status_code == 200, moved.content
    assert moved.json()["assignee"] in (reviewer_a2.name, reviewer_a2.username)
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "transfer_target_invalid"


def test_an_opinion_is_added_without_finishing_the_step(start, clerk_a, bearer):
    _instance, task = _first_task(start)

    added = Client().post(
        f"/api/v1/tasks/{task.pk}/opinions",
        {"text": "已电话联系申请人"},
        content_type="application/json",
        **bearer(clerk_a),
    )
    empty = Client().post(
        f"/api/v1/tasks/{task.pk}/opinions", {"text": ""}, content_type="application/json", **bearer(clerk_a)
    )

    assert added.status_code == 201, added.content
    assert added.json()["text"] == "已电话联系申请人"
    assert empty.status_code == 422
    assert WorkTask.objects.get(pk=task.pk).status == TaskStatus.READY


def test_release_puts_a_claimed_task_back(start, clerk_a, bearer):
    _instance, task = _first_task(start)
    Client().post(f"/api/v1/tasks/{task.pk}/claim", **bearer(clerk_a))

    released = Client().post(f"/api/v1/tasks/{task.pk}/release", **bearer(clerk_a))

    assert released.status_code == 200
    assert released.json()["status"]["code"] == TaskStatus.READY


def test_the_inbox_list_has_a_bounded_number_of_queries(
    start, clerk_a, bearer, django_assert_max_num_queries
):
    for _ in range(3):
        start()
    headers = bearer(clerk_a)

    with django_assert_max_num_queries(12):
        answer = Client().get("/api/v1/tasks", **headers)

    assert answer.json()["count"] == 3
