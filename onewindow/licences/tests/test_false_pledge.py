"""A licence issued on an approval obtained by a false pledge (告知承诺) is revoked with the decision
(行政许可法 art. 69 para. 2, through ``CaseHook.DECISION_REVOKED``)."""

from __future__ import annotations

import pytest

from onewindow.cases import services as case_services
from onewindow.cases.models import PledgeCheck
from onewindow.cases.tests.factories import pledge_item_of, pledged_and_submitted
from onewindow.licences.models import Licence, LicenceEvent, LicenceStatus
from onewindow.licences.tests.factories import licence_type
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver_a(department_a):
    return MembershipFactory(
        user=UserFactory(username="approver_a", is_staff=True), department=department_a, role=Role.APPROVER
    ).user


@pytest.fixture
def approved(department_a, citizen, clerk_a, approver_a):
    licence_type(department_a, code="PLEDGE1")
    item = pledge_item_of(department_a, licence_type_code="PLEDGE1")
    case = pledged_and_submitted(citizen, item)
    case_services.case_accept(case=case, clerk=clerk_a)
    return case_services.case_conclude(case=case, actor=approver_a, code=0, result="许可证")


def test_a_false_pledge_revokes_the_licence_issued_on_the_case(approver_a, approved):
    licence = Licence.objects.get(case=approved)
    assert licence.status == LicenceStatus.VALID
    case_services.pledge_check_record_false(
        check=PledgeCheck.objects.get(case=approved), user=approver_a, finding="经核查有犯罪记录"
    )
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    event = LicenceEvent.objects.filter(licence=licence).latest("created_at")
    assert "虚假承诺" in event.reason


def test_a_confirmed_pledge_leaves_the_licence_valid(clerk_a, approved):
    case_services.pledge_check_confirm(
        check=PledgeCheck.objects.get(case=approved), user=clerk_a, finding="核查属实"
    )
    assert Licence.objects.get(case=approved).status == LicenceStatus.VALID
