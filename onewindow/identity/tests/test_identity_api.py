"""The identity API: my profile (masked), companies, agencies, acting for, data export and data views; session
or bearer-token authentication; permission checks (scope, expiry, other people's records)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from onewindow.identity.models import Agency, Person
from onewindow.identity.services.companies import agency_grant, company_register
from onewindow.identity.services.personal_data import person_identifier_reveal
from tests.factories import person

API = "/api/v1"
DEMO_CODE = "91350100M000100Y43"


@pytest.fixture
def zhang(db):
    return person(90, name="张三")


@pytest.fixture
def company(zhang):
    return company_register(person=zhang, credit_code=DEMO_CODE)


def grant(company, grantor, agent, scopes=("apply",), days=30):
    return agency_grant(
        grantor_user=grantor.user,
        company=company,
        agent_identifier=agent.phone,
        scopes=list(scopes),
        expires_at=timezone.now() + timedelta(days=days),
    )


def bearer(user, scope: str) -> dict[str, str]:
    application = Application.objects.create(
        name="部门系统",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://127.0.0.1:8765/callback",
        algorithm=Application.RS256_ALGORITHM,
    )
    token = AccessToken.objects.create(
        user=user,
        application=application,
        token=f"token-{user.pk}-{scope.replace(' ', '-')}",
        scope=scope,
        expires=timezone.now() + timedelta(hours=1),
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {token.token}"}


def test_me_needs_authentication(client, db):
    response = client.get(f"{API}/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_me_shows_masked_identifiers_and_the_level(client_as, zhang):
    body = client_as(zhang.user).get(f"{API}/me").json()
    assert body["name"] == "张三" and body["assurance_level"] == 2
    assert body["id_number_masked"] == zhang.id_number_masked and body["phone_masked"] == zhang.phone_masked
    assert zhang.id_number not in str(body) and body["acting_for"] is None


def test_me_with_a_bearer_token_holding_the_profile_scope(client, zhang):
    response = client.get(f"{API}/me", **bearer(zhang.user, "openid profile"))
    assert response.status_code == 200 and response.json()["name"] == "张三"


def test_a_token_without_the_profile_scope_is_refused(client, zhang):
    response = client.get(f"{API}/me", **bearer(zhang.user, "openid"))
    assert response.status_code == 403 and response.json()["code"] == "insufficient_scope"


def test_a_staff_account_without_a_person_gets_404(client_as, clerk_a):
    assert client_as(clerk_a).get(f"{API}/me").status_code == 404


def test_my_companies(client_as, zhang, company):
    body = client_as(zhang.user).get(f"{API}/me/companies").json()
    assert [(c["credit_code"], c["i_represent"]) for c in body] == [(DEMO_CODE, True)]


def test_my_agencies_lists_only_mine(client_as, zhang, company):
    agent, other = person(91), person(92)
    grant(company, zhang, agent)
    grant(company, zhang, other)
    body = client_as(agent.user).get(f"{API}/me/agencies").json()
    assert len(body) == 1 and body[0]["company"]["name"] == "福州市闽江食品有限公司" and body[0]["active"]


def test_the_legal_representative_grants_through_the_api(client_as, zhang, company):
    agent = person(93)
    response = client_as(zhang.user).post(
        f"{API}/companies/{company.pk}/agencies",
        {
            "agent": agent.phone,
            "scopes": ["apply", "track"],
            "expires_at": (timezone.now() + timedelta(days=30)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["scopes"] == ["apply", "track"] and agent.phone not in response.content.decode()


def test_an_unknown_scope_is_a_validation_error(client_as, zhang, company):
    response = client_as(zhang.user).post(
        f"{API}/companies/{company.pk}/agencies",
        {
            "agent": person(94).phone,
            "scopes": ["everything"],
            "expires_at": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["problems"][0]["field"].startswith("scopes")
    assert not Agency.objects.exists()


def test_an_expiry_in_the_past_is_refused_with_a_message(client_as, zhang, company):
    response = client_as(zhang.user).post(
        f"{API}/companies/{company.pk}/agencies",
        {
            "agent": person(95).phone,
            "scopes": ["apply"],
            "expires_at": (timezone.now() - timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["code"] == "agency.expiry"


def test_an_agent_outside_their_scope_cannot_grant(client_as, zhang, company):
    agent = person(96)
    grant(company, zhang, agent, scopes=["apply"])
    response = client_as(agent.user).post(
        f"{API}/companies/{company.pk}/agencies",
        {
            "agent": person(97).phone,
            "scopes": ["apply"],
            "expires_at": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 403 and "manage_agents" in response.json()["message"]


def test_an_expired_agent_cannot_grant(client_as, zhang, company):
    agent = person(98)
    agency = grant(company, zhang, agent, scopes=["manage_agents", "apply"])
    Agency.objects.filter(pk=agency.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = client_as(agent.user).post(
        f"{API}/companies/{company.pk}/agencies",
        {
            "agent": person(99).phone,
            "scopes": ["apply"],
            "expires_at": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 403 and "过期" in response.json()["message"]


def test_a_stranger_gets_404_for_a_company(client_as, company):
    response = client_as(person(100).user).post(
        f"{API}/companies/{company.pk}/agencies",
        {
            "agent": person(101).phone,
            "scopes": ["apply"],
            "expires_at": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 404


def test_revoking_through_the_api(client_as, zhang, company):
    agency = grant(company, zhang, person(102))
    response = client_as(zhang.user).delete(f"{API}/agencies/{agency.pk}")
    assert response.status_code == 200 and response.json()["active"] is False


def test_another_persons_agency_is_404(client_as, zhang, company):
    agency = grant(company, zhang, person(103))
    assert client_as(person(104).user).delete(f"{API}/agencies/{agency.pk}").status_code == 404


def test_switching_acting_for_through_the_api(client_as, zhang, company):
    agent = person(105)
    grant(company, zhang, agent)
    client = client_as(agent.user)
    body = client.post(
        f"{API}/me/acting-for", {"company_id": str(company.pk)}, content_type="application/json"
    ).json()
    assert body["acting_for"]["credit_code"] == DEMO_CODE
    body = client.post(f"{API}/me/acting-for", {"company_id": None}, content_type="application/json").json()
    assert body["acting_for"] is None


def test_an_expired_agent_cannot_switch_through_the_api(client_as, zhang, company):
    agent = person(106)
    agency = grant(company, zhang, agent)
    Agency.objects.filter(pk=agency.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = client_as(agent.user).post(
        f"{API}/me/acting-for", {"company_id": str(company.pk)}, content_type="application/json"
    )
    assert response.status_code == 403 and "过期" in response.json()["message"]
    assert Person.objects.get(pk=agent.pk).acting_for is None


def test_cookie_writes_need_the_csrf_token(zhang, company):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(zhang.user)
    response = client.post(f"{API}/me/acting-for", {"company_id": None}, content_type="application/json")
    assert response.status_code == 403


def test_my_data_export(client_as, zhang):
    body = client_as(zhang.user).get(f"{API}/me/data-export").json()
    assert body["person"]["id_number"] == zhang.id_number


def test_my_data_views(client_as, clerk_a, zhang):
    person_identifier_reveal(viewer=clerk_a, person=zhang, field="id_number", reason="窗口受理核对身份")
    body = client_as(zhang.user).get(f"{API}/me/data-views").json()
    assert [(v["field"], v["reason"], v["department"]) for v in body] == [
        ("id_number", "窗口受理核对身份", "福州市市场监督管理局")
    ]


def test_an_expiry_without_an_offset_is_taken_as_beijing_time(client_as, zhang, company):
    naive = (timezone.localtime() + timedelta(days=10)).replace(tzinfo=None, microsecond=0)
    response = client_as(zhang.user).post(
        f"{API}/companies/{company.pk}/agencies",
        {"agent": person(107).phone, "scopes": ["apply"], "expires_at": naive.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert timezone.localtime(Agency.objects.get().expires_at).replace(tzinfo=None) == naive


def test_a_department_systems_token_cannot_export_the_full_identifiers(client, zhang):
    response = client.get(f"{API}/me/data-export", **bearer(zhang.user, "openid profile"))
    assert response.status_code == 401
    assert zhang.id_number not in response.content.decode()


def test_a_department_systems_token_cannot_switch_whom_the_person_acts_for(client, zhang):
    response = client.post(
        f"{API}/me/acting-for",
        {"company_id": None},
        content_type="application/json",
        **bearer(zhang.user, "profile"),
    )
    assert response.status_code == 401
