"""The webhooks demo: the two demo department systems subscribe to 市市场监管局's and 市卫健委's events, and the
demo's cases in flight leave deliveries on the workbench page."""

from __future__ import annotations

import pytest

from onewindow.demo.data import demo_load
from onewindow.webhooks.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_the_demo_systems_are_subscribed_and_have_deliveries(demo):
    subscriptions = {
        s.application.client_id: s for s in WebhookSubscription.objects.select_related("application")
    }
    assert subscriptions["demo-department-system"].department.short_name == "市市场监管局"
    assert subscriptions["demo-second-system"].events == ["*"]
    assert WebhookDelivery.objects.filter(event__event_type="task.created").exists()


def test_loading_the_demo_again_subscribes_nothing_twice(demo):
    assert demo_load()["webhook_subscriptions"] == 0
