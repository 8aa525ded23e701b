"""An agent acting in a person's name (委托代理) sees the principal's licences only with the ``licences``
scope, and never their own while acting for someone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.identity.models import AgencyScope
from onewindow.identity.services.representation import person_act_for_person, person_agency_grant
from onewindow.licences.selectors import licences_of_holder
from onewindow.licences.tests.factories import licence_issued

pytestmark = pytest.mark.django_db


def _act_for(principal_user, agent_user, scopes):
    person_agency_grant(
        principal_user=principal_user,
        agent_identifier=agent_user.person.phone,
        scopes=scopes,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    person_act_for_person(person=agent_user.person, principal=principal_user.person)


def test_with_the_licences_scope_the_agent_sees_the_principals_licences(citizen, another_citizen):
    theirs = licence_issued(holder_person=citizen.person)
    licence_issued(holder_person=another_citizen.person)
    _act_for(citizen, another_citizen, [AgencyScope.APPLY, AgencyScope.LICENCES])
    assert list(licences_of_holder(user=another_citizen)) == [theirs]


def test_without_the_licences_scope_the_agent_sees_none(citizen, another_citizen):
    licence_issued(holder_person=citizen.person)
    _act_for(citizen, another_citizen, [AgencyScope.APPLY])
    assert not licences_of_holder(user=another_citizen).exists()
