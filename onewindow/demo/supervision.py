"""E-supervision in the demo: the rule set from its data file, a first scan over the demo's cases, steps,
questions, tickets and rectifications, and one supervision order so the supervisor's workbench shows the loop."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model

from onewindow.supervision.models import Alert, AlertLevel, AlertStatus, SupervisionOrder
from onewindow.supervision.rules import rule_version_load
from onewindow.supervision.scan import supervision_scan
from onewindow.supervision.services import order_issue

RULES = Path(__file__).with_name("supervision_rules.json")


def supervision_demo_load() -> dict[str, int]:
    rule_version_load(path=RULES)
    run = supervision_scan()
    supervisor = get_user_model().objects.filter(username="supervisor").first()
    orders = 0
    alert = (
        Alert.objects.filter(status=AlertStatus.OPEN, level__in=[AlertLevel.RED, AlertLevel.YELLOW])
        .order_by("raised_at", "reference")
        .first()
    )
    # One order in the demo, once: loading again issues no other.
    if supervisor is not None and alert is not None and not SupervisionOrder.objects.exists():
        order_issue(alert=alert, actor=supervisor, instruction="请说明逾期原因，并于答复期限内办结。")
        orders = 1
    return {"supervision_alerts": run.raised, "supervision_orders": orders}
