"""The whole-case legal clock on the seeded 2026 calendar: National Day 10-01..10-07 off, Saturday 10-10 and
Sunday 09-20 worked. Accepted Tuesday 29 September with 5 working days: 09-30, 10-08, 10-09, 10-10, 10-12."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from onewindow.cases import services
from onewindow.cases.models import CaseEvent, CaseMessage, CaseStatus, EventAction, ProcedureKind
from onewindow.cases.tests.factories import case_extend_approved, case_in_state, case_item
from onewindow.catalogue.models import CaseType
from onewindow.core.errors import DomainError

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


@pytest.fixture
def accepted(at, citizen, item, clerk_a):
    at("2026-09-29")
    return case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)


def test_the_due_date_skips_the_national_day_holidays_and_counts_the_make_up_saturday(accepted):
    assert accepted.deadline.start_on == D("2026-09-29")
    assert accepted.due_on == D("2026-10-12")


def test_a_special_procedure_moves_the_due_date_by_its_working_days(at, accepted, reviewer_a):
    at("2026-10-08")
    services.case_suspend(
        case=accepted,
        actor=reviewer_a,
        kind=ProcedureKind.HEARING,
        reason="申请人要求听证",
        basis="《行政许可法》第四十七条",
        expected_working_days=2,
    )
    at("2026-10-09")
    case = services.case_resume(case=accepted, actor=reviewer_a)
    # 10-08 and 10-09 are not counted: 09-30, 10-10, 10-12, 10-13, 10-14.
    assert (case.status, case.due_on) == (CaseStatus.IN_PROCESS, D("2026-10-14"))
    procedure = case.special_procedures.get()
    assert (procedure.started_on, procedure.ended_on, procedure.pause.end_on) == (
        D("2026-10-08"),
        D("2026-10-09"),
        D("2026-10-09"),
    )


def test_a_suspended_case_records_the_basis_of_its_procedure(at, accepted, reviewer_a):
    at("2026-10-08")
    services.case_suspend(
        case=accepted,
        actor=reviewer_a,
        kind=ProcedureKind.TESTING,
        reason="送检",
        basis="《食品安全法》第八十七条",
        expected_working_days=10,
    )
    event = CaseEvent.objects.get(case=accepted, action=EventAction.SUSPENDED)
    assert (event.to_status, event.basis) == (CaseStatus.SUSPENDED, "《食品安全法》第八十七条")


def test_an_extension_adds_working_days_and_tells_the_applicant_why(
    at, accepted, approver_a, head_a, django_capture_on_commit_callbacks
):
    at("2026-10-09")
    with django_capture_on_commit_callbacks(execute=True):
        case_extend_approved(
            accepted,
            requester=approver_a,
            head=head_a,
            working_days=3,
            reason="需征求消防部门意见",
            basis="《行政许可法》第四十二条",
        )
    accepted.refresh_from_db()
    assert (accepted.due_on, accepted.extended_days) == (D("2026-10-15"), 3)
    event = CaseEvent.objects.get(case=accepted, action=EventAction.EXTENDED)
    assert event.public and "需征求消防部门意见" in event.note and event.actor == head_a
    assert "需征求消防部门意见" in CaseMessage.objects.get(case=accepted, event=EventAction.EXTENDED).text


def test_extensions_beyond_ten_working_days_in_all_are_refused(accepted, approver_a, head_a):
    case_extend_approved(
        accepted, requester=approver_a, head=head_a, working_days=8, reason="材料复杂", basis="第四十二条"
    )
    with pytest.raises(DomainError) as caught:
        services.case_extension_request(
            case=accepted, requester=approver_a, working_days=3, reason="仍需核查", basis="第四十二条"
        )
    assert caught.value.code == "extension_too_long"
    assert "最多可延期 2 个工作日" in caught.value.message


def test_joint_handling_may_be_extended_by_fifteen_working_days(
    at, citizen, clerk_a, approver_a, head_a, department_a, department_b
):
    item = case_item(department=department_a, joint_departments=[department_b])
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    case = case_extend_approved(
        case, requester=approver_a, head=head_a, working_days=15, reason="联合审查", basis="第四十二条"
    )
    assert case.extended_days == 15


def test_a_window_clerk_may_not_ask_for_an_extension(accepted, clerk_a):
    with pytest.raises(DomainError) as caught:
        services.case_extension_request(
            case=accepted, requester=clerk_a, working_days=1, reason="x", basis="y"
        )
    assert caught.value.status == 403


def test_an_immediate_case_is_due_and_concluded_on_the_day_of_acceptance(at, citizen, clerk_a, department_a):
    at("2026-09-30")
    item = case_item(department=department_a, case_type=CaseType.IMMEDIATE, promised_days=0)
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    assert case.due_on == D("2026-09-30")
    case = services.case_conclude(case=case, actor=clerk_a, code=0, result="准予许可决定书 闽食许〔2026〕1号")
    assert case.status == CaseStatus.CONCLUDED
    assert timezone.localdate(case.concluded_at) == case.due_on


def test_a_promised_case_is_not_concluded_by_the_window_clerk(accepted, clerk_a):
    with pytest.raises(DomainError) as caught:
        services.case_conclude(case=accepted, actor=clerk_a, code=0, result="准予许可")
    assert caught.value.status == 403


def test_a_denial_needs_a_reason(accepted, approver_a):
    with pytest.raises(DomainError) as caught:
        services.case_conclude(case=accepted, actor=approver_a, code=1)
    assert caught.value.code == "conclusion_reason_required"


def test_a_concluded_case_is_delivered_by_post_with_its_tracking_number(accepted, approver_a, clerk_a):
    services.case_conclude(
        case=accepted, actor=approver_a, code=1, reason="经营场所不符合《食品经营许可管理办法》第十一条"
    )
    with pytest.raises(DomainError) as caught:
        services.case_deliver(case=accepted, actor=clerk_a, method="post", address="福州市鼓楼区某路1号")
    assert caught.value.code == "delivery_tracking_required"
    case = services.case_deliver(
        case=accepted,
        actor=clerk_a,
        method="post",
        address="福州市鼓楼区某路1号",
        tracking_number="SF1234567890",
    )
    assert (case.status, case.tracking_number, case.conclusion_code) == (
        CaseStatus.DELIVERED,
        "SF1234567890",
        1,
    )
