"""The halls demo: 福州市民服务中心 with the 审批局's comprehensive window, 市场监管 and 卫健 stationed (食品经营许可
among their items), worked by the demo ``clerk``, whose window queue then holds the stationed items' cases."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from onewindow.cases.selectors import cases_for_department
from onewindow.demo.data import demo_load
from onewindow.halls import selectors
from onewindow.halls.models import ServiceCentre, StationedItem

pytestmark = pytest.mark.django_db


def test_the_centre_stations_market_and_health_at_the_comprehensive_window(demo):
    centre = ServiceCentre.objects.get(name="福州市民服务中心")
    assert centre.window_department.short_name == "市审批局"
    stationed = {s.department.short_name: s.mode for s in centre.stationings.select_related("department")}
    comprehensive = {name for name, mode in stationed.items() if mode == "comprehensive"}
    assert comprehensive == {"市审批局", "市市场监管局", "市卫健委"}
    assert stationed["市人社局"] == "department"
    names = set(StationedItem.objects.values_list("item__published_version__name", flat=True))
    assert "食品经营许可（新办）" in names


def test_the_demo_clerk_works_the_comprehensive_window(demo):
    clerk = get_user_model().objects.get(username="clerk")
    food = StationedItem.objects.get(item__published_version__name="食品经营许可（新办）").item
    assert selectors.comprehensive_window_serves(user=clerk, item_id=food.pk)
    assert any(case.item_id == food.pk for case in cases_for_department(user=clerk))


def test_the_centre_shows_its_stationing_rate(demo):
    rate = selectors.centre_stationing_rate(centre=ServiceCentre.objects.get(name="福州市民服务中心"))
    assert 0 < rate.stationed < rate.total


def test_loading_again_adds_no_centre(demo):
    created = demo_load()
    assert (created["service_centres"], created["stationed_items"]) == (0, 0)
