"""Verification by the printed licence number plus the issuer (issue 12.7), on the page and in the API, and
licences for companies: issued to the company from the form, the number never typed by the approver."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from onewindow.licences.models import Licence
from onewindow.licences.selectors import licences_by_number
from onewindow.licences.tests.factories import licence_issued, licence_type
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/licences/verify-by-number"


@pytest.fixture
def food_type(department_a):
    return licence_type(department_a, name="食品经营许可证")


@pytest.fixture
def licence(food_type):
    return licence_issued(licence_type=food_type)


def test_the_number_and_the_issuers_credit_code_find_the_licence(licence, department_a):
    [result] = licences_by_number(number=licence.number, issuer=department_a.credit_code)
    assert result.identifier == licence.identifier and result.is_valid


def test_the_issuers_printed_name_finds_it_too(licence, department_a):
    assert [
        r.identifier for r in licences_by_number(number=f" {licence.number} ", issuer=department_a.name)
    ] == [licence.identifier]


def test_the_same_number_from_another_issuer_is_not_found(licence):
    other = DepartmentFactory()
    assert licences_by_number(number=licence.number, issuer=other.credit_code) == []


def test_the_page_shows_the_result_of_one_match(client, licence, department_a):
    response = client.get(
        reverse("licence_verify:by_number"), {"number": licence.number, "issuer": department_a.credit_code}
    )
    assert response.status_code == 200 and response.context["result"].identifier == licence.identifier


def test_the_page_says_not_found_for_an_unknown_number(client, licence, department_a):
    response = client.get(
        reverse("licence_verify:by_number"), {"number": "X1", "issuer": department_a.credit_code}
    )
    assert response.status_code == 404


def test_the_page_asks_for_both_fields(client, licence):
    response = client.get(reverse("licence_verify:by_number"), {"number": licence.number})
    assert response.status_code == 400 and response.context["number_error"]


def test_the_form_offers_the_signing_departments(client, licence, department_a):
    response = client.get(reverse("licence_verify:form"))
    assert department_a in response.context["issuers"]


def test_the_api_finds_a_licence_by_number_and_issuer(client, licence, department_a):
    body = client.get(API, {"number": licence.number, "issuer": department_a.credit_code}).json()
    assert [entry["identifier"] for entry in body] == [licence.identifier] and body[0]["valid"]


def test_the_api_refuses_a_missing_issuer(client, licence):
    response = client.get(API, {"number": licence.number})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


@override_settings(ONEWINDOW_RATE_LIMITS={"public_lookup": (2, 60)})
def test_the_page_is_rate_limited(client, licence, department_a):
    from django.core.cache import cache

    cache.clear()
    query = {"number": licence.number, "issuer": department_a.credit_code}
    for _ in range(2):
        client.get(reverse("licence_verify:by_number"), query)
    assert client.get(reverse("licence_verify:by_number"), query).status_code == 429
    cache.clear()


# --- licences for companies on a case's conclusion -----------------------------------------------------


@pytest.fixture
def approver_a(department_a):
    from onewindow.organisations.models import Role
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="approver_a", is_staff=True)
    return MembershipFactory(user=user, department=department_a, role=Role.APPROVER).user


@pytest.fixture
def licensing_item(department_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from onewindow.cases.tests.factories import case_item

    licence_type(
        department_a,
        code="JY1",
        face_fields=[
            {"key": "operator", "label": "经营者", "source": "holder.name"},
            {"key": "applicant", "label": "申请人", "source": "form.applicant_name"},
        ],
    )
    return case_item(department=department_a, licence_type_code="JY1")


def _company_case_concluded(item, citizen, clerk, approver):
    from onewindow.cases import services as case_services
    from onewindow.cases.tests.factories import FORM, agency, case_materials_attach, company_of
    from onewindow.identity.models import AgencyScope

    company = company_of(citizen.person)
    agency(company, citizen.person, scopes=[AgencyScope.APPLY, AgencyScope.TRACK])
    case = case_services.case_start(user=citizen, item=item, company=company, form_data=FORM)
    case_materials_attach(case, citizen)
    case = case_services.case_submit(case=case, actor=citizen)
    case = case_services.case_accept(case=case, clerk=clerk).case
    # The approver decides without typing a licence number: the library issues it.
    return company, case_services.case_conclude(case=case, actor=approver, code=0)


def test_a_licence_issued_to_a_company_shows_the_company_as_holder(
    licensing_item, citizen, clerk_a, approver_a, client
):
    company, case = _company_case_concluded(licensing_item, citizen, clerk_a, approver_a)
    licence = Licence.objects.get(case=case)
    assert (licence.holder_company, licence.holder_name, licence.holder_code) == (
        company,
        company.name,
        company.credit_code,
    )
    assert licence.face["operator"] == company.name and licence.face["applicant"] == "张三"
    page = client.get(reverse("licence_verify:result", args=[licence.identifier])).content.decode()
    assert company.name in page


def test_the_conclusion_names_the_issued_licence(licensing_item, citizen, clerk_a, approver_a, client_as):
    _, case = _company_case_concluded(licensing_item, citizen, clerk_a, approver_a)
    licence = Licence.objects.get(case=case)
    case.refresh_from_db()
    assert case.result == licence.identifier
    page = client_as(approver_a).get(reverse("cases_staff:case_detail", args=[case.pk])).content.decode()
    assert 'id="issued-licence"' in page and licence.identifier in page


def test_the_conclusion_form_of_a_licence_item_has_no_result_to_type(
    licensing_item, citizen, clerk_a, approver_a, client_as
):
    from onewindow.cases.tests.factories import case_in_state

    case = case_in_state("accepted", user=citizen, item=licensing_item, clerk=clerk_a)
    page = client_as(approver_a).get(reverse("cases_staff:case_detail", args=[case.pk])).content.decode()
    assert 'id="act-conclude"' in page and 'name="result"' not in page
