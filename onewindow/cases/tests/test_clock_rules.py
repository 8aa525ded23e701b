"""行政许可法 clock rules across the 2026 National Day holiday, with exact dates.

The seeded calendar: 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked, so the working days around the
holiday are Mon 09-28, Tue 09-29, Wed 09-30 | Thu 10-08, Fri 10-09, Sat 10-10, Mon 10-12, Tue 10-13,
Wed 10-14, Thu 10-15, Fri 10-16, Mon 10-19, Tue 10-20. The test item promises a decision in 5 working days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.cases import services
from onewindow.cases.models import CaseStatus, ConclusionCode, EventAction, ExtensionStatus, ProcedureKind
from onewindow.cases.notices import notice_html, notice_kinds_available, notice_pdf
from onewindow.cases.staff_views import case_urgency
from onewindow.cases.tests.factories import case_in_state, material_of, upload
from onewindow.core.errors import DomainError
from onewindow.workdays.calendar import WorkCalendar

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def _received(case):
    return timezone.localdate(case.received_at)


# --- deemed acceptance (视为受理, art. 32) --------------------------------------------------------------


def test_the_pre_review_window_runs_over_the_holiday(at, citizen, item):
    at("2026-09-29")
    case = case_in_state("submitted", user=citizen, item=item)
    # 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12.
    assert case.intake_due_on == D("2026-10-12")


def test_a_case_left_undecided_is_accepted_from_the_day_of_receipt(at, citizen, item):
    at("2026-09-29")
    case = case_in_state("submitted", user=citizen, item=item)
    at("2026-10-12")
    assert services.case_deemed_accept_overdue() == 0  # the last day of the window is the clerk's
    at("2026-10-13")
    assert services.case_deemed_accept_overdue() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.accepted_by_default
    assert timezone.localdate(case.accepted_at) == D("2026-09-29")
    assert (case.deadline.start_on, case.due_on) == (D("2026-09-29"), D("2026-10-12"))


def test_a_resubmission_left_undecided_is_accepted_five_working_days_after_it(at, citizen, item, clerk_a):
    at("2026-09-28")
    case = case_in_state("submitted", user=citizen, item=item)
    at("2026-09-29")
    services.case_correction_request(
        case=case, clerk=clerk_a, problems=[(material_of(item, "id-card"), "身份证复印件不清晰")]
    )
    services.case_material_attach(
        case=case, user=citizen, material=material_of(item, "id-card"), upload=upload("id-card-2.pdf")
    )
    at("2026-09-30")
    case = services.case_resubmit(case=case, actor=citizen)
    # Five working days from the resubmission: 10-08, 10-09, 10-10, 10-12, 10-13.
    assert case.intake_due_on == D("2026-10-13")
    at("2026-10-13")
    assert services.case_deemed_accept_overdue() == 0
    at("2026-10-14")
    assert services.case_deemed_accept_overdue() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.accepted_by_default
    # Accepted in law on the day the corrected materials arrived, not on the first receipt (09-28).
    assert timezone.localdate(case.accepted_at) == D("2026-09-30")
    assert (case.deadline.start_on, case.due_on) == (D("2026-09-30"), D("2026-10-13"))
    assert case.events.filter(action=EventAction.ACCEPTED_BY_DEFAULT).exists()


def test_a_late_manual_acceptance_counts_the_clock_from_the_day_of_receipt(at, citizen, item, clerk_a):
    at("2026-09-30")
    case = case_in_state("submitted", user=citizen, item=item)
    assert case.intake_due_on == D("2026-10-13")
    at("2026-10-14")
    case = services.case_accept(case=case, clerk=clerk_a).case
    case.refresh_from_db()
    assert case.accepted_late and not case.accepted_by_default
    assert timezone.localdate(case.accepted_at) == D("2026-10-14")
    # 5 working days from receipt on 09-30: 10-08, 10-09, 10-10, 10-12, 10-13 — already overdue.
    assert (case.deadline.start_on, case.due_on) == (D("2026-09-30"), D("2026-10-13"))
    assert "自收件之日（2026-09-30）起计算" in case.events.get(action=EventAction.ACCEPTED).note


def test_an_acceptance_in_time_counts_the_clock_from_the_day_of_acceptance(at, citizen, item, clerk_a):
    at("2026-09-30")
    case = case_in_state("submitted", user=citizen, item=item)
    at("2026-10-13")
    case = services.case_accept(case=case, clerk=clerk_a).case
    case.refresh_from_db()
    assert not case.accepted_late
    # 10-14, 10-15, 10-16, 10-19, 10-20.
    assert (case.deadline.start_on, case.due_on) == (D("2026-10-13"), D("2026-10-20"))


def test_a_refusal_after_the_pre_review_window_is_refused(at, citizen, item, clerk_a):
    at("2026-09-29")
    case = case_in_state("submitted", user=citizen, item=item)
    at("2026-10-13")
    with pytest.raises(DomainError) as caught:
        services.case_refuse(case=case, clerk=clerk_a, reason="不属于本机关职权范围")
    assert (caught.value.status, caught.value.code) == (409, "refusal_window_closed")
    assert "2026-10-12" in caught.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.refusal_reason == ""


def test_a_refusal_on_the_last_day_of_the_window_is_allowed(at, citizen, item, clerk_a):
    at("2026-09-29")
    case = case_in_state("submitted", user=citizen, item=item)
    at("2026-10-12")
    case = services.case_refuse(case=case, clerk=clerk_a, reason="不属于本机关职权范围")
    assert case.status == CaseStatus.NOT_ACCEPTED


# --- special procedures (art. 45) ------------------------------------------------------------------------


@pytest.fixture
def accepted(at, citizen, item, clerk_a):
    at("2026-09-29")
    return case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)


def test_a_special_procedure_records_its_expected_duration_over_the_holiday(at, accepted, reviewer_a):
    at("2026-09-30")
    procedure = services.case_suspend(
        case=accepted,
        actor=reviewer_a,
        kind=ProcedureKind.TESTING,
        reason="样品送省食品检验所检验",
        basis="《食品安全法》第八十七条",
        expected_working_days=5,
    )
    # The start day counts: 09-30, 10-08, 10-09, 10-10, 10-12.
    assert (procedure.expected_working_days, procedure.expected_end_on) == (5, D("2026-10-12"))
    assert "预计需 5 个工作日（至 2026-10-12）" in accepted.events.get(action=EventAction.SUSPENDED).note


def test_a_special_procedure_needs_an_expected_duration(at, accepted, reviewer_a):
    with pytest.raises(DomainError) as caught:
        services.case_suspend(
            case=accepted,
            actor=reviewer_a,
            kind=ProcedureKind.HEARING,
            reason="听证",
            basis="第四十七条",
            expected_working_days=0,
        )
    assert caught.value.code == "procedure_expected_days_invalid"
    assert not accepted.special_procedures.exists()


def test_the_applicant_gets_a_written_notice_of_the_special_procedure(at, accepted, reviewer_a):
    at("2026-09-30")
    services.case_suspend(
        case=accepted,
        actor=reviewer_a,
        kind=ProcedureKind.EXPERT_REVIEW,
        reason="需组织专家评审工艺流程",
        basis="《行政许可法》第四十五条",
        expected_working_days=5,
    )
    accepted.refresh_from_db()
    assert "procedure" in notice_kinds_available(accepted)
    html = notice_html(accepted, "procedure")
    assert "需组织专家评审工艺流程" in html and "2026年10月12日" in html and "专家评审" in html
    assert notice_pdf(accepted, "procedure").startswith(b"%PDF-")


# --- extensions need the head of the agency (art. 42) -----------------------------------------------------


def test_an_extension_waits_for_the_head_of_the_agency(at, accepted, reviewer_a, approver_a, head_a):
    at("2026-10-08")
    request = services.case_extension_request(
        case=accepted, requester=reviewer_a, working_days=2, reason="需征求卫健部门意见", basis="第四十二条"
    )
    accepted.refresh_from_db()
    assert (request.status, accepted.due_on) == (ExtensionStatus.PENDING, D("2026-10-12"))
    with pytest.raises(DomainError) as caught:
        services.case_extension_decide(request=request, head=approver_a, approve=True)
    assert caught.value.status == 403
    services.case_extension_decide(request=request, head=head_a, approve=True, note="同意")
    accepted.refresh_from_db()
    # 10-12 + 2 working days: 10-13, 10-14.
    assert (accepted.due_on, accepted.extended_days) == (D("2026-10-14"), 2)


def test_a_refused_extension_leaves_the_due_date_and_needs_an_opinion(at, accepted, reviewer_a, head_a):
    request = services.case_extension_request(
        case=accepted, requester=reviewer_a, working_days=2, reason="材料复杂", basis="第四十二条"
    )
    with pytest.raises(DomainError) as caught:
        services.case_extension_decide(request=request, head=head_a, approve=False)
    assert caught.value.code == "extension_refusal_note_required"
    request = services.case_extension_decide(
        request=request, head=head_a, approve=False, note="理由不充分，请按期办结"
    )
    accepted.refresh_from_db()
    assert (request.status, accepted.due_on, accepted.extended_days) == (
        ExtensionStatus.REFUSED,
        D("2026-10-12"),
        0,
    )


def test_only_one_extension_request_may_wait_at_a_time(accepted, reviewer_a):
    services.case_extension_request(
        case=accepted, requester=reviewer_a, working_days=2, reason="材料复杂", basis="第四十二条"
    )
    with pytest.raises(DomainError) as caught:
        services.case_extension_request(
            case=accepted, requester=reviewer_a, working_days=1, reason="再延", basis="第四十二条"
        )
    assert (caught.value.status, caught.value.code) == (409, "extension_pending")


def test_an_extension_after_the_due_date_is_refused(at, accepted, reviewer_a):
    at("2026-10-13")  # due 10-12
    with pytest.raises(DomainError) as caught:
        services.case_extension_request(
            case=accepted, requester=reviewer_a, working_days=2, reason="材料复杂", basis="第四十二条"
        )
    assert (caught.value.status, caught.value.code) == (409, "extension_too_late")


def test_fifteen_extra_days_only_for_joint_handling(accepted, reviewer_a):
    with pytest.raises(DomainError) as caught:
        services.case_extension_request(
            case=accepted, requester=reviewer_a, working_days=15, reason="联合审查", basis="第四十二条"
        )
    assert caught.value.code == "extension_too_long"


# --- the written denial (art. 38) -------------------------------------------------------------------------


@pytest.fixture
def denied(at, accepted, approver_a):
    at("2026-09-30")
    return services.case_conclude(
        case=accepted,
        actor=approver_a,
        code=ConclusionCode.DENIED,
        reason="经现场核查，经营场所与有毒有害场所的距离不符合《食品经营许可管理办法》第十二条",
    )


def test_a_denial_produces_a_written_decision_with_the_remedies(denied):
    assert "denial" in notice_kinds_available(denied)
    html = notice_html(denied, "denial")
    assert "经营场所与有毒有害场所的距离不符合" in html
    assert "60" in html and "6" in html and "行政复议" in html and "行政诉讼" in html
    assert f"{denied.department.region.name}人民政府" in html
    assert notice_pdf(denied, "denial").startswith(b"%PDF-")
    assert denied.delivery_deadline is None  # art. 44 concerns licences


def test_the_denial_is_listed_on_the_case_and_in_my_cases(client_as, citizen, denied):
    client = client_as(citizen)
    url = reverse("cases:notice", args=[denied.pk, "denial"])
    assert url in client.get(reverse("cases:case", args=[denied.pk])).content.decode()
    assert url in client.get(reverse("cases:mine")).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")


def test_another_citizen_cannot_download_the_denial(client_as, another_citizen, denied):
    response = client_as(another_citizen).get(reverse("cases:notice", args=[denied.pk, "denial"]))
    assert response.status_code == 404


def test_an_approved_case_has_no_denial_notice(client_as, citizen, accepted, approver_a):
    services.case_conclude(case=accepted, actor=approver_a, code=0, result="食品经营许可证 JY001")
    response = client_as(citizen).get(reverse("cases:notice", args=[accepted.pk, "denial"]))
    assert response.status_code == 404


# --- licence delivery within 10 working days (art. 44) ----------------------------------------------------


@pytest.fixture
def approved(at, accepted, approver_a):
    at("2026-09-30")
    return services.case_conclude(case=accepted, actor=approver_a, code=0, result="食品经营许可证 JY001")


def test_the_delivery_clock_starts_at_the_decision_and_skips_the_holiday(approved):
    # 10-08, 10-09, 10-10, 10-12, 10-13, 10-14, 10-15, 10-16, 10-19, 10-20.
    assert (approved.delivery_deadline.start_on, approved.delivery_due_on) == (
        D("2026-09-30"),
        D("2026-10-20"),
    )
    assert "2026-10-20 前送达" in approved.events.get(action=EventAction.CONCLUDED).note


def test_the_delivery_clock_warns_when_near_and_flags_when_overdue(at, approved):
    calendar = WorkCalendar()
    assert case_urgency(approved, calendar, D("2026-10-14")).level == ""
    assert case_urgency(approved, calendar, D("2026-10-19")).level == "soon"
    assert case_urgency(approved, calendar, D("2026-10-20")).level == "soon"
    assert case_urgency(approved, calendar, D("2026-10-21")).level == "overdue"


def test_an_overdue_delivery_is_listed_on_the_workbench(at, client_as, clerk_a, approved):
    client = client_as(clerk_a)
    at("2026-10-20")
    assert approved.number not in client.get(reverse("cases_staff:queue") + "?tab=overdue").content.decode()
    at("2026-10-21")
    page = client.get(reverse("cases_staff:queue") + "?tab=overdue").content.decode()
    assert approved.number in page


def test_a_delivered_licence_leaves_the_overdue_list(at, client_as, clerk_a, approved):
    services.case_deliver(case=approved, actor=clerk_a, method="electronic")
    at("2026-10-21")
    page = client_as(clerk_a).get(reverse("cases_staff:queue") + "?tab=overdue").content.decode()
    assert approved.number not in page


def test_the_staff_page_shows_the_delivery_due_date(client_as, clerk_a, approved):
    page = client_as(clerk_a).get(reverse("cases_staff:case_detail", args=[approved.pk])).content.decode()
    assert "2026-10-20" in page


def test_the_applicant_sees_the_delivery_due_date(client_as, citizen, approved):
    page = client_as(citizen).get(reverse("cases:case", args=[approved.pk])).content.decode()
    assert "2026-10-20" in page
