"""The centre pages: public (stationed departments and items, 进驻率) and the workbench's stationing page."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.halls.models import StationedItem

pytestmark = pytest.mark.django_db


def test_the_public_page_lists_the_stationed_items_and_the_rate(stationing_a, centre, item_a):
    response = Client().get(reverse("halls:centre", args=[centre.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "福州市民服务中心" in body and "食品经营许可" in body and "100.0%" in body


def test_an_unknown_centre_is_404():
    assert Client().get(reverse("halls:centre", args=[uuid.uuid4()])).status_code == 404


def test_the_centre_list_is_public(centre):
    assert "福州市民服务中心" in Client().get(reverse("halls:centres")).content.decode()


def test_the_public_page_query_count_does_not_grow_with_items(
    stationing_a, centre, department_a, django_assert_max_num_queries
):
    from onewindow.catalogue.tests.factories import published_item
    from onewindow.halls import services

    services.stationing_items_set(
        actor=None,
        stationing=stationing_a,
        items=[published_item(department=department_a, name=f"事项{n}") for n in range(5)],
    )
    with django_assert_max_num_queries(12):
        assert Client().get(reverse("halls:centre", args=[centre.pk])).status_code == 200


def test_the_window_clerk_sees_the_staff_page(stationing_a, centre, window_clerk, client_as):
    response = client_as(window_clerk).get(reverse("halls_staff:centre", args=[centre.pk]))
    assert response.status_code == 200 and "食品经营许可" in response.content.decode()


def test_another_departments_staff_is_refused_the_staff_page(centre, clerk_b, client_as):
    assert client_as(clerk_b).get(reverse("halls_staff:centre", args=[centre.pk])).status_code == 403


def test_the_administrator_sets_the_stationed_items(stationing_a, centre, bureau_admin, client_as):
    url = reverse("halls_staff:stationing_items", args=[centre.pk, stationing_a.pk])
    response = client_as(bureau_admin).post(url, {"items": []})
    assert response.status_code == 302
    assert not StationedItem.objects.exists()


def test_a_foreign_item_id_changes_nothing(stationing_a, centre, bureau_admin, client_as):
    url = reverse("halls_staff:stationing_items", args=[centre.pk, stationing_a.pk])
    client_as(bureau_admin).post(url, {"items": [str(uuid.uuid4())]})
    assert StationedItem.objects.count() == 1


def test_a_clerk_may_not_set_the_stationed_items(stationing_a, centre, window_clerk, client_as):
    url = reverse("halls_staff:stationing_items", args=[centre.pk, stationing_a.pk])
    assert client_as(window_clerk).post(url, {"items": []}).status_code == 403
    assert StationedItem.objects.count() == 1


def test_the_administrator_puts_a_staff_member_on_the_window(centre, bureau, bureau_admin, client_as):
    from onewindow.halls.models import WindowClerk

    response = client_as(bureau_admin).post(
        reverse("halls_staff:window_clerk_add", args=[centre.pk]), {"user": str(bureau_admin.pk)}
    )
    assert response.status_code == 302
    assert WindowClerk.objects.filter(centre=centre, user=bureau_admin).exists()


def test_another_departments_staff_cannot_be_put_on_the_window(centre, bureau_admin, clerk_a, client_as):
    from onewindow.halls.models import WindowClerk

    client_as(bureau_admin).post(
        reverse("halls_staff:window_clerk_add", args=[centre.pk]), {"user": str(clerk_a.pk)}
    )
    assert not WindowClerk.objects.exists()


def test_the_administrator_takes_a_clerk_off_the_window(centre, window_clerk, bureau_admin, client_as):
    from onewindow.halls.models import WindowClerk

    clerk = WindowClerk.objects.get(user=window_clerk)
    client_as(bureau_admin).post(reverse("halls_staff:window_clerk_remove", args=[centre.pk, clerk.pk]))
    assert not WindowClerk.objects.exists()


def test_the_platform_administrator_opens_a_centre_in_the_admin(bureau, department_a, client_as):
    from onewindow.core.models import AuditEntry
    from onewindow.halls.models import ServiceCentre
    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    response = client_as(admin_user).post(
        reverse("admin:halls_servicecentre_add"),
        {
            "name": "鼓楼区政务服务中心",
            "kind": "centre",
            "region": str(department_a.region.pk),
            "window_department": str(bureau.pk),
            "address": "福州市鼓楼区",
            "opening_hours": "周一至周五",
            "phone": "0591-1",
        },
    )
    assert response.status_code == 302
    centre = ServiceCentre.objects.get(name="鼓楼区政务服务中心")
    assert AuditEntry.objects.filter(action="centre.create", target_id=str(centre.pk)).exists()


def test_the_api_lists_the_centres(centre):
    body = Client().get("/api/v1/halls/centres").json()
    assert [c["name"] for c in body] == ["福州市民服务中心"]


def test_the_api_shows_a_centres_stationing_and_rate(stationing_a, centre, item_a):
    body = Client().get(f"/api/v1/halls/centres/{centre.pk}").json()
    assert body["stationings"][0]["items"][0]["implementation_code"] == item_a.implementation_code
    assert body["stationing_rate"] == {"stationed": 1, "total": 1, "percent": 100.0}


def test_the_api_answers_404_for_an_unknown_centre():
    response = Client().get(f"/api/v1/halls/centres/{uuid.uuid4()}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_staff_page_query_count_does_not_grow_with_stationings(
    stationing_a, centre, bureau_admin, client_as, django_assert_max_num_queries
):
    from onewindow.catalogue.tests.factories import published_item
    from onewindow.halls import services
    from tests.factories import DepartmentFactory

    client = client_as(bureau_admin)
    url = reverse("halls_staff:centre", args=[centre.pk])
    with django_assert_max_num_queries(40) as captured:
        assert client.get(url).status_code == 200
    few = len(captured.captured_queries)
    for n in range(3):
        department = DepartmentFactory(region=centre.region)
        stationing = services.stationing_create(
            actor=None, centre=centre, department=department, mode="department"
        )
        services.stationing_items_set(
            actor=None, stationing=stationing, items=[published_item(department=department, name=f"事项{n}")]
        )
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
