"""我的账户 pages: masked identifiers, step-up verification, companies and agents, acting for, my data."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.core.models import AuditEntry
from onewindow.identity.models import Agency, AssuranceLevel, Company, Person
from onewindow.identity.services.companies import agency_grant, company_register
from onewindow.identity.services.personal_data import person_identifier_reveal
from onewindow.identity.verifiers import SandboxIdentityVerifier
from tests.factories import UserFactory, person, valid_citizen_id

DEMO_CODE = "91350100M000100Y43"


@pytest.fixture
def zhang(db):
    return person(60, name="张三")


@pytest.fixture
def company(zhang):
    return company_register(person=zhang, credit_code=DEMO_CODE)


def test_the_account_page_needs_sign_in(client):
    response = client.get(reverse("identity:account"))
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]


def test_the_account_page_shows_masked_identifiers_only(client_as, zhang):
    page = client_as(zhang.user).get(reverse("identity:account")).content.decode()
    assert zhang.id_number_masked in page and zhang.phone_masked in page
    assert zhang.id_number not in page and zhang.phone not in page
    assert reverse("identity:verify") in page and reverse("identity:data_export") in page


def test_a_staff_account_without_a_person_is_told_so(client_as, clerk_a):
    response = client_as(clerk_a).get(reverse("identity:account"))
    assert response.status_code == 403


def test_online_verification_raises_an_l1_person_to_l2(client_as, db):
    newcomer = person(61, level=1, name="王五")
    response = client_as(newcomer.user).post(
        reverse("identity:verify"), {"step": "registry", "name": "王五", "id_number": valid_citizen_id(61)}
    )
    newcomer.refresh_from_db()
    assert response.status_code == 302 and newcomer.assurance_level == AssuranceLevel.L2


def test_a_refused_verification_shows_the_reason_on_the_form(client_as, db):
    newcomer = person(62, level=1)
    response = client_as(newcomer.user).post(
        reverse("identity:verify"),
        {"step": "registry", "name": "测试不通过", "id_number": valid_citizen_id(62)},
    )
    assert response.status_code == 400 and "公安人口库" in response.content.decode()


def test_an_invalid_id_number_is_shown_next_to_the_field(client_as, db):
    newcomer = person(63, level=1)
    response = client_as(newcomer.user).post(
        reverse("identity:verify"),
        {"step": "registry", "name": "王五", "id_number": valid_citizen_id(63)[:17] + "0"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "校验位" in page and 'aria-invalid="true"' in page


def test_the_face_step_shows_the_sandbox_token_and_returns_to_the_service(client_as, zhang):
    client = client_as(zhang.user)
    page = client.get(reverse("identity:verify") + "?next=/services/x/form/&level=3").content.decode()
    assert SandboxIdentityVerifier.FACE_TOKEN in page and "L3" in page
    response = client.post(
        reverse("identity:verify"),
        {
            "step": "face",
            "evidence": SandboxIdentityVerifier.FACE_TOKEN,
            "next": "/services/x/form/",
            "level": "3",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/services/x/form/"


def test_verify_never_redirects_off_site(client_as, zhang):
    response = client_as(zhang.user).post(
        reverse("identity:verify"),
        {"step": "face", "evidence": SandboxIdentityVerifier.FACE_TOKEN, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_registering_a_company_leads_to_its_agents_page(client_as, zhang):
    response = client_as(zhang.user).post(reverse("identity:companies"), {"credit_code": DEMO_CODE})
    company = Company.objects.get(credit_code=DEMO_CODE)
    assert response.status_code == 302 and response["Location"] == reverse(
        "identity:agents", args=[company.pk]
    )


def test_a_refused_company_registration_says_why(client_as, db):
    response = client_as(person(64, name="李四").user).post(
        reverse("identity:companies"), {"credit_code": DEMO_CODE}
    )
    assert response.status_code == 400 and "法定代表人" in response.content.decode()


def test_granting_an_agent_on_the_agents_page(client_as, zhang, company):
    agent = person(65, name="赵六")
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client_as(zhang.user).post(
        reverse("identity:agents", args=[company.pk]),
        {"agent": agent.phone, "scopes": ["apply", "track"], "expires_on": expires},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(agent=agent)
    assert (
        agency.scopes == ["apply", "track"] and timezone.localdate(agency.expires_at).isoformat() == expires
    )
    page = client_as(zhang.user).get(reverse("identity:agents", args=[company.pk])).content.decode()
    assert "赵六" in page and agent.phone not in page


def test_a_grant_without_scopes_is_refused_on_the_form(client_as, zhang, company):
    response = client_as(zhang.user).post(
        reverse("identity:agents", args=[company.pk]),
        {"agent": person(66).phone, "expires_on": (timezone.localdate() + timedelta(days=9)).isoformat()},
    )
    assert response.status_code == 400 and not Agency.objects.exists()


def test_another_persons_company_agents_page_is_404(client_as, company):
    assert client_as(person(67).user).get(reverse("identity:agents", args=[company.pk])).status_code == 404


def test_an_agent_without_manage_agents_cannot_see_the_agents_page(client_as, zhang, company):
    agent = person(68)
    agency_grant(
        grantor_user=zhang.user,
        company=company,
        agent_identifier=agent.phone,
        scopes=["apply"],
        expires_at=timezone.now() + timedelta(days=5),
    )
    assert client_as(agent.user).get(reverse("identity:agents", args=[company.pk])).status_code == 404


def test_revoking_from_the_agents_page(client_as, zhang, company):
    agent = person(69)
    agency = agency_grant(
        grantor_user=zhang.user,
        company=company,
        agent_identifier=agent.phone,
        scopes=["apply"],
        expires_at=timezone.now() + timedelta(days=5),
    )
    response = client_as(zhang.user).post(reverse("identity:agent_revoke", args=[agency.pk]))
    agency.refresh_from_db()
    assert response.status_code == 302 and agency.revoked_at is not None


def test_someone_elses_agency_cannot_be_revoked(client_as, zhang, company):
    agent = person(70)
    agency = agency_grant(
        grantor_user=zhang.user,
        company=company,
        agent_identifier=agent.phone,
        scopes=["apply"],
        expires_at=timezone.now() + timedelta(days=5),
    )
    assert (
        client_as(person(71).user).post(reverse("identity:agent_revoke", args=[agency.pk])).status_code == 404
    )


def test_switching_to_act_for_a_company_and_back(client_as, zhang, company):
    client = client_as(zhang.user)
    client.post(reverse("identity:act_for"), {"company": str(company.pk)})
    assert Person.objects.get(pk=zhang.pk).acting_for == company
    assert "福州市闽江食品有限公司" in client.get(reverse("identity:account")).content.decode()
    client.post(reverse("identity:act_for"), {"company": ""})
    assert Person.objects.get(pk=zhang.pk).acting_for is None


def test_switching_to_a_stranger_company_is_refused(client_as, company):
    stranger = person(72)
    response = client_as(stranger.user).post(reverse("identity:act_for"), {"company": str(company.pk)})
    assert response.status_code == 302 and Person.objects.get(pk=stranger.pk).acting_for is None


def test_the_data_export_downloads_json_and_is_logged(client_as, zhang):
    response = client_as(zhang.user).get(reverse("identity:data_export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["person"]["id_number"] == zhang.id_number
    assert AuditEntry.objects.filter(action="person.data_export").exists()


def test_who_viewed_my_data_lists_the_reason_and_department(client_as, clerk_a, zhang):
    person_identifier_reveal(viewer=clerk_a, person=zhang, field="phone", reason="电话回访确认")
    page = client_as(zhang.user).get(reverse("identity:data_views")).content.decode()
    assert "电话回访确认" in page and "福州市市场监督管理局" in page


def test_profile_pages_have_no_inline_script_or_style(client_as, zhang, company):
    client = client_as(zhang.user)
    for url in [
        reverse("identity:account"),
        reverse("identity:verify"),
        reverse("identity:companies"),
        reverse("identity:agents", args=[company.pk]),
        reverse("identity:data_views"),
    ]:
        page = client.get(url).content.decode()
        assert "<script>" not in page and "style=" not in page, url


def test_staff_user_without_person_gets_no_profile(client_as, db):
    user = UserFactory()
    assert client_as(user).get(reverse("identity:verify")).status_code == 403
