"""What the provider tells a department system about a person: only what the granted scopes allow, masked
identifiers only, and the company the person acts for while the authorisation is live."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from onewindow.identity.models import Agency, AgencyScope, Company
from onewindow.identity.tests.oidc_flow import code_flow, department_system
from tests.factories import person, valid_credit_code


def _userinfo(browser, tokens) -> dict:
    return browser.get("/o/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").json()


def test_profile_gives_name_and_level_but_no_identifiers(client_as, citizen, platform_admin):
    application, secret = department_system(platform_admin)
    browser = client_as(citizen)

    claims = _userinfo(browser, code_flow(browser, application, secret, scope="openid profile"))

    assert claims["name"] == "张三"
    assert claims["assurance_level"] == "L2"
    assert claims["acr"] == "urn:onewindow:loa:2"
    assert "id_number_masked" not in claims
    assert "phone_number_masked" not in claims
    assert "acting_for" not in claims


def test_idcard_and_phone_scopes_give_masked_identifiers_only(client_as, citizen, platform_admin):
    application, secret = department_system(platform_admin)
    browser = client_as(citizen)

    tokens = code_flow(browser, application, secret, scope="openid profile idcard phone")
    claims = _userinfo(browser, tokens)

    person_ = citizen.person
    assert claims["id_number_masked"] == person_.id_number_masked
    assert claims["phone_number_masked"] == "139****0001"
    everything = json.dumps(tokens) + json.dumps(claims)
    assert person_.id_number not in everything
    assert person_.phone not in everything


def test_an_agent_carries_the_company_they_act_for(client_as, platform_admin):
    representative = person(30, name="法人代表")
    agent = person(31, name="经办人")
    company = Company.objects.create(
        name="福州示例科技有限公司",
        credit_code=valid_credit_code(31),
        legal_representative_name="法人代表",
        legal_representative=representative,
    )
    Agency.objects.create(
        company=company,
        agent=agent,
        scopes=[AgencyScope.APPLY],
        expires_at=timezone.now() + timedelta(days=30),
        granted_by=representative.user,
    )
    agent.acting_for = company
    agent.save()
    application, secret = department_system(platform_admin)
    browser = client_as(agent.user)

    claims = _userinfo(browser, code_flow(browser, application, secret))

    assert claims["acting_for"] == {
        "name": "福州示例科技有限公司",
        "credit_code": company.credit_code,
        "role": "agent",
        "scopes": ["apply"],
    }


def test_a_legal_representative_may_do_everything_for_the_company(client_as, platform_admin):
    representative = person(32, name="法人代表")
    company = Company.objects.create(
        name="福州示例贸易有限公司",
        credit_code=valid_credit_code(32),
        legal_representative_name="法人代表",
        legal_representative=representative,
    )
    representative.acting_for = company
    representative.save()
    application, secret = department_system(platform_admin)
    browser = client_as(representative.user)

    claims = _userinfo(browser, code_flow(browser, application, secret))

    assert claims["acting_for"]["role"] == "legal_representative"
    assert set(claims["acting_for"]["scopes"]) == set(AgencyScope.values)


def test_staff_carry_their_departments(client_as, clerk_a, platform_admin, department_a):
    application, secret = department_system(platform_admin)
    browser = client_as(clerk_a)

    claims = _userinfo(browser, code_flow(browser, application, secret))

    assert claims["staff_departments"] == [
        {"name": department_a.name, "credit_code": department_a.credit_code, "role": "window_clerk"}
    ]
    assert "assurance_level" not in claims


def test_discovery_lists_the_claims(client):
    claims = client.get("/.well-known/openid-configuration").json()["claims_supported"]

    assert {"sub", "name", "assurance_level", "id_number_masked", "acting_for"} <= set(claims)


def test_a_department_system_may_introspect_and_revoke_its_tokens(client_as, citizen, platform_admin):
    application, secret = department_system(platform_admin)
    browser = client_as(citizen)
    tokens = code_flow(browser, application, secret)
    credentials = {"client_id": application.client_id, "client_secret": secret}

    live = browser.post("/o/introspect/", {"token": tokens["access_token"], **credentials}).json()
    browser.post("/o/revoke_token/", {"token": tokens["access_token"], **credentials})
    revoked = browser.post("/o/introspect/", {"token": tokens["access_token"], **credentials}).json()

    assert (live["active"], live["scope"]) == (True, "openid profile")
    assert revoked == {"active": False}
