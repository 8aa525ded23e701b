"""``POST /api/v1/licences/query``: a department system (bearer token with the ``licences`` scope, its user
staff of the department handling the case) gets the valid licences of a case's applicant, and every call is
written to the holder's 用证记录."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.core.masking import mask_citizen_id
from onewindow.identity.tests.oidc_flow import department_system
from onewindow.licences.models import LicenceAccess
from onewindow.licences.tests.factories import licence_issued, licence_type

pytestmark = pytest.mark.django_db

URL = "/api/v1/licences/query"
RAW_TOKEN = "licence-query-token-0123456789"


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


@pytest.fixture
def case(citizen, clerk_a, department_a):
    return case_in_state("accepted", user=citizen, item=case_item(department=department_a), clerk=clerk_a)


@pytest.fixture
def licences(citizen, department_b):
    kind = licence_type(department_b)
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
