"""The demo's e-supervision: the rule set from its data file, alerts on the demo's overdue work, one 督办单, and
a supervisor who sees every supervised department's cases and steps (issue #15 found 0 of each)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from onewindow.demo.supervision import supervision_demo_load
from onewindow.supervision import selectors
from onewindow.supervision.models import Alert, RuleVersion, SupervisionOrder

pytestmark = pytest.mark.django_db


def test_the_demo_supervisor_sees_alerts_an_order_cases_and_steps(demo, client):
    supervisor = get_user_model().objects.get(username="supervisor")
    assert RuleVersion.objects.order_by("-number").first().warn_percent == 80
    assert selectors.alerts_for_supervisor(user=supervisor).exists()
    assert SupervisionOrder.objects.count() == 1
    assert selectors.cases_for_supervisor(user=supervisor).count() > 0
    assert selectors.tasks_for_supervisor(user=supervisor).count() > 0
    client.force_login(supervisor)
    home = client.get(reverse("workbench:home")).content.decode()
    assert reverse("supervision:alerts") in home and reverse("cases_staff:walk_in") not in home


def test_loading_the_demo_supervision_again_raises_nothing_new(demo):
    before = Alert.objects.count()
    assert supervision_demo_load() == {"supervision_alerts": 0, "supervision_orders": 0}
    assert Alert.objects.count() == before
