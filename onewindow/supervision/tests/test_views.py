"""The supervisor's workbench pages: in Chinese, scoped, read-only on cases; the menus offer each role only
what it may open; a refusal is the site's Chinese 403 page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from onewindow.cases.tests.factories import case_item
from onewindow.supervision.models import Alert, AlertKind, AlertLevel, OrderStatus, SupervisionOrder
from onewindow.supervision.scan import supervision_scan

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 16)


@pytest.fixture
def scanned(accepted):
    accepted(dt.date(2026, 11, 2))
    accepted(dt.date(2026, 11, 13))
    supervision_scan(today=TODAY)


def test_the_supervisor_sees_the_alerts_with_counts(scanned, supervisor, client_as):
    page = client_as(supervisor).get(reverse("supervision:alerts"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "红牌" in text and "黄牌" in text
    assert 'data-level="red">1<' in text and 'data-level="yellow">1<' in text


def test_the_supervisor_sees_every_case_and_step_of_the_watched_departments(scanned, supervisor, client_as):
    client = client_as(supervisor)
    cases = client.get(reverse("supervision:cases"))
    assert cases.status_code == 200 and cases.context["page"].paginator.count == 2
    tasks = client.get(reverse("supervision:tasks"))
    assert tasks.context["page"].paginator.count == 2


def test_the_alert_list_costs_the_same_queries_however_long(scanned, accepted, supervisor, client_as,
                                                             django_assert_max_num_queries):  # fmt: skip
    for day in (3, 4, 5, 6):
        accepted(dt.date(2026, 11, day))
    supervision_scan(today=TODAY)
    client = client_as(supervisor)
    with django_assert_max_num_queries(25):
        client.get(reverse("supervision:alerts"))


def test_a_clerk_is_refused_with_the_chinese_403_page(scanned, clerk_a, client_as):
    page = client_as(clerk_a).get(reverse("supervision:alerts"))
    assert page.status_code == 403
    assert "无权访问" in page.content.decode() or "拒绝" in page.content.decode()


def test_the_order_journey_through_the_pages(scanned, supervisor, officer_a, client_as):
    alert = Alert.objects.get(kind=AlertKind.CASE, level=AlertLevel.RED)
    client = client_as(supervisor)
    assert client.post(reverse("supervision:alert_acknowledge", args=[alert.pk])).status_code == 302
    empty = client.post(reverse("supervision:order_issue", args=[alert.pk]), {"instruction": ""})
    assert empty.status_code == 400 and not SupervisionOrder.objects.exists()
    issued = client.post(
        reverse("supervision:order_issue", args=[alert.pk]), {"instruction": "请说明逾期原因。"}
    )
    order = SupervisionOrder.objects.get()
    assert issued.url == reverse("supervision:order", args=[order.pk])
    department = client_as(officer_a)
    listed = department.get(reverse("supervision:orders"))
    assert order in listed.context["page"].object_list
    department.post(reverse("supervision:order", args=[order.pk]), {"action": "reply", "reply": "已办结。"})
    client.post(reverse("supervision:order", args=[order.pk]), {"action": "close", "note": "同意"})
    assert SupervisionOrder.objects.get().status == OrderStatus.CLOSED


def test_another_department_cannot_open_the_order(scanned, supervisor, clerk_b, client_as):
    from onewindow.supervision.services import order_issue

    alert = Alert.objects.get(kind=AlertKind.CASE, level=AlertLevel.RED)
    order = order_issue(alert=alert, actor=supervisor, instruction="请说明逾期原因。")
    assert client_as(clerk_b).get(reverse("supervision:order", args=[order.pk])).status_code == 403


def test_a_rule_change_through_the_page_is_a_new_version(supervisor, client_as):
    client = client_as(supervisor)
    page = client.get(reverse("supervision:rules"))
    data = {name: field.initial for name, field in page.context["form"].fields.items() if name != "note"}
    bad = client.post(reverse("supervision:rules"), {**data, "warn_percent": 150, "note": "x"})
    assert bad.status_code == 400
    client.post(reverse("supervision:rules"), {**data, "warn_percent": 70, "note": "提前预警"})
    assert client.get(reverse("supervision:rules")).context["current"].warn_percent == 70


def test_the_supervisors_menu_offers_supervision_not_window_intake(supervisor, client_as):
    home = client_as(supervisor).get(reverse("workbench:home")).content.decode()
    assert reverse("supervision:alerts") in home
    assert reverse("cases_staff:walk_in") not in home


def test_a_window_clerks_menu_keeps_window_intake(clerk_a, department_a, client_as):
    case_item(department=department_a)
    home = client_as(clerk_a).get(reverse("workbench:home")).content.decode()
    assert reverse("cases_staff:walk_in") in home
    assert reverse("supervision:alerts") not in home


def test_a_window_clerk_without_published_items_is_not_offered_window_intake(clerk_a, client_as):
    # The walk-in page refuses a clerk with nothing to file: the menu does not offer it.
    home = client_as(clerk_a).get(reverse("workbench:home")).content.decode()
    assert reverse("cases_staff:walk_in") not in home


def test_window_intake_refuses_a_supervisor_with_the_chinese_page(supervisor, client_as):
    page = client_as(supervisor).get(reverse("cases_staff:walk_in"))
    assert page.status_code == 403
    assert "<html" in page.content.decode() and "403" in page.content.decode()
