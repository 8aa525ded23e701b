"""Who sees which case: the applicant (404 for anyone else's), agents (only with ``track``, only while the
authorisation lives), staff (own department; another department 403), and tracking by number and password."""

from __future__ import annotations

import uuid

import pytest

from onewindow.cases import selectors, services
from onewindow.cases.models import CaseStatus, EventAction
from onewindow.cases.tests.factories import agency, case_in_state, company_of
from onewindow.core.errors import DomainError, NotFound, PermissionDenied
from onewindow.identity.models import Person
from tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(at, citizen, item, clerk_a):
    return services.case_accept(case=case_in_state("submitted", user=citizen, item=item), clerk=clerk_a)


def test_the_applicant_sees_their_case_with_its_timeline(citizen, accepted):
    case = selectors.case_get_for_applicant(user=citizen, case_id=accepted.case.pk)
    assert [e.action for e in case.events.all()] == [EventAction.SUBMITTED, EventAction.ACCEPTED]


def test_another_citizens_case_is_not_found(another_citizen, accepted):
    with pytest.raises(NotFound):
        selectors.case_get_for_applicant(user=another_citizen, case_id=accepted.case.pk)
    assert not selectors.cases_for_applicant(user=another_citizen).exists()


def test_a_malformed_id_is_not_found(citizen):
    with pytest.raises(NotFound):
        selectors.case_get_for_applicant(user=citizen, case_id="not-a-uuid")


def test_my_cases_lists_only_mine(citizen, another_citizen, item, accepted, django_assert_max_num_queries):
    case_in_state("draft", user=another_citizen, item=item)
    with django_assert_max_num_queries(3):
        cases = list(selectors.cases_for_applicant(user=citizen))
        [(c.item_version.name, c.department.name, c.due_on) for c in cases]
    assert [c.pk for c in cases] == [accepted.case.pk]


@pytest.fixture
def company_case(citizen, item):
    """A case the legal representative (citizen) filed for their company."""
    company = company_of(Person.objects.get(user=citizen))
    Person.objects.filter(user=citizen).update(acting_for=company)
    return services.case_start(user=citizen, item=item, company=company)


def test_an_agent_with_track_sees_the_companys_cases(company_case):
    agent = person(7)
    agency(company_case.company, agent, scopes=["track"])
    assert selectors.case_get_for_applicant(user=agent.user, case_id=company_case.pk) == company_case


def test_an_agent_without_track_does_not_see_cases_filed_by_others(company_case):
    agent = person(7)
    agency(company_case.company, agent, scopes=["apply"])
    with pytest.raises(NotFound):
        selectors.case_get_for_applicant(user=agent.user, case_id=company_case.pk)


def test_an_agent_whose_authorisation_expired_sees_nothing(company_case):
    agent = person(7)
    agency(company_case.company, agent, scopes=["track", "apply"], days=-1)
    with pytest.raises(NotFound):
        selectors.case_get_for_applicant(user=agent.user, case_id=company_case.pk)
    assert not selectors.cases_for_applicant(user=agent.user).exists()


def test_staff_of_the_department_see_the_case(clerk_a, accepted):
    assert selectors.case_get_for_staff(user=clerk_a, case_id=accepted.case.pk).pk == accepted.case.pk
    assert list(selectors.cases_for_department(user=clerk_a)) == [accepted.case]


def test_staff_of_another_department_are_refused(clerk_b, accepted, department_a):
    with pytest.raises(PermissionDenied):
        selectors.case_get_for_staff(user=clerk_b, case_id=accepted.case.pk)
    with pytest.raises(PermissionDenied):
        selectors.cases_for_department(user=clerk_b, department_id=department_a.pk)
    assert not selectors.cases_for_department(user=clerk_b).exists()


def test_staff_lookup_of_an_unknown_case_is_not_found(clerk_a):
    with pytest.raises(NotFound):
        selectors.case_get_for_staff(user=clerk_a, case_id=uuid.uuid4())


def test_an_applicants_draft_is_private_even_to_the_department(citizen, item, clerk_a):
    draft = case_in_state("draft", user=citizen, item=item)
    with pytest.raises(NotFound):
        selectors.case_get_for_staff(user=clerk_a, case_id=draft.pk)
    assert not selectors.cases_for_department(user=clerk_a).exists()


def test_the_department_list_needs_a_fixed_number_of_queries(
    citizen, another_citizen, item, clerk_a, django_assert_max_num_queries
):
    for user in (citizen, another_citizen):
        case_in_state("submitted", user=user, item=item)
    with django_assert_max_num_queries(2):
        rows = [
            (c.applicant.user.name, c.item_version.name, c.due_on)
            for c in selectors.cases_for_department(user=clerk_a)
        ]
    assert len(rows) == 2


def test_tracking_shows_the_public_timeline_without_staff_names(accepted, clerk_a):
    tracking = selectors.case_track(
        case_number=accepted.case.number, password=accepted.query_password.lower()
    )
    assert tracking.status == CaseStatus.ACCEPTED and tracking.due_on == accepted.case.due_on
    assert [(e.action, e.department) for e in tracking.timeline] == [
        (EventAction.SUBMITTED, "福州市市场监督管理局"),
        (EventAction.ACCEPTED, "福州市市场监督管理局"),
    ]
    assert clerk_a.name not in repr(tracking)


def test_a_wrong_password_reads_no_more_than_an_unknown_number(accepted, django_assert_num_queries):
    for number in (accepted.case.number, "X" * 44):
        with django_assert_num_queries(1), pytest.raises(NotFound):
            selectors.case_track(case_number=number, password="AAAAAAAA")


def test_a_wrong_password_and_an_unknown_number_look_the_same(accepted):
    with pytest.raises(DomainError) as wrong:
        selectors.case_track(case_number=accepted.case.number, password="AAAAAAAA")
    with pytest.raises(DomainError) as unknown:
        selectors.case_track(case_number="X" * 44, password=accepted.query_password)
    with pytest.raises(DomainError) as empty:
        selectors.case_track(case_number=accepted.case.number, password="")
    assert wrong.value.as_dict() == unknown.value.as_dict() == empty.value.as_dict()
    assert wrong.value.status == 404


def test_a_reissued_password_replaces_the_old_one(citizen, accepted):
    new = services.case_password_reissue(case=accepted.case, user=citizen)
    assert selectors.case_track(case_number=accepted.case.number, password=new).number == accepted.case.number
    with pytest.raises(NotFound):
        selectors.case_track(case_number=accepted.case.number, password=accepted.query_password)


def test_the_applicants_messages(citizen, item, clerk_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state("submitted", user=citizen, item=item)
    assert [m.event for m in selectors.case_messages_for(user=citizen)] == [EventAction.SUBMITTED]
    assert "食品经营许可" in selectors.case_messages_for(user=citizen).get().text
    assert case.messages.count() == 1
