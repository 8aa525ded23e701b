"""Trust level D — 证明事项告知承诺制 (国办发〔2020〕42号): a material replaced by a signed pledge, the
department's post-check, and a false pledge revoking the approval and its licence and marking the applicant."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import (
    CaseStatus,
    EventAction,
    FalsePledge,
    PledgeCheck,
    PledgeCheckStatus,
    TrustLevel,
)
from onewindow.cases.tests.factories import PLEDGE, material_of, pledge_item_of, pledged_and_submitted, upload
from onewindow.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge_item(department_a):
    return pledge_item_of(department_a)


@pytest.fixture
def approved(at, citizen, pledge_item, clerk_a, approver_a):
    case = pledged_and_submitted(citizen, pledge_item)
    services.case_accept(case=case, clerk=clerk_a)
    return services.case_conclude(case=case, actor=approver_a, code=0, result="许可证")


def test_a_signed_pledge_replaces_the_material_at_trust_level_d(at, citizen, pledge_item):
    case = pledged_and_submitted(citizen, pledge_item)
    row = case.materials.get(material__key="no-crime-record")
    assert (row.trust_level, row.pledge_text, row.file.name) == (TrustLevel.D, PLEDGE, "")
    assert row.pledged_at is not None
    assert case.status == CaseStatus.SUBMITTED


def test_a_pledge_needs_the_applicants_acceptance(citizen, pledge_item):
    case = services.case_start(user=citizen, item=pledge_item)
    with pytest.raises(DomainError) as caught:
        services.case_material_pledge(
            case=case, user=citizen, material=material_of(pledge_item, "no-crime-record"), accepted=False
        )
    assert caught.value.code == "pledge_not_accepted"
    assert not case.materials.exists()


def test_a_material_the_catalogue_does_not_allow_cannot_be_pledged(citizen, pledge_item):
    case = services.case_start(user=citizen, item=pledge_item)
    with pytest.raises(DomainError) as caught:
        services.case_material_pledge(
            case=case, user=citizen, material=material_of(pledge_item, "id-card"), accepted=True
        )
    assert caught.value.code == "pledge_not_allowed"


def test_acceptance_creates_a_post_check_for_the_department(at, citizen, pledge_item, clerk_a):
    at("2026-09-29")
    case = pledged_and_submitted(citizen, pledge_item)
    services.case_accept(case=case, clerk=clerk_a)
    check = PledgeCheck.objects.get(case=case)
    # 20 working days from 09-29 over the National Day holiday: 09-30, 10-08, 10-09, 10-10 (make-up Saturday),
    # 10-12 … 10-16, 10-19 … 10-23, 10-26 … 10-30, 11-02.
    assert (check.department_id, check.status, str(check.due_on)) == (
        case.department_id,
        PledgeCheckStatus.OPEN,
        "2026-11-02",
    )


def test_the_post_check_is_listed_on_the_workbench(client_as, clerk_a, approved, clerk_b):
    page = client_as(clerk_a).get(reverse("cases_staff:pledge_checks")).content.decode()
    assert approved.number in page and "无犯罪记录证明" in page
    other = client_as(clerk_b).get(reverse("cases_staff:pledge_checks")).content.decode()
    assert approved.number not in other


def test_another_department_cannot_record_a_check(client_as, clerk_b, approved):
    check = PledgeCheck.objects.get(case=approved)
    response = client_as(clerk_b).post(
        reverse("cases_staff:pledge_check_action", args=[check.pk, "confirmed"]), {"finding": "x"}
    )
    assert response.status_code == 403
    check.refresh_from_db()
    assert check.status == PledgeCheckStatus.OPEN


def test_a_true_pledge_is_confirmed(clerk_a, approved):
    check = services.pledge_check_confirm(
        check=PledgeCheck.objects.get(case=approved), user=clerk_a, finding="经公安部门核查属实"
    )
    assert check.status == PledgeCheckStatus.CONFIRMED
    assert approved.events.filter(action=EventAction.PLEDGE_CHECKED).exists()


def test_a_false_pledge_revokes_the_decision_and_marks_the_applicant(approver_a, approved):
    services.pledge_check_record_false(
        check=PledgeCheck.objects.get(case=approved),
        user=approver_a,
        finding="经公安部门核查，申请人有犯罪记录",
    )
    approved.refresh_from_db()
    assert approved.decision_revoked_at is not None and "虚假承诺" in approved.decision_revoked_reason
    assert approved.events.filter(action=EventAction.DECISION_REVOKED).exists()
    record = FalsePledge.objects.get()
    assert (record.person, record.material_name) == (approved.applicant, "无犯罪记录证明")


def test_only_an_approver_may_record_a_false_pledge(clerk_a, approved):
    with pytest.raises(DomainError) as caught:
        services.pledge_check_record_false(
            check=PledgeCheck.objects.get(case=approved), user=clerk_a, finding="不实"
        )
    assert caught.value.status == 403
    assert not FalsePledge.objects.exists()


def test_the_clerk_sees_the_record_on_a_later_application(
    client_as, citizen, pledge_item, clerk_a, approver_a, approved
):
    services.pledge_check_record_false(
        check=PledgeCheck.objects.get(case=approved), user=approver_a, finding="有犯罪记录"
    )
    later = services.case_start(user=citizen, item=pledge_item)
    services.case_material_attach(
        case=later, user=citizen, material=material_of(pledge_item, "id-card"), upload=upload()
    )
    # The pledge system no longer applies to this applicant: they provide the material itself.
    with pytest.raises(DomainError) as caught:
        services.case_material_pledge(
            case=later, user=citizen, material=material_of(pledge_item, "no-crime-record"), accepted=True
        )
    assert (caught.value.status, caught.value.code) == (403, "pledge_barred")
    services.case_material_attach(
        case=later, user=citizen, material=material_of(pledge_item, "no-crime-record"), upload=upload()
    )
    services.case_submit(case=later, actor=citizen)
    page = client_as(clerk_a).get(reverse("cases_staff:case_detail", args=[later.pk])).content.decode()
    assert "有犯罪记录" in page and approved.number in page


def test_the_applicant_signs_the_pledge_on_the_case_page(client_as, citizen, pledge_item):
    case = services.case_start(user=citizen, item=pledge_item)
    client = client_as(citizen)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert PLEDGE in page
    refused = client.post(reverse("cases:material_pledge", args=[case.pk]), {"material": "no-crime-record"})
    assert refused.status_code == 400 and not case.materials.exists()
    response = client.post(
        reverse("cases:material_pledge", args=[case.pk]), {"material": "no-crime-record", "accept": "yes"}
    )
    assert response.status_code == 302
    assert case.materials.get().trust_level == TrustLevel.D


def test_the_workbench_home_counts_the_open_and_overdue_checks(at, client_as, clerk_a, approved):
    at("2026-12-31")
    page = client_as(clerk_a).get(reverse("workbench:home")).content.decode()
    assert "1 项承诺待核查" in page and "1 项已逾期" in page


def test_the_api_takes_a_pledge_and_refuses_one_not_accepted(client_as, citizen, pledge_item):
    case = services.case_start(user=citizen, item=pledge_item)
    client, url = client_as(citizen), f"/api/v1/cases/{case.pk}/pledges"
    body = {"material_id": str(material_of(pledge_item, "no-crime-record").pk), "accept": False}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "pledge_not_accepted"
    made = client.post(url, body | {"accept": True}, content_type="application/json")
    assert made.status_code == 201, made.content
    assert (made.json()["trust_level"], made.json()["pledge_text"]) == ("D", PLEDGE)
