"""Demo webhook subscriptions (``webhooks.json``): the demo department systems subscribe to their departments'
case and task events, made through the webhooks services before the demo's cases are processed, so the
workbench page `/workbench/webhooks/` has deliveries to show (the sandbox transport answers them)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from oauth2_provider.models import get_application_model

from onewindow.organisations.models import Department
from onewindow.webhooks.services import subscription_create

SUBSCRIPTIONS = Path(__file__).with_name("webhooks.json")


def webhooks_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create the subscriptions that are missing (a system and receiver already subscribed is left alone)."""
    actor = get_user_model().objects.get(username="admin")
    created = 0
    for row in json.loads(SUBSCRIPTIONS.read_text(encoding="utf-8")):
        application = get_application_model().objects.get(client_id=row["client_id"])
        if application.webhook_subscriptions.filter(url=row["url"]).exists():
            continue
        subscription_create(
            actor=actor,
            application=application,
            department=departments[row["department"]],
            url=row["url"],
            events=row["events"],
            description=row["description"],
        )
        created += 1
    return {"webhook_subscriptions": created}
