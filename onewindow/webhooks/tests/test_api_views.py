"""Webhooks over the API (token with the ``webhooks`` scope, or an administrator's session) and on the
workbench page: subscriptions, the delivery log, redelivery; another department's records are 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from onewindow.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_of(system):
    def make(user, scope="openid webhooks"):
        raw = f"wh-{user.username}-{scope.replace(' ', '_')}"
        AccessToken.objects.create(
            user=user,
            application=system,
            token=raw,
            scope=scope,
            expires=timezone.now() + dt.timedelta(hours=1),
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def test_a_system_subscribes_with_its_token_and_gets_the_secret_once(token_of, head_a, department_a, system):
    answer = Client(enforce_csrf_checks=True).post(
        "/api/v1/webhooks/subscriptions",
        {
            "url": "https://system.example.gov.cn/hooks",
            "events": ["task.created"],
            "department_id": str(department_a.pk),
        },
        content_type="application/json",
        **token_of(head_a),
    )

    assert answer.status_code == 201, answer.content
    assert answer.json()["secret"].startswith("whsec_")
    assert answer.json()["client_id"] == system.client_id
    listed = Client().get("/api/v1/webhooks/subscriptions", **token_of(head_a, "openid webhooks profile"))
    assert [row["id"] for row in listed.json()] == [answer.json()["id"]]
    assert "secret" not in listed.json()[0]


def test_a_token_without_the_webhooks_scope_is_refused(token_of, head_a):
    answer = Client().get("/api/v1/webhooks/subscriptions", **token_of(head_a, "openid tasks:read"))

    assert answer.status_code == 403
    assert answer.json()["code"] == "insufficient_scope"


def test_a_clerk_may_not_subscribe(token_of, clerk_a, department_a):
    answer = Client().post(
        "/api/v1/webhooks/subscriptions",
        {
            "url": "https://system.example.gov.cn/hooks",
            "events": ["*"],
            "department_id": str(department_a.pk),
        },
        content_type="application/json",
        **token_of(clerk_a),
    )

    assert answer.status_code == 403
    assert not WebhookSubscription.objects.exists()


def test_deliveries_are_listed_and_redelivered_over_the_api(subscribe, start, token_of, head_a):
    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()
    headers = token_of(head_a)

    # A token sees only its own system's subscriptions: this one was made for the same system.
    listed = Client().get("/api/v1/webhooks/deliveries", **headers)
    redelivered = Client().post(f"/api/v1/webhooks/deliveries/{delivery.pk}/redeliver", **headers)

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["items"]] == [str(delivery.pk)]
    assert redelivered.status_code == 200, redelivered.content
    assert redelivered.json()["status"] == "pending"


def test_another_departments_delivery_is_403(subscribe, start, client_as, department_b):
    from tests.factories import MembershipFactory, UserFactory

    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()
    head_b = MembershipFactory(
        user=UserFactory(username="head_b", is_staff=True), department=department_b, role="department_admin"
    ).user

    answer = client_as(head_b).get(f"/api/v1/webhooks/deliveries/{delivery.pk}")

    assert answer.status_code == 403


def test_the_workbench_page_lists_subscriptions_and_deliveries(subscribe, start, client_as, platform_admin):
    subscribe(events=["task.created"])
    start()

    page = client_as(platform_admin).get("/workbench/webhooks/")

    assert page.status_code == 200
    assert "task.created" in page.content.decode()
    assert "127.0.0.1:8121/hooks" in page.content.decode()


def test_the_page_subscribes_and_shows_the_secret_once(client_as, platform_admin, system, department_a):
    page = client_as(platform_admin).post(
        "/workbench/webhooks/",
        {
            "application": system.pk,
            "department": department_a.pk,
            "url": "https://system.example.gov.cn/hooks",
            "events": ["case.accepted", "task.created"],
        },
    )

    assert page.status_code == 200
    assert "whsec_" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert WebhookSubscription.objects.get().events == ["case.accepted", "task.created"]


def test_a_bad_url_is_shown_on_the_form(client_as, platform_admin, system, department_a):
    page = client_as(platform_admin).post(
        "/workbench/webhooks/",
        {
            "application": system.pk,
            "department": department_a.pk,
            "url": "ftp://x",
            "events": ["task.created"],
        },
    )

    assert page.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_the_redeliver_button_queues_the_delivery_again(subscribe, start, client_as, platform_admin):
    subscribe(events=["task.created"])
    start()
    delivery = WebhookDelivery.objects.get()
    client = client_as(platform_admin)

    detail = client.get(f"/workbench/webhooks/deliveries/{delivery.pk}/")
    redelivered = client.post(f"/workbench/webhooks/deliveries/{delivery.pk}/redeliver/")

    assert detail.status_code == 200
    assert redelivered.status_code == 302


def test_a_clerk_may_not_open_the_page(client_as, clerk_a):
    assert client_as(clerk_a).get("/workbench/webhooks/").status_code == 403


def test_the_page_lists_with_a_bounded_number_of_queries(
    subscribe, start, client_as, platform_admin, django_assert_max_num_queries
):
    subscribe(events=["*"])
    for _ in range(3):
        start()
    client = client_as(platform_admin)

    with django_assert_max_num_queries(30):
        page = client.get("/workbench/webhooks/")

    assert page.status_code == 200
