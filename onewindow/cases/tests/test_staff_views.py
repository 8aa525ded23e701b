"""The cases workbench: who may see and act (matrix), the queue, pre-review with correction, acceptance with
the one-time password, two clerks at once (409 shown on the page), the clock actions and walk-in filing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus, CorrectionRequest, TrustLevel
from onewindow.cases.tests.factories import PDF_BYTES, case_in_state, case_item, material_of, upload
from onewindow.cases.walk_in_views import WALK_IN_SESSION_KEY
from onewindow.identity.models import Person
from tests.factories import person, valid_citizen_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(at, citizen, item):
    return case_in_state("submitted", user=citizen, item=item)


def detail_url(case):
    return reverse("cases_staff:case_detail", args=[case.pk])


def action_url(case, action):
    return reverse("cases_staff:case_action", args=[case.pk, action])


def refreshed(case):
    return Case.objects.get(pk=case.pk)


# --- who may see and act ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, submitted):
    for url in (reverse("cases_staff:queue"), detail_url(submitted), reverse("cases_staff:walk_in")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_citizen_without_a_staff_role_is_refused(client_as, citizen, submitted):
    assert client_as(citizen).get(reverse("cases_staff:queue")).status_code == 403


def test_another_departments_clerk_can_neither_see_nor_act(client_as, clerk_b, submitted):
    client = client_as(clerk_b)
    assert client.get(detail_url(submitted)).status_code == 403
    response = client.post(action_url(submitted, "accept"), {"expected_version": submitted.version})
    assert response.status_code == 403
    assert refreshed(submitted).status == CaseStatus.SUBMITTED
    pdf = reverse("cases_staff:case_notice", args=[submitted.pk, "correction"])
    assert client.get(pdf).status_code == 403


def test_another_departments_queue_does_not_list_the_case(client_as, clerk_b, submitted):
    response = client_as(clerk_b).get(reverse("cases_staff:queue"))
    assert response.status_code == 200 and detail_url(submitted) not in response.content.decode()


def test_a_reviewer_is_not_offered_acceptance_and_cannot_accept(client_as, reviewer_a, submitted):
    client = client_as(reviewer_a)
    page = client.get(detail_url(submitted)).content.decode()
    assert action_url(submitted, "accept") not in page
    response = client.post(action_url(submitted, "accept"), {"expected_version": submitted.version})
    assert response.status_code == 403
    assert refreshed(submitted).status == CaseStatus.SUBMITTED


# --- the queue ----------------------------------------------------------------------------------------------


def test_the_queue_lists_waiting_cases_with_the_applicant_name_masked(client_as, clerk_a, submitted):
    page = client_as(clerk_a).get(reverse("cases_staff:queue")).content.decode()
    assert detail_url(submitted) in page
    assert "张*" in page and "张三" not in page


def test_the_queue_tabs_filter_by_state(client_as, clerk_a, submitted):
    client = client_as(clerk_a)
    assert (
        detail_url(submitted) not in client.get(reverse("cases_staff:queue") + "?tab=open").content.decode()
    )
    assert detail_url(submitted) in client.get(reverse("cases_staff:queue") + "?tab=all").content.decode()


def test_the_queue_finds_a_case_by_number(client_as, clerk_a, submitted, another_citizen, item):
    accepted = case_in_state("accepted", user=another_citizen, item=item, clerk=clerk_a)
    page = client_as(clerk_a).get(reverse("cases_staff:queue"), {"tab": "all", "q": accepted.number}).content
    assert detail_url(accepted) in page.decode() and detail_url(submitted) not in page.decode()


def test_an_overdue_pre_review_is_marked_red(client_as, clerk_a, submitted, at):
    at("2026-10-20")  # received 29 September: the 5 working days ran out over National Day
    page = client_as(clerk_a).get(reverse("cases_staff:queue")).content.decode()
    assert "row-overdue" in page


def test_the_last_day_of_pre_review_is_marked_amber(client_as, clerk_a, submitted, at):
    at(str(refreshed(submitted).intake_due_on))
    assert "row-soon" in client_as(clerk_a).get(reverse("cases_staff:queue")).content.decode()


def test_the_queue_costs_the_same_queries_for_more_cases(client_as, clerk_a, citizen, item, at):
    client = client_as(clerk_a)
    case_in_state("submitted", user=citizen, item=item)
    url = reverse("cases_staff:queue")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        case_in_state("submitted", user=citizen, item=item)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few) <= 14


# --- pre-review and correction ------------------------------------------------------------------------------


def test_the_case_page_shows_the_form_materials_and_trust_levels(client_as, clerk_a, submitted):
    page = client_as(clerk_a).get(detail_url(submitted)).content.decode()
    assert "申请人姓名" in page and "张三" in page  # the form, read-only from the schema titles
    assert "id-card.pdf" in page and 'class="trust trust-C"' in page
    assert submitted.applicant.id_number_masked in page and submitted.applicant.id_number not in page


def test_a_correction_lists_guide_materials_with_their_problems(client_as, clerk_a, submitted, item):
    card, form = material_of(item, "id-card"), material_of(item, "application-form")
    response = client_as(clerk_a).post(
        action_url(submitted, "correction"),
        {
            "expected_version": submitted.version,
            "material": [str(card.pk), str(form.pk)],
            f"problem_{card.pk}": "复印件不清晰",
            f"problem_{form.pk}": "缺少签名",
        },
    )
    assert response.status_code == 302
    notice = CorrectionRequest.objects.get(case=submitted)
    assert [row["problem"] for row in notice.items] == ["复印件不清晰", "缺少签名"]
    assert refreshed(submitted).status == CaseStatus.CORRECTION_REQUESTED


def test_a_tampered_correction_naming_a_material_outside_the_guide_is_refused(
    client_as, clerk_a, submitted, department_a
):
    other = material_of(case_item(department=department_a, name="其他事项"), "id-card")
    response = client_as(clerk_a).post(
        action_url(submitted, "correction"),
        {"expected_version": submitted.version, "material": [str(other.pk)], f"problem_{other.pk}": "补交"},
    )
    assert response.status_code == 400
    assert "不在指南中" in response.content.decode()
    assert not CorrectionRequest.objects.exists()
    assert refreshed(submitted).status == CaseStatus.SUBMITTED


def test_a_correction_needs_a_ticked_material(client_as, clerk_a, submitted):
    response = client_as(clerk_a).post(
        action_url(submitted, "correction"), {"expected_version": submitted.version}
    )
    assert response.status_code == 400 and not CorrectionRequest.objects.exists()


# --- acceptance and conflicts -------------------------------------------------------------------------------


def test_acceptance_shows_the_number_and_password_once(client_as, clerk_a, submitted):
    client = client_as(clerk_a)
    response = client.post(action_url(submitted, "accept"), {"expected_version": submitted.version})
    assert response.status_code == 200
    case = refreshed(submitted)
    password = response.context["query_password"]
    page = response.content.decode()
    assert case.number in page and password in page
    assert reverse("cases_staff:case_notice", args=[case.pk, "acceptance"]) in page
    assert "no-store" in response["Cache-Control"]
    assert password not in client.get(detail_url(case)).content.decode()


def test_a_stale_version_shows_the_conflict_instead_of_acting(client_as, clerk_a, submitted):
    services.case_refuse(case=submitted, clerk=clerk_a, reason="材料与申请事项不符")
    response = client_as(clerk_a).post(
        action_url(submitted, "accept"), {"expected_version": submitted.version}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "该办件已被他人处理" in page and "不予受理" in page
    assert refreshed(submitted).status == CaseStatus.NOT_ACCEPTED


def test_a_refusal_needs_a_reason(client_as, clerk_a, submitted):
    response = client_as(clerk_a).post(
        action_url(submitted, "refuse"), {"expected_version": submitted.version, "reason": ""}
    )
    assert response.status_code == 400 and refreshed(submitted).status == CaseStatus.SUBMITTED


def test_a_refusal_is_recorded_with_its_notice(client_as, clerk_a, submitted):
    client = client_as(clerk_a)
    client.post(
        action_url(submitted, "refuse"), {"expected_version": submitted.version, "reason": "不属于本部门职权"}
    )
    assert refreshed(submitted).status == CaseStatus.NOT_ACCEPTED
    response = client.get(reverse("cases_staff:case_notice", args=[submitted.pk, "refusal"]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_notice_the_case_does_not_have_is_404(client_as, clerk_a, submitted):
    url = reverse("cases_staff:case_notice", args=[submitted.pk, "acceptance"])
    assert client_as(clerk_a).get(url).status_code == 404


# --- after acceptance: the clock and the decision ---------------------------------------------------------


def test_an_approver_runs_the_case_to_delivery(client_as, clerk_a, approver_a, head_a, citizen, item):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    client = client_as(approver_a)

    def act(action, *, by=client, **data):
        response = by.post(action_url(case, action), {"expected_version": refreshed(case).version, **data})
        assert response.status_code == 302, response.content.decode()[:2000]

    act("process")
    act(
        "suspend",
        kind="expert_review",
        reason="需组织专家评审",
        basis="《行政许可法》第四十五条",
        expected_working_days=5,
    )
    assert refreshed(case).status == CaseStatus.SUSPENDED
    act("resume")
    act("extend", working_days=5, reason="情况复杂", basis="《行政许可法》第四十二条")
    assert refreshed(case).extended_days == 0  # waits for the head of the agency
    head = client_as(head_a)
    assert action_url(case, "extension_decide") in head.get(detail_url(case)).content.decode()
    act("extension_decide", by=head, decision="approve", note="同意延期")
    assert refreshed(case).extended_days == 5
    act("conclude", code=0, result="食品经营许可证 JY12345")
    act("deliver", method="post", address="福州市鼓楼区五四路1号", tracking_number="SF123456")
    final = refreshed(case)
    assert (final.status, final.tracking_number) == (CaseStatus.DELIVERED, "SF123456")
    assert "SF123456" in client.get(detail_url(case)).content.decode()


def test_a_window_clerk_is_not_offered_the_approvers_actions(client_as, clerk_a, citizen, item):
    case = case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)
    page = client_as(clerk_a).get(detail_url(case)).content.decode()
    assert action_url(case, "process") in page
    for action in ("suspend", "extend", "conclude"):
        assert action_url(case, action) not in page


# --- walk-in filing -----------------------------------------------------------------------------------------


def _walk_in_file(client, item, **extra):
    card, form = material_of(item, "id-card"), material_of(item, "application-form")
    return client.post(
        reverse("cases_staff:walk_in"),
        {
            "step": "file",
            "item": str(item.pk),
            "applicant_name": "王五",
            f"material_{card.pk}": upload("card.pdf", PDF_BYTES),
            f"material_{form.pk}": upload("form.pdf", PDF_BYTES),
            **extra,
        },
    )


def test_walk_in_files_a_case_with_materials_checked_against_originals(client_as, clerk_a, item, at):
    applicant = person(7, name="王五")
    client = client_as(clerk_a)
    found = client.post(reverse("cases_staff:walk_in"), {"step": "find", "identifier": applicant.phone})
    assert found.status_code == 302 and client.session[WALK_IN_SESSION_KEY] == str(applicant.pk)
    page = client.get(reverse("cases_staff:walk_in"), {"item": str(item.pk)}).content.decode()
    assert applicant.phone_masked in page and applicant.phone not in page
    response = _walk_in_file(client, item)
    case = Case.objects.get(applicant=applicant)
    assert response.status_code == 302 and response["Location"] == detail_url(case)
    assert (case.status, case.walk_in, case.filed_by) == (CaseStatus.SUBMITTED, True, clerk_a)
    assert {m.trust_level for m in case.materials.all()} == {TrustLevel.B}
    assert case.form_data == {"applicant_name": "王五"}
    assert WALK_IN_SESSION_KEY not in client.session


def test_walk_in_registers_a_person_not_yet_on_the_platform(client_as, clerk_a, item):
    client = client_as(clerk_a)
    id_number = valid_citizen_id(55)
    response = client.post(reverse("cases_staff:walk_in"), {"step": "find", "identifier": id_number})
    assert response.status_code == 200 and response.context["not_found"]
    assert response.context["register_form"].initial == {"id_number": id_number}
    response = client.post(
        reverse("cases_staff:walk_in"),
        {"step": "register", "name": "赵六", "phone": "13700000055", "id_number": id_number},
    )
    assert response.status_code == 302
    registered = Person.objects.get(pk=client.session[WALK_IN_SESSION_KEY])
    assert (registered.user.name, registered.id_number) == ("赵六", id_number)


def test_walk_in_shows_form_errors_and_files_nothing(client_as, clerk_a, item):
    client = client_as(clerk_a)
    client.post(reverse("cases_staff:walk_in"), {"step": "find", "identifier": person(8, name="钱七").phone})
    response = _walk_in_file(client, item, applicant_name="")
    assert response.status_code == 400 and "请填写申请人姓名" in response.content.decode()
    assert not Case.objects.exists()


def test_walk_in_is_for_window_clerks(client_as, reviewer_a, item):
    assert client_as(reviewer_a).get(reverse("cases_staff:walk_in")).status_code == 403


def test_a_correction_naming_an_unknown_material_is_refused(client_as, clerk_a, submitted):
    response = client_as(clerk_a).post(
        action_url(submitted, "correction"),
        {"expected_version": submitted.version, "material": ["not-a-uuid"], "problem_not-a-uuid": "补交"},
    )
    assert response.status_code == 400 and "所选材料不存在" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_the_case_page_shows_the_notifications_sent_to_the_applicant(
    client_as, clerk_a, at, citizen, item, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state("submitted", user=citizen, item=item)
    page = client_as(clerk_a).get(detail_url(case)).content.decode()
    assert "发给申请人的通知" in page
    assert "139****0001" in page  # masked: the plain number is never on screen
