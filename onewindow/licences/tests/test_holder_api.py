"""``POST /api/v1/licences/query``: a department system (bearer token with the ``licences`` scope, its user
staff of the department handling the case) gets the valid licences of a case's applicant, and every call is
written to the holder's 用证记录."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material
from onewindow.core.masking import mask_citizen_id
from onewindow.identity.tests.oidc_flow import department_system
from onewindow.licences.models import LicenceAccess
from onewindow.licences.tests.factories import licence_issued, licence_type
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/licences/query"
RAW_TOKEN = "licence-query-token-0123456789"
# The licence type the case's item takes from the library (an optional material, so the case submits).
TYPE_CODE = "11100000000013338W011"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def system(platform_admin):
    application, _secret = department_system(platform_admin, name="市市场监管局 审批系统")
    return application


def _token(user, application, scope="openid licences", raw=RAW_TOKEN):
    return AccessToken.objects.create(
        user=user,
        application=application,
        token=raw,
        scope=scope,
        expires=timezone.now() + timedelta(hours=1),
    )


def _item(department, **overrides):
    return case_item(
        department=department,
        materials=[
            material("id-card"),
            material("application-form"),
            material(
                "business-licence",
                source=MaterialSource.ELICENCE,
                licence_type_code=TYPE_CODE,
                necessity="optional",
            ),
        ],
        **overrides,
    )


@pytest.fixture
def case(citizen, clerk_a, department_a):
    return case_in_state("accepted", user=citizen, item=_item(department_a), clerk=clerk_a)


@pytest.fixture
def licences(citizen, department_b):
    kind = licence_type(department_b, code=TYPE_CODE)
    return [licence_issued(holder_person=citizen.person, licence_type=kind) for _ in range(2)]


def _query(client, body, raw=RAW_TOKEN):
    return client.post(
        URL, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_a_department_system_gets_the_applicants_valid_licences_and_is_logged(
    client, clerk_a, system, case, licences, citizen
):
    _token(clerk_a, system)
    response = _query(client, {"case_number": case.number, "purpose": "核验经营资格"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert {row["identifier"] for row in body["licences"]} == {lic.identifier for lic in licences}
    first = body["licences"][0]
    assert first["holder"]["code"] == mask_citizen_id(citizen.person.id_number)
    assert citizen.person.id_number not in response.content.decode()
    assert {"label": "经营范围", "value": "预包装食品销售"} in first["face"]
    access = LicenceAccess.objects.get()
    assert str(access.pk) == body["access_id"]
    assert (access.client_id, access.client_name, access.case_number, access.purpose) == (
        system.client_id,
        "市市场监管局 审批系统",
        case.number,
        "核验经营资格",
    )
    assert access.department_id == case.department_id and access.actor == clerk_a
    assert access.licences.count() == 2


def test_the_holder_sees_the_look_up_in_the_access_log(
    client, client_as, clerk_a, system, case, licences, citizen
):
    _token(clerk_a, system)
    _query(client, {"case_number": case.number, "purpose": "核验经营资格"})
    page = client_as(citizen).get("/licences/access-log/").content.decode()
    assert "核验经营资格" in page and "市市场监管局 审批系统" in page and case.number in page


def test_other_holders_licences_are_not_returned(
    client, clerk_a, system, case, another_citizen, department_b
):
    licence_issued(holder_person=another_citizen.person, licence_type=licence_type(department_b))
    _token(clerk_a, system)
    response = _query(client, {"case_number": case.number, "purpose": "核验"})
    assert response.status_code == 200 and response.json()["licences"] == []
    assert LicenceAccess.objects.get().licences.count() == 0


@pytest.mark.parametrize("body", [{"purpose": "  "}, {}])
def test_a_purpose_is_required(client, clerk_a, system, case, body):
    _token(clerk_a, system)
    response = _query(client, {"case_number": case.number, **body})
    assert response.status_code == 400
    assert response.json()["code"] == "licence.query_purpose_required"
    assert not LicenceAccess.objects.exists()


def test_an_unknown_case_number_is_404(client, clerk_a, system, case):
    _token(clerk_a, system)
    response = _query(client, {"case_number": "NO-SUCH-CASE", "purpose": "核验"})
    assert response.status_code == 404
    assert not LicenceAccess.objects.exists()


def test_another_departments_case_is_403(client, clerk_b, system, case, licences):
    _token(clerk_b, system)
    response = _query(client, {"case_number": case.number, "purpose": "核验"})
    assert response.status_code == 403
    assert not LicenceAccess.objects.exists()


def test_a_citizens_token_is_refused(client, citizen, system, case, licences):
    _token(citizen, system)
    assert _query(client, {"case_number": case.number, "purpose": "核验"}).status_code == 403
    assert not LicenceAccess.objects.exists()


def test_a_token_without_the_licences_scope_is_403(client, clerk_a, system, case):
    _token(clerk_a, system, scope="openid cases")
    response = _query(client, {"case_number": case.number, "purpose": "核验"})
    assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope")


def test_no_token_is_401(client, case):
    response = client.post(
        URL, data=json.dumps({"case_number": case.number, "purpose": "核验"}), content_type="application/json"
    )
    assert response.status_code == 401
    assert not LicenceAccess.objects.exists()


def test_only_the_licence_types_the_case_needs_are_returned(client, clerk_a, system, case, licences, citizen):
    unrelated = licence_issued(holder_person=citizen.person, licence_type=licence_type(licences[0].issuer))
    _token(clerk_a, system)
    response = _query(client, {"case_number": case.number, "purpose": "核验"})
    assert response.status_code == 200
    identifiers = {row["identifier"] for row in response.json()["licences"]}
    assert identifiers == {lic.identifier for lic in licences} and unrelated.identifier not in identifiers
    assert unrelated not in LicenceAccess.objects.get().licences.all()


def test_a_case_needing_no_licence_discloses_none(client, clerk_a, system, citizen, department_a, licences):
    plain = case_in_state("accepted", user=citizen, item=case_item(department=department_a), clerk=clerk_a)
    _token(clerk_a, system)
    response = _query(client, {"case_number": plain.number, "purpose": "核验"})
    assert response.status_code == 200 and response.json()["licences"] == []


@pytest.mark.parametrize(
    "status", [CaseStatus.CONCLUDED, CaseStatus.DELIVERED, CaseStatus.WITHDRAWN, CaseStatus.NOT_ACCEPTED]
)
def test_a_case_no_longer_handled_is_refused(client, clerk_a, system, case, licences, status):
    Case.objects.filter(pk=case.pk).update(status=status)
    _token(clerk_a, system)
    response = _query(client, {"case_number": case.number, "purpose": "核验"})
    assert (response.status_code, response.json()["code"]) == (409, "licence.query_case_closed")
    assert "不能再查询" in response.json()["message"]
    assert not LicenceAccess.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DEPARTMENT_ADMIN])
def test_staff_who_do_not_handle_cases_are_refused(client, system, case, licences, department_a, role):
    staff = MembershipFactory(
        user=UserFactory(username=f"x_{role}", is_staff=True), department=department_a, role=role
    ).user
    _token(staff, system)
    response = _query(client, {"case_number": case.number, "purpose": "核验"})
    assert response.status_code == 403
    assert not LicenceAccess.objects.exists()


def test_the_type_the_item_issues_is_returned_for_a_renewal(client, clerk_a, system, citizen, department_a):
    # A renewal or change item issues the type it concerns: the holder's current licence of it is needed.
    own_type = licence_type(department_a)
    current = licence_issued(holder_person=citizen.person, licence_type=own_type)
    item = case_item(department=department_a, licence_type_code=own_type.code)
    renewal = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    _token(clerk_a, system)
    response = _query(client, {"case_number": renewal.number, "purpose": "延续核验"})
    assert [row["identifier"] for row in response.json()["licences"]] == [current.identifier]


def test_a_company_holder_is_named_in_full_and_a_citizen_masked(licences, citizen, department_b):
    from onewindow.cases.tests.factories import company_of
    from onewindow.licences.holder_api import _licence_out

    company = company_of(citizen.person)
    theirs = licence_issued(holder_company=company, licence_type=licence_type(department_b))
    assert _licence_out(theirs)["holder"] == {
        "type": "001",
        "name": company.name,
        "code": company.credit_code,
    }
    mine = _licence_out(licences[0])["holder"]
    assert mine["name"] != citizen.name and mine["name"].startswith(citizen.name[0])
