"""The workbench pages (catalogue, approvals, query, access log), 谁查了我的数据 and its API, and who may
see what: another department's log is not shown, another person's queries never."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.tests.factories import company_of
from onewindow.sharing import services
from onewindow.sharing.models import AccessLogEntry, ApprovalStatus, QueryOutcome, SharingApproval
from onewindow.sharing.tests.conftest import COMPANY_CODE, PERSON_ID, PURPOSE

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_resources_with_class_and_provider(client_as, clerk_b, market, population):
    page = client_as(clerk_b).get(reverse("sharing:resources")).content.decode()
    assert "市场主体登记信息" in page and "无条件共享" in page and "有条件共享" in page


def test_a_department_administrator_applies_and_the_provider_approves(
    client_as, admin_a, admin_b, population, department_b
):
    response = client_as(admin_b).post(
        reverse("sharing:resource", args=["population-basic"]),
        {"department": department_b.pk, "fields": ["name", "gender"], "purpose": "户籍业务核验"},
    )
    assert response.status_code == 302
    approval = SharingApproval.objects.get()
    assert (approval.status, approval.fields) == (ApprovalStatus.REQUESTED, ["name", "gender"])
    provider = client_as(admin_a)
    assert "户籍业务核验" in provider.get(reverse("sharing:approvals")).content.decode()
    provider.post(reverse("sharing:approval_decide", args=[approval.pk]), {"action": "approve"})
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED


def test_an_application_without_a_purpose_is_refused_with_a_message(
    client_as, admin_b, population, department_b
):
    response = client_as(admin_b).post(
        reverse("sharing:resource", args=["population-basic"]),
        {"department": department_b.pk, "fields": ["name"]},
    )
    assert response.status_code == 400
    assert "请说明使用数据的用途" in response.content.decode()
    assert not SharingApproval.objects.exists()


def test_a_clerk_cannot_decide_or_see_approvals(client_as, clerk_b, approved):
    assert client_as(clerk_b).get(reverse("sharing:approvals")).status_code == 403
    response = client_as(clerk_b).post(
        reverse("sharing:approval_decide", args=[approved[1].pk]), {"action": "revoke"}
    )
    assert response.status_code in {403, 404}


def test_an_official_queries_and_a_query_outside_the_approval_is_refused_403(
    client_as, clerk_b, approved, department_b
):
    client = client_as(clerk_b)
    url = reverse("sharing:query")
    answer = client.post(
        url,
        {
            "resource": "market-entity",
            "department": department_b.pk,
            "fields": "name,status",
            "purpose": PURPOSE,
            "subject": COMPANY_CODE,
        },
    )
    assert answer.status_code == 200 and "福州市测试1有限公司" in answer.content.decode()
    refused = client.post(
        url,
        {
            "resource": "market-entity",
            "department": department_b.pk,
            "fields": "address",
            "purpose": PURPOSE,
            "subject": COMPANY_CODE,
        },
    )
    assert refused.status_code == 403 and "查询已拒绝并记录" in refused.content.decode()
    assert list(AccessLogEntry.objects.order_by("seq").values_list("outcome", flat=True)) == [
        QueryOutcome.ANSWERED,
        QueryOutcome.REFUSED,
    ]


def test_the_access_log_shows_the_departments_queries_only(
    client_as, admin_a, admin_b, approved, market, department_b, department_a
):
    services.shared_data_query(
        resource=market,
        consumer=department_b,
        official=None,
        purpose=PURPOSE,
        subject=COMPANY_CODE,
        fields=["name"],
    )
    for admin in (admin_a, admin_b):  # the provider and the consumer both see it
        assert "GX" in client_as(admin).get(reverse("sharing:log")).content.decode()


def test_the_access_log_list_keeps_its_queries_few(
    client_as, admin_b, approved, market, department_b, django_assert_max_num_queries
):
    for _ in range(5):
        services.shared_data_query(
            resource=market,
            consumer=department_b,
            official=None,
            purpose=PURPOSE,
            subject=COMPANY_CODE,
            fields=["name"],
        )
    client = client_as(admin_b)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("sharing:log")).status_code == 200


def test_who_queried_my_data_lists_queries_about_me_and_my_company(
    client_as, citizen, another_citizen, approved, market, population, department_b
):
    assert citizen.person.id_number == PERSON_ID
    services.shared_data_query(
        resource=population,
        consumer=department_b,
        official=None,
        purpose=PURPOSE,
        subject=PERSON_ID,
        fields=["name"],
    )
    page = client_as(citizen).get(reverse("sharing_citizen:my_data_usage")).content.decode()
    assert "人口基础信息" in page and PURPOSE in page and "姓名" in page
    company = company_of(citizen.person)
    citizen.person.acting_for = company
    citizen.person.save(update_fields=["acting_for"])
    services.shared_data_query(
        resource=market,
        consumer=department_b,
        official=None,
        purpose=PURPOSE,
        subject=COMPANY_CODE,
        fields=["status"],
    )
    page = client_as(citizen).get(reverse("sharing_citizen:my_data_usage")).content.decode()
    assert "市场主体登记信息" in page
    other = client_as(another_citizen).get(reverse("sharing_citizen:my_data_usage")).content.decode()
    assert "还没有部门查询过您的数据" in other


def test_my_personal_data_usage_api(client_as, citizen, approved, population, department_b):
    services.shared_data_query(
        resource=population,
        consumer=department_b,
        official=None,
        purpose=PURPOSE,
        subject=PERSON_ID,
        fields=["name", "id_number"],
    )
    response = client_as(citizen).get("/api/v1/data/myPersonalDataUsage")
    assert response.status_code == 200
    [usage] = response.json()
    assert (usage["department"], usage["purpose"], usage["fields"]) == (
        department_b.name,
        PURPOSE,
        ["姓名", "公民身份号码"],
    )


def test_my_personal_data_usage_needs_a_signed_in_person(db):
    from django.test import Client

    assert Client().get("/api/v1/data/myPersonalDataUsage").status_code == 401
