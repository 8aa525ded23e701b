"""Applying online and at the window: drafts, the automatic checks, idempotent submission, assurance levels,
agents, walk-in filing and withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseStatus, EventAction, IdempotencyKey, TrustLevel
from onewindow.cases.tests.factories import (
    FORM,
    agency,
    case_in_state,
    case_item,
    case_materials_attach,
    company_of,
    material_of,
    upload,
)
from onewindow.catalogue.models import HandlingForm
from onewindow.core.errors import DomainError
from onewindow.identity.models import AssuranceLevel, Person
from tests.factories import person

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def test_a_draft_keeps_the_exact_guide_version_and_is_prefilled_from_the_profile(citizen, item):
    case = services.case_start(user=citizen, item=item)
    assert (case.status, case.item_version_id, case.department_id) == (
        CaseStatus.DRAFT,
        item.published_version_id,
        item.department_id,
    )
    assert case.form_data == {"applicant_name": "张三"}


def test_a_draft_can_be_saved_and_resumed(citizen, item):
    case = services.case_start(user=citizen, item=item)
    saved = services.case_form_save(
        case=case, user=citizen, form_data={"applicant_name": "张三丰"}, expected_version=1
    )
    assert (Case.objects.get(pk=case.pk).form_data, saved.version) == ({"applicant_name": "张三丰"}, 2)


def test_submitting_records_the_receipt_and_the_pre_review_deadline(at, citizen, item):
    at("2026-09-29")
    case = case_in_state("submitted", user=citizen, item=item)
    assert case.status == CaseStatus.SUBMITTED
    assert timezone.localdate(case.submitted_at) == D("2026-09-29")
    assert case.intake_due_on == D("2026-10-12")


def test_submitting_without_a_required_upload_lists_it_and_changes_nothing(citizen, item):
    case = services.case_start(user=citizen, item=item, form_data=FORM)
    services.case_material_attach(
        case=case, user=citizen, material=material_of(item, "id-card"), upload=upload()
    )
    with pytest.raises(DomainError) as caught:
        services.case_submit(case=case, actor=citizen)
    assert caught.value.code == "case_incomplete"
    # The household register comes from shared data: it is never asked for.
    assert [p.field for p in caught.value.problems] == ["materials.application-form"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DRAFT


def test_submitting_an_invalid_form_reports_the_field_in_chinese(citizen, item):
    case = services.case_start(user=citizen, item=item)
    services.case_form_save(case=case, user=citizen, form_data={})
    with pytest.raises(DomainError) as caught:
        services.case_submit(case=case, actor=citizen)
    assert any(
        p.field == "form.applicant_name" and p.message == "请填写申请人姓名。" for p in caught.value.problems
    )


def test_submitting_twice_with_the_same_key_submits_once(citizen, item):
    case = case_in_state("draft", user=citizen, item=item)
    case_materials_attach(case, citizen)
    first = services.case_submit(case=case, actor=citizen, idempotency_key="k-1")
    again = services.case_submit(case=case, actor=citizen, idempotency_key="k-1")
    assert first.pk == again.pk
    assert CaseEvent.objects.filter(case=case, action=EventAction.SUBMITTED).count() == 1


def test_submitting_an_already_submitted_case_without_a_key_is_a_conflict(citizen, item):
    case = case_in_state("submitted", user=citizen, item=item)
    with pytest.raises(DomainError) as caught:
        services.case_submit(case=case, actor=citizen)
    assert (caught.value.status, caught.value.code) == (409, "case_state_conflict")
    assert "已收件" in caught.value.message


@pytest.fixture
def form_only_item(department_a):
    """An item whose only material comes from shared data: it can be applied for in one request."""
    return case_item(
        department=department_a,
        materials=[{"key": "household-register", "name": "户口簿", "source": "shared"}],
    )


def test_creating_and_submitting_with_the_same_key_twice_makes_one_case(citizen, form_only_item):
    first = services.case_create_and_submit(
        user=citizen, item=form_only_item, form_data=FORM, idempotency_key="abc"
    )
    again = services.case_create_and_submit(
        user=citizen, item=form_only_item, form_data=FORM, idempotency_key="abc"
    )
    assert first.pk == again.pk and first.status == CaseStatus.SUBMITTED
    assert Case.objects.count() == 1


def test_reusing_a_key_for_a_different_request_is_refused(citizen, form_only_item):
    services.case_create_and_submit(user=citizen, item=form_only_item, form_data=FORM, idempotency_key="abc")
    with pytest.raises(DomainError) as caught:
        services.case_create_and_submit(
            user=citizen, item=form_only_item, form_data={"applicant_name": "王五"}, idempotency_key="abc"
        )
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_reused")
    assert Case.objects.count() == 1


def test_the_same_key_of_another_user_is_another_request(citizen, another_citizen, form_only_item):
    services.case_create_and_submit(user=citizen, item=form_only_item, form_data=FORM, idempotency_key="abc")
    services.case_create_and_submit(
        user=another_citizen, item=form_only_item, form_data=FORM, idempotency_key="abc"
    )
    assert Case.objects.count() == IdempotencyKey.objects.count() == 2


def test_a_failed_request_releases_its_key(citizen, item):
    with pytest.raises(DomainError):
        services.case_create_and_submit(user=citizen, item=item, form_data=FORM, idempotency_key="k")
    assert not IdempotencyKey.objects.exists() and not Case.objects.exists()


def test_an_applicant_below_the_items_level_is_told_which_level_is_needed(citizen, department_a):
    item = case_item(department=department_a, min_assurance_level=AssuranceLevel.L3)
    with pytest.raises(DomainError) as caught:
        services.case_start(user=citizen, item=item)
    assert (caught.value.status, caught.value.code) == (403, "assurance_level_too_low")
    assert "L3" in caught.value.message and "L2" in caught.value.message
    assert not Case.objects.exists()


def test_an_item_handled_only_at_the_window_cannot_be_applied_for_online(citizen, department_a):
    item = case_item(
        department=department_a,
        handling_forms=[HandlingForm.WINDOW],
        online_depth=[],
        onsite_visits=1,
        onsite_reason="须核验原件",
    )
    with pytest.raises(DomainError) as caught:
        services.case_start(user=citizen, item=item)
    assert caught.value.code == "item_not_online"


def test_an_agent_with_the_apply_scope_applies_for_the_company(citizen, another_citizen, item):
    company = company_of(Person.objects.get(user=citizen))
    agent = Person.objects.get(user=another_citizen)
    granted = agency(company, agent, scopes=["apply"])
    case = services.case_start(user=another_citizen, item=item, company=company)
    assert (case.company, case.applicant, case.agency) == (company, agent, granted)


def test_an_agent_whose_authorisation_expired_cannot_apply(citizen, another_citizen, item):
    company = company_of(Person.objects.get(user=citizen))
    agency(company, Person.objects.get(user=another_citizen), scopes=["apply"], days=-1)
    with pytest.raises(DomainError) as caught:
        services.case_start(user=another_citizen, item=item, company=company)
    assert (caught.value.status, caught.value.code) == (403, "agency_not_allowed")
    assert "过期" in caught.value.message


def test_an_agent_without_the_apply_scope_cannot_apply(citizen, another_citizen, item):
    company = company_of(Person.objects.get(user=citizen))
    agency(company, Person.objects.get(user=another_citizen), scopes=["track"])
    with pytest.raises(DomainError) as caught:
        services.case_start(user=another_citizen, item=item, company=company)
    assert caught.value.code == "agency_not_allowed"


def test_another_citizen_cannot_submit_my_draft(citizen, another_citizen, item):
    case = case_in_state("draft", user=citizen, item=item)
    with pytest.raises(DomainError) as caught:
        services.case_submit(case=case, actor=another_citizen)
    assert caught.value.status == 404


def test_a_walk_in_case_is_filed_by_the_clerk_with_checked_originals_and_accepted_at_once(clerk_a, item):
    applicant = person(5, level=1, name="王五")  # at the counter the clerk checks the ID card in person
    case = services.case_walk_in_file(
        clerk=clerk_a,
        person=applicant,
        item=item,
        form_data={"applicant_name": "王五"},
        materials=[
            (material_of(item, "id-card"), upload()),
            (material_of(item, "application-form"), upload()),
        ],
    )
    assert (case.status, case.walk_in, case.filed_by) == (CaseStatus.SUBMITTED, True, clerk_a)
    assert set(case.materials.values_list("trust_level", flat=True)) == {TrustLevel.B}
    accepted = services.case_accept(case=case, clerk=clerk_a)
    assert accepted.case.status == CaseStatus.ACCEPTED and accepted.case.number


def test_a_clerk_of_another_department_cannot_file_a_walk_in_case(clerk_b, item):
    with pytest.raises(DomainError) as caught:
        services.case_walk_in_file(clerk=clerk_b, person=person(5), item=item, form_data=FORM, materials=[])
    assert caught.value.status == 403
    assert not Case.objects.exists()


def test_the_applicant_withdraws_before_acceptance_with_a_reason(citizen, item):
    case = case_in_state("submitted", user=citizen, item=item)
    with pytest.raises(DomainError):
        services.case_withdraw(case=case, actor=citizen, reason=" ")
    case = services.case_withdraw(case=case, actor=citizen, reason="不再需要")
    assert case.status == CaseStatus.WITHDRAWN


def test_an_accepted_case_cannot_be_withdrawn(citizen, item, clerk_a):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    with pytest.raises(DomainError) as caught:
        services.case_withdraw(case=case, actor=citizen, reason="不再需要")
    assert (caught.value.status, caught.value.code) == (409, "case_state_conflict")


def test_a_walk_in_case_missing_a_material_is_refused_and_leaves_no_file(clerk_a, item, media_root):
    with pytest.raises(DomainError) as caught:
        services.case_walk_in_file(
            clerk=clerk_a,
            person=person(5),
            item=item,
            form_data=FORM,
            materials=[(material_of(item, "id-card"), upload())],
        )
    assert [p.field for p in caught.value.problems] == ["materials.application-form"]
    assert not Case.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]
