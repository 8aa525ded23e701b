"""The elderly mode 长辈版: featured items from a list, the large text, and the call-back requests staff work."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.assist import selectors, services
from onewindow.assist.models import CallbackRequest, CallbackStatus, FeaturedList
from onewindow.catalogue.tests.factories import published_item
from onewindow.core.context_processors import LARGE_TEXT_COOKIE
from onewindow.core.errors import DomainError, PermissionDenied

pytestmark = pytest.mark.django_db


def test_the_elderly_mode_shows_the_featured_items_in_order_and_turns_large_text_on(client, department_a):
    pension = published_item(department=department_a, name="城乡居民养老保险待遇申领")
    allowance = published_item(department=department_a, name="高龄津贴发放")
    services.featured_items_set(
        actor=None, listing=FeaturedList.ELDERLY, entries=[(allowance, "高龄津贴"), (pension, "领养老金")]
    )
    response = client.get(reverse("elderly:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("高龄津贴") < body.index("领养老金")
    assert reverse("identity:representatives") in body  # a family member can act for them
    assert response.cookies[LARGE_TEXT_COOKIE].value == "1"


def test_a_featured_list_refuses_duplicates_and_long_labels(department_a):
    item = published_item(department=department_a)
    with pytest.raises(DomainError) as refused:
        services.featured_items_set(
            actor=None,
            listing=FeaturedList.ELDERLY,
            entries=[(item, "一"), (item, "这是一个超过二十个字的非常非常非常长的简称啊")],
        )
    assert {p.code for p in refused.value.problems} == {"item.duplicate", "label.invalid"}


def test_a_call_back_request_is_kept_with_the_phone_encrypted(client):
    response = client.post(
        reverse("elderly:callback"), {"name": "王大爷", "phone": "13912345678", "topic": "养老金怎么领"}
    )
    assert response.status_code == 302
    request = CallbackRequest.objects.get()
    assert request.phone == "13912345678" and request.phone_masked == "139****5678"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM assist_callbackrequest")
        assert "13912345678" not in cursor.fetchone()[0]


def test_a_bad_phone_is_a_clear_error_and_nothing_is_written(client):
    response = client.post(reverse("elderly:callback"), {"name": "王大爷", "phone": "12345"})
    assert response.status_code == 400
    assert "手机" in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_call_back_requests_are_rate_limited(client, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "callback_request": (2, 3600)}
    for _ in range(2):
        assert (
            client.post(reverse("elderly:callback"), {"name": "王大爷", "phone": "13912345678"}).status_code
            == 302
        )
    assert (
        client.post(reverse("elderly:callback"), {"name": "王大爷", "phone": "13912345678"}).status_code
        == 429
    )
    assert CallbackRequest.objects.count() == 2


def test_staff_see_and_close_call_back_requests(client_as, helper, citizen, django_assert_max_num_queries):
    for n in range(5):
        services.callback_request_create(name=f"长者{n}", phone=f"1391234567{n}")
    staff = client_as(helper)
    with django_assert_max_num_queries(12):
        page = staff.get(reverse("assist_staff:callbacks"))
    assert page.status_code == 200 and "长者4" in page.content.decode()
    request = CallbackRequest.objects.first()
    bad = staff.post(reverse("assist_staff:callback_close", args=[request.pk]), {"outcome": ""})
    assert bad.status_code == 302
    request.refresh_from_db()
    assert request.status == CallbackStatus.OPEN
    staff.post(reverse("assist_staff:callback_close", args=[request.pk]), {"outcome": "已电话告知所需材料"})
    request.refresh_from_db()
    assert request.status == CallbackStatus.DONE and request.handled_by == helper
    with pytest.raises(PermissionDenied):
        selectors.callback_requests_list(user=citizen)
