"""The register of licensing decisions (行政许可决定公示, art. 40): what a row shows (a company in full, a person
masked, the licence linked to verification), the search, the pages and the CSV export, bad input, the rate
limit and the query count."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import (
    FORM,
    agency,
    case_in_state,
    case_item,
    case_materials_attach,
    company_of,
)
from onewindow.catalogue.models import ItemType
from onewindow.identity.models import AgencyScope
from onewindow.licences.models import Licence
from onewindow.licences.tests.factories import licence_type
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory, person

pytestmark = pytest.mark.django_db

URL = reverse("decisions:register")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def approver_a(department_a):
    user = UserFactory(username="approver_a", is_staff=True)
    return MembershipFactory(user=user, department=department_a, role=Role.APPROVER).user


@pytest.fixture
def licensing_item(department_a):
    licence_type(
        department_a,
        code="JY1",
        face_fields=[{"key": "operator", "label": "经营者", "source": "holder.name"}],
    )
    return case_item(department=department_a, name="食品经营许可", licence_type_code="JY1")


def _company_decision(item, citizen, clerk, approver):
    company = company_of(citizen.person)
    agency(company, citizen.person, scopes=[AgencyScope.APPLY, AgencyScope.TRACK])
    case = case_services.case_start(user=citizen, item=item, company=company, form_data=FORM)
    case_materials_attach(case, citizen)
    case = case_services.case_submit(case=case, actor=citizen)
    case = case_services.case_accept(case=case, clerk=clerk).case
    return case_services.case_conclude(case=case, actor=approver, code=0)


def _denied(item, user, clerk, approver):
    case = case_in_state("accepted", user=user, item=item, clerk=clerk)
    return case_services.case_conclude(case=case, actor=approver, code=1, reason="经营场所不符合要求")


@pytest.fixture
def decisions(licensing_item, citizen, another_citizen, clerk_a, approver_a):
    assert licensing_item.published_version.item_type == ItemType.LICENSING
    return _company_decision(licensing_item, citizen, clerk_a, approver_a), _denied(
        licensing_item, another_citizen, clerk_a, approver_a
    )


def test_a_company_is_named_in_full_with_its_licence_linked(client, decisions):
    granted, _ = decisions
    licence = Licence.objects.get(case=granted)
    body = client.get(URL).content.decode()
    assert granted.company.name in body
    assert reverse("licence_verify:result", args=[licence.identifier]) in body


def test_a_person_is_masked(client, decisions, another_citizen):
    body = client.get(URL).content.decode()
    assert "李*" in body and "李四" not in body


def test_the_decision_and_its_date_are_shown(client, decisions):
    rows = client.get(URL).context["rows"]
    assert sorted(row.approved for row in rows) == [False, True]


def test_search_by_holder_finds_companies_only(client, decisions, another_citizen):
    assert len(client.get(URL, {"holder": "测试"}).context["rows"]) == 1
    assert client.get(URL, {"holder": "李四"}).context["rows"] == []


def test_search_by_item_and_department(client, decisions, department_a, department_b):
    assert len(client.get(URL, {"item": "食品经营", "department": str(department_a.pk)}).context["rows"]) == 2
    assert client.get(URL, {"department": str(department_b.pk)}).context["rows"] == []


def test_search_by_date_range(client, decisions):
    day = Case.objects.filter(concluded_at__isnull=False).first().concluded_at
    day = timezone.localdate(day)
    assert len(client.get(URL, {"from": day.isoformat(), "to": day.isoformat()}).context["rows"]) == 2
    assert client.get(URL, {"from": "2099-01-01"}).context["rows"] == []


def test_a_bad_date_is_named_and_nothing_listed(client, decisions):
    response = client.get(URL, {"from": "2026-13-40"})
    assert response.status_code == 400 and "起始日期" in response.content.decode()
    assert "rows" not in response.context


def test_an_inverted_range_is_refused(client):
    assert client.get(URL, {"from": "2026-10-09", "to": "2026-10-01"}).status_code == 400


def test_the_export_is_a_csv_of_the_search(client, decisions):
    response = client.get(URL, {"holder": "测试", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][:3] == ["事项名称", "许可对象", "许可决定"] and len(rows) == 2 and rows[1][2] == "准予许可"


def test_unapproved_cases_are_not_published(client, licensing_item, citizen, clerk_a):
    case_in_state("accepted", user=citizen, item=licensing_item, clerk=clerk_a)
    assert client.get(URL).context["rows"] == []


def test_the_page_is_paginated_with_a_bounded_query_count(
    client, licensing_item, clerk_a, approver_a, django_assert_max_num_queries
):
    for n in range(3, 8):
        _denied(licensing_item, person(n).user, clerk_a, approver_a)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200 and len(response.context["rows"]) == 5


@override_settings(ONEWINDOW_RATE_LIMITS={"public_lookup": (2, 60)})
def test_the_register_is_rate_limited(client):
    from django.core.cache import cache

    cache.clear()
    client.get(URL)
    client.get(URL)
    assert client.get(URL).status_code == 429
    cache.clear()
