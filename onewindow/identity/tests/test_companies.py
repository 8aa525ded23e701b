"""Companies, agents (经办人) and acting for a company: who may register, grant, revoke and switch; scope and
expiry checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.models import Agency, AgencyScope, Company
from onewindow.identity.selectors import Principal, principal_for_user
from onewindow.identity.services.companies import (
    agency_grant,
    agency_revoke,
    company_register,
    person_act_for,
    require_scope,
)
from tests.factories import person, valid_credit_code

DEMO_CODE = "91350100M000100Y43"  # SandboxCompanyRegistry: 福州市闽江食品有限公司, legal representative 张三


def in_days(days: int):
    return timezone.now() + timedelta(days=days)


@pytest.fixture
def boss(db):
    return person(30, name="张三")


@pytest.fixture
def company(boss):
    return company_register(person=boss, credit_code=DEMO_CODE)


@pytest.fixture
def agent(db):
    return person(31, name="赵六")


def grant(company, grantor, agent, scopes=("apply",), days=30):
    return agency_grant(
        grantor_user=grantor.user,
        company=company,
        agent_identifier=agent.phone,
        scopes=list(scopes),
        expires_at=in_days(days),
    )


def test_the_legal_representative_registers_the_company(company, boss):
    assert (company.name, company.legal_representative) == ("福州市闽江食品有限公司", boss)
    assert AuditEntry.objects.filter(action="company.register", target_id=str(company.pk)).exists()


def test_someone_who_is_not_the_legal_representative_is_refused(db):
    stranger = person(32, name="李四")
    with pytest.raises(DomainError) as caught:
        company_register(person=stranger, credit_code=DEMO_CODE)
    assert caught.value.code == "company.not_legal_representative" and "张*" in caught.value.message
    assert not Company.objects.exists()


def test_an_unverified_person_cannot_register_a_company(db):
    with pytest.raises(DomainError) as caught:
        company_register(person=person(33, level=1, name="张三"), credit_code=DEMO_CODE)
    assert caught.value.code == "company.level_too_low" and "L2" in caught.value.message


def test_a_malformed_credit_code_is_refused_naming_the_problem(boss):
    with pytest.raises(DomainError) as caught:
        company_register(person=boss, credit_code="91350100M000100Y4")
    assert caught.value.code == "credit_code.length" and caught.value.problems[0].field == "credit_code"


def test_a_code_the_registry_does_not_know_is_refused(boss):
    code = valid_credit_code(5)
    with pytest.raises(DomainError) as caught:
        company_register(person=boss, credit_code=code[:17] + ("1" if code[17] != "1" else "2"))
    assert caught.value.code == "company.not_found"


def test_a_deregistered_company_is_refused(boss):
    with pytest.raises(DomainError) as caught:
        company_register(person=boss, credit_code="91350105MA31Y5PB1F")
    assert caught.value.code == "company.inactive"


def test_a_company_is_registered_once(company, boss):
    with pytest.raises(DomainError) as caught:
        company_register(person=boss, credit_code=DEMO_CODE)
    assert caught.value.status == 409


def test_the_legal_representative_grants_an_agency(company, boss, agent):
    agency = grant(company, boss, agent, scopes=["track", "apply"])
    assert (agency.agent, agency.scopes, agency.granted_by) == (agent, ["apply", "track"], boss.user)
    assert agency.is_active()


def test_an_agent_is_found_by_id_number_too(company, boss, agent):
    agency = agency_grant(
        grantor_user=boss.user,
        company=company,
        agent_identifier=agent.id_number,
        scopes=["apply"],
        expires_at=in_days(5),
    )
    assert agency.agent == agent


def test_a_new_grant_replaces_the_old_one(company, boss, agent):
    old = grant(company, boss, agent, scopes=["apply"])
    new = grant(company, boss, agent, scopes=["track"], days=60)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.is_active()
    assert Agency.objects.filter(agent=agent, revoked_at=None).count() == 1


def test_an_expired_unrevoked_agency_is_replaced_too(company, boss, agent):
    old = grant(company, boss, agent)
    Agency.objects.filter(pk=old.pk).update(expires_at=in_days(-1))
    grant(company, boss, agent)
    assert Agency.objects.filter(agent=agent, revoked_at=None).count() == 1


@pytest.mark.parametrize(
    ("scopes", "code"), [([], "agency.scopes"), (["apply", "everything"], "agency.scopes")]
)
def test_scopes_must_be_known(company, boss, agent, scopes, code):
    with pytest.raises(DomainError) as caught:
        grant(company, boss, agent, scopes=scopes)
    assert caught.value.code == code


@pytest.mark.parametrize("days", [-1, 3 * 366 + 2])
def test_the_expiry_must_be_in_the_future_and_within_three_years(company, boss, agent, days):
    with pytest.raises(DomainError) as caught:
        grant(company, boss, agent, days=days)
    assert caught.value.code == "agency.expiry"


def test_an_unknown_agent_is_refused(company, boss):
    with pytest.raises(DomainError) as caught:
        agency_grant(
            grantor_user=boss.user,
            company=company,
            agent_identifier="13700000000",
            scopes=["apply"],
            expires_at=in_days(5),
        )
    assert caught.value.code == "agency.agent_unknown"


def test_an_unverified_agent_is_refused(company, boss):
    with pytest.raises(DomainError) as caught:
        grant(company, boss, person(34, level=1))
    assert caught.value.code == "agency.agent_unverified"


def test_a_stranger_cannot_grant(company, agent):
    stranger = person(35)
    with pytest.raises(DomainError) as caught:
        grant(company, stranger, agent)
    assert caught.value.status == 403


def test_an_agent_without_manage_agents_cannot_grant(company, boss, agent):
    grant(company, boss, agent, scopes=["apply"])
    with pytest.raises(DomainError) as caught:
        grant(company, agent, person(36))
    assert caught.value.status == 403 and "manage_agents" in caught.value.message


def test_an_agent_with_manage_agents_grants_within_their_own_scope_and_expiry(company, boss, agent):
    grant(company, boss, agent, scopes=["apply", "manage_agents"], days=30)
    helper = person(37)
    assert grant(company, agent, helper, scopes=["apply"], days=20).is_active()
    with pytest.raises(DomainError) as caught:
        grant(company, agent, helper, scopes=["licences"], days=20)
    assert caught.value.code == "agency.scopes"
    with pytest.raises(DomainError) as caught:
        grant(company, agent, helper, scopes=["apply"], days=60)
    assert caught.value.code == "agency.expiry"


def test_an_expired_manager_is_refused_with_the_date(company, boss, agent):
    agency = grant(company, boss, agent, scopes=["manage_agents"])
    Agency.objects.filter(pk=agency.pk).update(expires_at=in_days(-2))
    with pytest.raises(DomainError) as caught:
        grant(company, agent, person(38))
    assert caught.value.status == 403 and "过期" in caught.value.message
    assert timezone.localdate(in_days(-2)).isoformat() in caught.value.message


def test_the_legal_representative_revokes_an_agency(company, boss, agent):
    agency = grant(company, boss, agent)
    person_act_for(person=agent, company=company)
    agency_revoke(actor=boss.user, agency=agency)
    agency.refresh_from_db()
    agent.refresh_from_db()
    assert agency.revoked_at is not None and agency.revoked_by == boss.user
    assert agent.acting_for is None


def test_an_agent_may_give_up_their_own_agency(company, boss, agent):
    agency = grant(company, boss, agent)
    assert agency_revoke(actor=agent.user, agency=agency).revoked_at is not None


def test_a_fellow_agent_without_manage_agents_cannot_revoke(company, boss, agent):
    agency = grant(company, boss, agent)
    colleague = person(39)
    grant(company, boss, colleague, scopes=["apply"])
    with pytest.raises(DomainError) as caught:
        agency_revoke(actor=colleague.user, agency=agency)
    assert caught.value.status == 403


def test_revoking_twice_is_a_conflict(company, boss, agent):
    agency = grant(company, boss, agent)
    agency_revoke(actor=boss.user, agency=agency)
    with pytest.raises(DomainError) as caught:
        agency_revoke(actor=boss.user, agency=agency)
    assert caught.value.status == 409


def test_an_agent_switches_to_act_for_the_company(company, boss, agent):
    grant(company, boss, agent)
    person_act_for(person=agent, company=company)
    principal = principal_for_user(agent.user)
    assert principal.company == company and principal.allows("apply")
    assert AuditEntry.objects.filter(action="person.act_for", actor=agent.user).exists()


def test_switching_back_to_oneself(company, boss, agent):
    grant(company, boss, agent)
    person_act_for(person=agent, company=company)
    person_act_for(person=agent, company=None)
    assert principal_for_user(agent.user).company is None


def test_the_legal_representative_may_act_for_the_company(company, boss):
    person_act_for(person=boss, company=company)
    assert principal_for_user(boss.user).allows("manage_agents")


def test_a_stranger_cannot_act_for_the_company(company):
    with pytest.raises(DomainError) as caught:
        person_act_for(person=person(40), company=company)
    assert caught.value.status == 404


def test_an_expired_agent_cannot_switch_and_is_told_when_it_expired(company, boss, agent):
    agency = grant(company, boss, agent)
    Agency.objects.filter(pk=agency.pk).update(expires_at=in_days(-1))
    with pytest.raises(DomainError) as caught:
        person_act_for(person=agent, company=company)
    assert caught.value.status == 403 and "已于" in caught.value.message and "过期" in caught.value.message


def test_require_scope_lets_an_agent_act_within_scope(company, boss, agent):
    agency = grant(company, boss, agent, scopes=["apply"])
    require_scope(Principal(person=agent, company=company, agency=agency), AgencyScope.APPLY)


def test_require_scope_refuses_an_agent_outside_scope_naming_it(company, boss, agent):
    agency = grant(company, boss, agent, scopes=["track"])
    with pytest.raises(DomainError) as caught:
        require_scope(Principal(person=agent, company=company, agency=agency), AgencyScope.APPLY)
    assert caught.value.status == 403 and "apply" in caught.value.message


def test_require_scope_refuses_an_expired_agent_with_the_date(company, boss, agent):
    agency = grant(company, boss, agent, scopes=["apply"])
    Agency.objects.filter(pk=agency.pk).update(expires_at=in_days(-3))
    agency.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        require_scope(Principal(person=agent, company=company, agency=agency), AgencyScope.APPLY)
    assert f"授权已于 {timezone.localdate(agency.expires_at).isoformat()} 过期" in caught.value.message


def test_require_scope_refuses_a_revoked_agent(company, boss, agent):
    agency = agency_revoke(actor=boss.user, agency=grant(company, boss, agent))
    with pytest.raises(DomainError) as caught:
        require_scope(Principal(person=agent, company=company, agency=agency), AgencyScope.APPLY)
    assert "撤销" in caught.value.message


def test_require_scope_lets_a_person_act_for_themselves(agent):
    require_scope(Principal(person=agent), AgencyScope.APPLY)
