"""Agents of natural persons (委托代理, 行政许可法 art. 29): 张三 authorises 李四, who applies in 张三's name;
张三 sees it in 我的账户 and on the case; revoking ends it at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.cases import selectors, services
from onewindow.cases.tests.factories import case_materials_attach
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.models import AgencyScope, PersonAgency, PersonAgencyUse
from onewindow.identity.selectors import principal_for_user
from onewindow.identity.services.representation import (
    person_act_for_person,
    person_agency_grant,
    person_agency_revoke,
)
from tests.factories import person

pytestmark = pytest.mark.django_db


def _grant(principal_user, agent_user, scopes=(AgencyScope.APPLY, AgencyScope.TRACK), days=30):
    return person_agency_grant(
        principal_user=principal_user,
        agent_identifier=agent_user.person.phone,
        scopes=list(scopes),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )


@pytest.fixture
def agency(citizen, another_citizen):
    granted = _grant(citizen, another_citizen)
    person_act_for_person(person=another_citizen.person, principal=citizen.person)
    return granted


def test_an_agent_applies_in_the_principals_name(citizen, another_citizen, item, agency):
    case = services.case_start(user=another_citizen, item=item, form_data={"applicant_name": "张三"})
    assert case.applicant == citizen.person and case.person_agency == agency
    case_materials_attach(case, another_citizen)
    case = services.case_submit(case=case, actor=another_citizen)
    assert case.status == "submitted"
    entry = AuditEntry.objects.filter(action="case.start").latest("seq")
    assert entry.actor_id == another_citizen.pk and entry.changes["on_behalf_of"] == str(citizen.person.pk)
    uses = list(PersonAgencyUse.objects.filter(agency=agency).values_list("action", flat=True))
    assert sorted(uses) == ["case.start", "case.submit"]


def test_the_principal_sees_the_case_and_who_filed_it(client_as, citizen, another_citizen, item, agency):
    case = services.case_start(user=another_citizen, item=item)
    assert case in selectors.cases_for_applicant(user=citizen)
    page = client_as(citizen).get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "李四" in page
    account = client_as(citizen).get(reverse("identity:account")).content.decode()
    assert "李四" in account


def test_the_principal_sees_what_the_agent_did_on_the_agents_page(
    client_as, citizen, another_citizen, item, agency
):
    services.case_start(user=another_citizen, item=item)
    page = client_as(citizen).get(reverse("identity:representatives")).content.decode()
    assert "李四" in page and "代您申请" in page


def test_without_the_apply_scope_the_agent_cannot_apply(citizen, another_citizen, item):
    _grant(citizen, another_citizen, scopes=[AgencyScope.TRACK])
    person_act_for_person(person=another_citizen.person, principal=citizen.person)
    with pytest.raises(DomainError) as caught:
        services.case_start(user=another_citizen, item=item)
    assert (caught.value.status, caught.value.code) == (403, "agency_not_allowed")


def test_a_revoked_authorisation_ends_acting_at_once(citizen, another_citizen, item, agency):
    person_agency_revoke(actor=citizen, agency=agency)
    another_citizen.person.refresh_from_db()
    assert another_citizen.person.acting_for_person is None
    assert principal_for_user(another_citizen).on_behalf_of is None
    case = services.case_start(user=another_citizen, item=item)
    assert case.applicant == another_citizen.person  # their own application again


def test_an_expired_authorisation_is_not_honoured(citizen, another_citizen, agency):
    PersonAgency.objects.filter(pk=agency.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert principal_for_user(another_citizen).on_behalf_of is None


def test_switching_to_a_person_who_revoked_is_refused_with_the_date(citizen, another_citizen, agency):
    person_agency_revoke(actor=citizen, agency=agency)
    with pytest.raises(DomainError) as caught:
        person_act_for_person(person=another_citizen.person, principal=citizen.person)
    assert caught.value.status == 403 and "撤销" in caught.value.message


def test_an_unverified_agent_cannot_be_authorised(citizen):
    unverified = person(3, level=1, name="王五")
    with pytest.raises(DomainError) as caught:
        person_agency_grant(
            principal_user=citizen,
            agent_identifier=unverified.phone,
            scopes=[AgencyScope.APPLY],
            expires_at=timezone.now() + dt.timedelta(days=5),
        )
    assert caught.value.code == "agency.agent_unverified"
    assert not PersonAgency.objects.exists()


def test_managing_agents_is_not_a_scope_a_person_can_give(citizen, another_citizen):
    with pytest.raises(DomainError) as caught:
        _grant(citizen, another_citizen, scopes=[AgencyScope.MANAGE_AGENTS])
    assert caught.value.code == "agency.scopes"


def test_a_stranger_cannot_see_or_act_on_the_principals_cases(citizen, another_citizen, item, agency):
    case = services.case_start(user=another_citizen, item=item)
    stranger = person(4, name="赵六").user
    assert case not in selectors.cases_for_applicant(user=stranger)
    with pytest.raises(DomainError) as caught:
        services.case_submit(case=case, actor=stranger)
    assert caught.value.status == 404


def test_a_stranger_cannot_revoke_someone_elses_authorisation(client_as, agency):
    stranger = person(4, name="赵六").user
    response = client_as(stranger).post(reverse("identity:representative_revoke", args=[agency.pk]))
    assert response.status_code == 404
    agency.refresh_from_db()
    assert agency.revoked_at is None


def test_the_grant_page_authorises_and_revokes(client_as, citizen, another_citizen):
    client = client_as(citizen)
    response = client.post(
        reverse("identity:representatives"),
        {
            "agent": another_citizen.person.phone,
            "scopes": [AgencyScope.APPLY, AgencyScope.TRACK],
            "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    agency = PersonAgency.objects.get(principal=citizen.person)
    assert agency.agent == another_citizen.person
    response = client.post(reverse("identity:representative_revoke", args=[agency.pk]))
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.revoked_at is not None


def test_the_grant_page_refuses_an_unknown_agent_and_writes_nothing(client_as, citizen):
    response = client_as(citizen).post(
        reverse("identity:representatives"),
        {
            "agent": "13900009999",
            "scopes": [AgencyScope.APPLY],
            "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "没有找到该用户" in response.content.decode()
    assert not PersonAgency.objects.exists()


def test_the_agent_switches_on_the_account_page(client_as, citizen, another_citizen):
    _grant(citizen, another_citizen)
    client = client_as(another_citizen)
    assert "张三" in client.get(reverse("identity:account")).content.decode()
    response = client.post(reverse("identity:act_for_person"), {"principal": str(citizen.person.pk)})
    assert response.status_code == 302
    assert principal_for_user(another_citizen).on_behalf_of == citizen.person
