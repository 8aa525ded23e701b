"""Pre-review and correction (补齐补正): one notice naming every problem, only materials of the guide, within 5
working days of receipt; after that the case counts as accepted from the receipt date; never corrected →
returned."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus, CorrectionRequest, EventAction, MaterialStatus
from onewindow.cases.tests.factories import case_in_state, case_item, material_of, upload
from onewindow.core.errors import DomainError

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def submitted(at, citizen, item):
    at("2026-09-29")
    return case_in_state("submitted", user=citizen, item=item)


def test_a_notice_naming_a_material_not_in_the_guide_is_refused(submitted, clerk_a, department_a):
    other_item = case_item(department=department_a, name="另一事项")
    with pytest.raises(DomainError) as caught:
        services.case_correction_request(
            case=submitted,
            clerk=clerk_a,
            problems=[
                (material_of(submitted.item, "id-card"), "复印件不清晰"),
                (material_of(other_item, "application-form"), "另需提交"),
            ],
        )
    assert caught.value.code == "correction_material_not_in_guide"
    assert not CorrectionRequest.objects.exists()
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.SUBMITTED


def test_every_problem_goes_in_one_notice_and_the_named_files_are_marked_defective(submitted, clerk_a):
    id_card, form = material_of(submitted.item, "id-card"), material_of(submitted.item, "application-form")
    notice = services.case_correction_request(
        case=submitted, clerk=clerk_a, problems=[(id_card, "复印件不清晰"), (form, "未签名")]
    )
    assert [i["problem"] for i in notice.items] == ["复印件不清晰", "未签名"]
    assert set(submitted.materials.values_list("status", flat=True)) == {MaterialStatus.DEFECTIVE}
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.CORRECTION_REQUESTED


def test_a_second_notice_is_refused(submitted, clerk_a, citizen):
    id_card = material_of(submitted.item, "id-card")
    services.case_correction_request(case=submitted, clerk=clerk_a, problems=[(id_card, "复印件不清晰")])
    services.case_material_attach(case=submitted, user=citizen, material=id_card, upload=upload("new.pdf"))
    services.case_resubmit(case=submitted, actor=citizen)
    with pytest.raises(DomainError) as caught:
        services.case_correction_request(case=submitted, clerk=clerk_a, problems=[(id_card, "仍不清晰")])
    assert caught.value.code == "correction_already_requested"


def test_the_notice_must_be_sent_within_five_working_days_of_receipt(at, submitted, clerk_a):
    at("2026-10-13")  # the 5th working day after 09-29 is 10-12
    with pytest.raises(DomainError) as caught:
        services.case_correction_request(
            case=submitted, clerk=clerk_a, problems=[(material_of(submitted.item, "id-card"), "不清晰")]
        )
    assert caught.value.code == "correction_window_closed"


def test_resubmitting_needs_a_new_file_for_each_material_on_the_notice(submitted, clerk_a, citizen):
    id_card = material_of(submitted.item, "id-card")
    services.case_correction_request(case=submitted, clerk=clerk_a, problems=[(id_card, "复印件不清晰")])
    with pytest.raises(DomainError) as caught:
        services.case_resubmit(case=submitted, actor=citizen)
    assert [p.field for p in caught.value.problems] == ["materials.id-card"]
    services.case_material_attach(case=submitted, user=citizen, material=id_card, upload=upload("clear.pdf"))
    case = services.case_resubmit(case=submitted, actor=citizen)
    assert case.status == CaseStatus.SUBMITTED
    assert case.correction_requests.get().resolved_at is not None
    assert case.events.filter(action=EventAction.RESUBMITTED).exists()


def test_without_a_notice_within_five_working_days_the_case_counts_as_accepted_from_receipt(at, submitted):
    at("2026-10-12")
    assert services.case_deemed_accept_overdue() == 0
    at("2026-10-13")
    assert services.case_deemed_accept_overdue() == 1
    case = Case.objects.get(pk=submitted.pk)
    assert (case.status, case.accepted_by_default, case.accepted_at) == (
        CaseStatus.ACCEPTED,
        True,
        case.submitted_at,
    )
    assert case.deadline.start_on == D("2026-09-29") and case.due_on == D("2026-10-12")
    assert case.number.endswith("2026092900001")


def test_a_case_with_a_notice_is_never_accepted_by_default(at, submitted, clerk_a):
    services.case_correction_request(
        case=submitted, clerk=clerk_a, problems=[(material_of(submitted.item, "id-card"), "不清晰")]
    )
    at("2026-10-20")
    assert services.case_deemed_accept_overdue() == 0


def test_an_application_never_corrected_is_returned_after_the_period(at, settings, submitted, clerk_a):
    settings.ONEWINDOW_CORRECTION_PERIOD_DAYS = 3
    notice = services.case_correction_request(
        case=submitted, clerk=clerk_a, problems=[(material_of(submitted.item, "id-card"), "不清晰")]
    )
    assert notice.deadline_on == D("2026-10-09")
    at("2026-10-09")
    assert services.cases_withdraw_uncorrected() == 0
    at("2026-10-10")
    assert services.cases_withdraw_uncorrected() == 1
    assert Case.objects.get(pk=submitted.pk).status == CaseStatus.WITHDRAWN


def test_only_a_window_clerk_of_the_department_sends_a_notice(submitted, clerk_b):
    with pytest.raises(DomainError) as caught:
        services.case_correction_request(
            case=submitted, clerk=clerk_b, problems=[(material_of(submitted.item, "id-card"), "不清晰")]
        )
    assert caught.value.status == 403
