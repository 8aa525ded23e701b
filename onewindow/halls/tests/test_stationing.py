"""Stationing (进驻): which items a centre takes, who may change it, the 进驻率 and the comprehensive window's
scope read by the cases app."""

from __future__ import annotations

import pytest

from onewindow.catalogue.tests.factories import published_item
from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.halls import selectors, services
from onewindow.halls.models import StationedItem, Stationing

pytestmark = pytest.mark.django_db


def test_stationing_a_department_records_its_mode_and_date(stationing_a):
    assert (stationing_a.mode, str(stationing_a.stationed_on)) == ("comprehensive", "2024-01-02")
    assert AuditEntry.objects.filter(action="stationing.create", target_id=str(stationing_a.pk)).count() == 1


def test_a_department_is_stationed_once_per_centre(stationing_a, centre, department_a):
    with pytest.raises(DomainError) as refused:
        services.stationing_create(actor=None, centre=centre, department=department_a, mode="department")
    assert refused.value.code == "stationing.exists" and refused.value.status == 409


def test_an_unknown_mode_is_refused_and_nothing_written(centre, department_a):
    with pytest.raises(DomainError) as refused:
        services.stationing_create(actor=None, centre=centre, department=department_a, mode="kiosk")
    assert refused.value.code == "stationing.mode_invalid"
    assert not Stationing.objects.exists()


def test_another_departments_item_cannot_be_stationed_with_it(stationing_a, department_b):
    foreign = published_item(department=department_b, name="医师执业注册")
    with pytest.raises(DomainError) as refused:
        services.stationing_items_set(actor=None, stationing=stationing_a, items=[foreign])
    assert refused.value.code == "stationing.item_department"
    assert list(StationedItem.objects.values_list("item__department", flat=True)) == [
        stationing_a.department_id
    ]


def test_items_left_out_are_withdrawn(stationing_a):
    services.stationing_items_set(actor=None, stationing=stationing_a, items=[])
    assert not stationing_a.items.exists()


def test_only_the_running_departments_administrator_changes_the_stationing(
    stationing_a, clerk_a, bureau_admin
):
    with pytest.raises(PermissionDenied):
        services.stationing_items_set(actor=clerk_a, stationing=stationing_a, items=[])
    services.stationing_items_set(actor=bureau_admin, stationing=stationing_a, items=[])
    assert not stationing_a.items.exists()


def test_the_stationing_rate_counts_stationed_items_of_the_regions_departments(
    stationing_a, centre, department_a
):
    published_item(department=department_a, name="食品生产许可")
    rate = selectors.centre_stationing_rate(centre=centre)
    assert (rate.stationed, rate.total, rate.percent) == (1, 2, 50.0)


def test_the_window_clerk_serves_the_stationed_items_only(stationing_a, window_clerk, item_a, department_a):
    other = published_item(department=department_a, name="食品生产许可")
    assert selectors.comprehensive_window_serves(user=window_clerk, item_id=item_a.pk)
    assert not selectors.comprehensive_window_serves(user=window_clerk, item_id=other.pk)


def test_another_departments_clerk_is_no_comprehensive_clerk(stationing_a, clerk_b, item_a):
    assert not selectors.comprehensive_window_serves(user=clerk_b, item_id=item_a.pk)


def test_a_department_window_stationing_is_not_served_at_the_comprehensive_window(
    centre, department_b, window_clerk
):
    item = published_item(department=department_b, name="医师执业注册")
    stationing = services.stationing_create(
        actor=None, centre=centre, department=department_b, mode="department"
    )
    services.stationing_items_set(actor=None, stationing=stationing, items=[item])
    assert not selectors.comprehensive_window_serves(user=window_clerk, item_id=item.pk)
    assert selectors.collection_centre(item_id=item.pk) is None


def test_a_closed_centre_serves_nothing(stationing_a, centre, window_clerk, item_a):
    centre.is_active = False
    centre.save()
    assert not selectors.comprehensive_window_serves(user=window_clerk, item_id=item_a.pk)


def test_only_staff_of_the_running_department_work_its_window(centre, clerk_a):
    with pytest.raises(DomainError) as refused:
        services.window_clerk_assign(actor=None, centre=centre, user=clerk_a)
    assert refused.value.code == "window_clerk.not_staff"


def test_results_are_collected_at_the_centre(stationing_a, centre, item_a):
    assert selectors.collection_centre(item_id=item_a.pk) == centre
