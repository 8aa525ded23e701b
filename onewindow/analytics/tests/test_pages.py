"""The measures pages: who may open them, the drill-down to cases, the exports, staff performance and the
evaluation report."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.analytics.figures import Period
from onewindow.analytics.performance import staff_performance
from onewindow.analytics.services import rollups_refresh
from onewindow.analytics.tests.seed import cases_seed, items_seed, ratings_seed
from onewindow.organisations.models import RegionLevel, Role
from tests.factories import DepartmentFactory, MembershipFactory, RegionFactory, UserFactory, person

NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture
def seeded(db, at, department_a, department_b):
    at("2026-12-01")
    items = items_seed(department_a, department_b)
    cases = cases_seed(items, person(1, name="张三"))
    ratings_seed(cases)
    rollups_refresh()  # the dashboard reads the rollups
    return items


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_window_clerk_is_refused_in_chinese_and_has_no_menu_entry(client, seeded, clerk_a):
    response = signed_in(client, clerk_a).get(reverse("analytics:dashboard"))
    assert response.status_code == 403
    assert 'lang="zh-hans"' in response.content.decode()  # the site's own Chinese 403 page
    home = client.get(reverse("workbench:home")).content.decode()
    assert reverse("analytics:dashboard") not in home


def test_platform_admin_sees_every_department_and_the_menu_entry(client, seeded, platform_admin):
    response = signed_in(client, platform_admin).get(reverse("analytics:dashboard"), NOVEMBER)
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("analytics:dashboard") in page
    assert "<svg" in page
    assert reverse("analytics:definitions") + "#on_time_rate" in page


def test_a_department_head_sees_only_their_department(client, seeded, department_a, department_b):
    head = MembershipFactory(
        user=UserFactory(username="head_a", is_staff=True), department=department_a, role=Role.HEAD
    ).user
    response = signed_in(client, head).get(reverse("analytics:dashboard"), NOVEMBER)
    figures = {f.measure.code: f for f in response.context["board"].totals}
    assert figures["received"].value == 6  # department B's two cases are not counted
    refused = client.get(reverse("analytics:dashboard"), {**NOVEMBER, "department": str(department_b.pk)})
    assert refused.status_code == 403


def test_a_supervisor_sees_the_departments_of_their_region_only(client, seeded, supervisor, department_a):
    fuzhou = department_a.region
    xiamen = RegionFactory(code="350200", name="厦门市", level=RegionLevel.CITY, parent=fuzhou.parent)
    elsewhere = DepartmentFactory(name="厦门市市场监督管理局", region=xiamen)
    signed_in(client, supervisor)
    response = client.get(reverse("analytics:dashboard"), NOVEMBER)
    assert [row.label for row in response.context["board"].rows] == ["福州市"]
    assert client.get(reverse("analytics:dashboard"), {"department": str(elsewhere.pk)}).status_code == 403
    assert client.get(reverse("analytics:dashboard"), {"region": str(xiamen.pk)}).status_code == 403


def test_drill_down_from_department_to_item_to_cases(client, seeded, platform_admin, department_a):
    signed_in(client, platform_admin)
    by_item = client.get(reverse("analytics:dashboard"), {**NOVEMBER, "department": str(department_a.pk)})
    assert by_item.context["board"].level == "item"
    assert {r.label for r in by_item.context["board"].rows} == {
        "食品经营许可",
        "户外广告设置许可",
        "个体工商户名称变更登记",
    }
    item = seeded["online"]
    cases = client.get(reverse("analytics:dashboard"), {**NOVEMBER, "item": str(item.pk)})
    assert cases.context["board"].level == "case"
    assert len(cases.context["page"].object_list) == 3  # the October case is outside the period


def test_case_list_query_count_does_not_grow(client, seeded, platform_admin, django_assert_max_num_queries):
    signed_in(client, platform_admin)
    with django_assert_max_num_queries(40):
        client.get(reverse("analytics:dashboard"), {**NOVEMBER, "item": str(seeded["online"].pk)})


def test_a_bad_period_is_explained_and_the_default_shown(client, seeded, platform_admin):
    response = signed_in(client, platform_admin).get(
        reverse("analytics:dashboard"), {"start": "2026-12-01", "end": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_unknown_department_is_not_found(client, seeded, platform_admin):
    response = signed_in(client, platform_admin).get(
        reverse("analytics:dashboard"), {"department": "not-a-uuid"}
    )
    assert response.status_code == 404


def test_xlsx_export_holds_the_same_figures(client, seeded, platform_admin):
    response = signed_in(client, platform_admin).get(reverse("analytics:export_xlsx"), NOVEMBER)
    book = load_workbook(BytesIO(response.content))
    rows = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=6, values_only=True)}
    assert rows["按时办结率"] == "60.0%"
    assert rows["好评率"] == "60.0%"


def test_pdf_export_and_evaluation_report_are_pdfs(client, seeded, platform_admin, department_a):
    signed_in(client, platform_admin)
    assert client.get(reverse("analytics:export_pdf"), NOVEMBER).content.startswith(b"%PDF")
    report = client.get(
        reverse("analytics:evaluation_pdf"), {"region": str(department_a.region_id), "month": "2026-11"}
    )
    assert report["Content-Type"] == "application/pdf" and report.content.startswith(b"%PDF")


def test_evaluation_page_shows_five_dimensions(client, seeded, platform_admin, department_a):
    response = signed_in(client, platform_admin).get(
        reverse("analytics:evaluation"), {"region": str(department_a.region_id), "month": "2026-11"}
    )
    assert [d.code for d in response.context["report"].dimensions] == [
        "effectiveness",
        "maturity",
        "completeness",
        "coverage",
        "accuracy",
    ]


def test_staff_performance_counts_acceptances(seeded, platform_admin, clerk_a):
    from onewindow.cases.models import Case

    Case.objects.filter(concluded_at__isnull=False).update(accepted_by=clerk_a)
    rows = staff_performance(user=platform_admin, period=Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert rows[0].user_id == clerk_a.pk and rows[0].accepted == 5 and rows[0].rank == 1
