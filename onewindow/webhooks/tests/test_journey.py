"""What issue #13 must show: a department system holding only an OIDC token obtained with PKCE receives a
webhook for a new task, claims and approves it over the API, and the case moves on; a receiver down for two
minutes still gets every event afterwards, each once as far as it can tell (by the event id)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onewindow.identity.tests.oidc_flow import code_flow, department_system
from onewindow.webhooks import services
from onewindow.webhooks.models import DeliveryStatus, WebhookDelivery
from onewindow.workflow.tests.conftest import open_tasks

pytestmark = pytest.mark.django_db


def test_a_department_system_is_told_of_a_new_task_and_works_it_over_the_api(
    platform_admin, clerk_a, department_a, start, receiver, django_capture_on_commit_callbacks
):
    application, client_secret = department_system(platform_admin, name="市市场监管局 审批业务系统")
    _subscription, signing_secret = services.subscription_create(
        actor=platform_admin,
        application=application,
        department=department_a,
        url="http://127.0.0.1:8121/hooks",
        events=["task.created", "task.claimed", "task.completed"],
    )
    receiver.secret_of["s"] = signing_secret
    browser = Client()
    browser.force_login(clerk_a)
    token = code_flow(browser, application, client_secret, scope="openid tasks:read tasks:write")[
        "access_token"
    ]
    api = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")

    with django_capture_on_commit_callbacks(execute=True):
        instance = start()
    (created,) = [event for event in receiver.events.values() if event["type"] == "task.created"]
    task_id = created["data"]["task"]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        claimed = api.post(f"/api/v1/tasks/{task_id}/claim")
    with django_capture_on_commit_callbacks(execute=True):
        approved = api.post(
            f"/api/v1/tasks/{task_id}/approve", {"opinion": "同意"}, content_type="application/json"
        )

    assert claimed.status_code == 200, claimed.content
    assert approved.status_code == 200, approved.content
    assert {t.name for t in open_tasks(instance)} == {"联合审查（市卫健委）", "联合审查（市市场监管局）"}
    types = sorted(event["type"] for event in receiver.events.values())
    # The joint review opened a task of department A too (B's is not A's subscribers' business).
    assert types == ["task.claimed", "task.completed", "task.created", "task.created"]
    assert receiver.bad_signatures == 0


def test_a_receiver_down_for_two_minutes_gets_every_event_afterwards_once(
    platform_admin, clerk_a, department_a, start, receiver, at, django_capture_on_commit_callbacks
):
    _subscription, secret = services.subscription_create(
        actor=platform_admin,
        application=department_system(platform_admin)[0],
        department=department_a,
        url="http://127.0.0.1:8121/hooks",
        events=["*"],
    )
    receiver.secret_of["s"] = secret
    receiver.down = True
    down_since = at.moment

    with django_capture_on_commit_callbacks(execute=True):
        instance = start()
    (task,) = open_tasks(instance)
    client = Client()
    client.force_login(clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/workbench/tasks/{task.pk}/claim/").status_code in (200, 302)
    sent = WebhookDelivery.objects.count()
    assert sent >= 3 and not receiver.events

    # The scheduler's job runs every minute; the receiver comes back after two minutes. One stored event's
    # answer is lost on the way back, so the platform sends it again and the receiver drops the repeat.
    while WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists():
        at.moves(seconds=60)
        if at.moment - down_since >= dt.timedelta(minutes=2) and receiver.down:
            receiver.down = False
            receiver.lose_next_ack = True
        with django_capture_on_commit_callbacks(execute=True):
            services.deliveries_due_enqueue()
        assert at.moment - down_since < dt.timedelta(hours=1)

    assert not WebhookDelivery.objects.exclude(status=DeliveryStatus.SUCCEEDED).exists()
    delivered_ids = set(WebhookDelivery.objects.values_list("event_id", flat=True))
    assert set(receiver.events) == {str(event_id) for event_id in delivered_ids}
    repeated = [r["headers"]["X-Onewindow-Event-Id"] for r in receiver.requests]
    assert len(repeated) > len(delivered_ids)  # the failures and the lost answer were sent again …
    assert len(receiver.events) == sent  # … yet each event is stored once
    assert receiver.bad_signatures == 0
