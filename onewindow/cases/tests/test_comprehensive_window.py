"""The comprehensive window (综合窗口) of a service centre: its clerk takes and hands out the cases of every
item stationed there — in another department — while that department's back office handles them, and
another department's clerk is still refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import selectors, services
from onewindow.cases.models import CaseEvent, CaseStatus, ConclusionCode, EventAction
from onewindow.cases.tests.factories import FORM, case_in_state, case_item, material_of, upload
from onewindow.core.errors import PermissionDenied
from onewindow.halls import services as hall_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(centre, department_a, item):
    """The suite's centre (root conftest) with department A's ``item`` stationed at its comprehensive window."""
    stationing = hall_services.stationing_create(
        actor=None, centre=centre, department=department_a, mode="comprehensive"
    )
    hall_services.stationing_items_set(actor=None, stationing=stationing, items=[item])
    return centre


@pytest.fixture
def submitted(at, citizen, item, centre):
    return case_in_state("submitted", user=citizen, item=item)


def test_the_window_queue_lists_the_stationed_items_cases(submitted, window_clerk):
    assert list(selectors.cases_for_department(user=window_clerk)) == [submitted]


def test_an_item_not_stationed_stays_out_of_the_window_queue(at, citizen, department_a, window_clerk, centre):
    other = case_in_state(
        "submitted", user=citizen, item=case_item(department=department_a, name="食品生产许可")
    )
    assert other not in selectors.cases_for_department(user=window_clerk)
    with pytest.raises(PermissionDenied):
        selectors.case_get_for_staff(user=window_clerk, case_id=other.pk)


def test_the_comprehensive_clerk_accepts_for_the_handling_department(submitted, window_clerk, department_a):
    case = services.case_accept(case=submitted, clerk=window_clerk).case
    assert (case.status, case.department, case.accepted_by) == (
        CaseStatus.ACCEPTED,
        department_a,
        window_clerk,
    )


def test_the_comprehensive_clerk_refuses_and_requests_correction(submitted, window_clerk, citizen, item, at):
    services.case_refuse(case=submitted, clerk=window_clerk, reason="不属于本事项受理范围")
    other = case_in_state("submitted", user=citizen, item=item)
    services.case_correction_request(
        case=other, clerk=window_clerk, problems=[(material_of(item, "id-card"), "复印件不清晰")]
    )
    other.refresh_from_db()
    assert other.status == CaseStatus.CORRECTION_REQUESTED


def test_another_departments_clerk_is_still_refused(submitted, clerk_b):
    with pytest.raises(PermissionDenied):
        services.case_accept(case=submitted, clerk=clerk_b)
    with pytest.raises(PermissionDenied):
        selectors.case_get_for_staff(user=clerk_b, case_id=submitted.pk)
    assert submitted.pk not in {c.pk for c in selectors.cases_for_department(user=clerk_b)}


def test_the_comprehensive_clerk_does_not_decide(submitted, window_clerk):
    case = services.case_accept(case=submitted, clerk=window_clerk).case
    with pytest.raises(PermissionDenied):
        services.case_conclude(case=case, actor=window_clerk, code=ConclusionCode.APPROVED, result="许可证")


def test_the_result_is_handed_out_at_the_comprehensive_window(submitted, window_clerk, approver_a):
    case = services.case_accept(case=submitted, clerk=window_clerk).case
    services.case_conclude(case=case, actor=approver_a, code=ConclusionCode.APPROVED, result="食品经营许可证")
    services.case_deliver(case=case, actor=window_clerk, method="window")
    case.refresh_from_db()
    assert case.status == CaseStatus.DELIVERED
    event = CaseEvent.objects.get(case=case, action=EventAction.DELIVERED)
    assert event.note == "综合窗口出件（福州市民服务中心）"


def test_the_comprehensive_clerk_files_a_walk_in(window_clerk, item, citizen, centre):
    case = services.case_walk_in_file(
        clerk=window_clerk,
        person=citizen.person,
        item=item,
        form_data=FORM,
        materials=[(material_of(item, key), upload()) for key in ("id-card", "application-form")],
    )
    assert (case.status, case.filed_by) == (CaseStatus.SUBMITTED, window_clerk)


def test_the_window_page_offers_acceptance_not_handling(submitted, window_clerk, client_as):
    body = (
        client_as(window_clerk).get(reverse("cases_staff:case_detail", args=[submitted.pk])).content.decode()
    )
    assert '/accept/"' in body and "福州市民服务中心" in body


def test_the_applicant_sees_where_to_collect_the_result(submitted, citizen, client_as):
    body = client_as(citizen).get(reverse("cases:case", args=[submitted.pk])).content.decode()
    assert "福州市民服务中心" in body


def test_acceptance_at_the_comprehensive_window_starts_the_departments_process(submitted, window_clerk):
    case = services.case_accept(case=submitted, clerk=window_clerk).case
    case = services.case_process_start(case=case, actor=window_clerk)
    assert case.status == CaseStatus.IN_PROCESS


def test_another_departments_clerk_cannot_hand_out_the_result(submitted, window_clerk, approver_a, clerk_b):
    case = services.case_accept(case=submitted, clerk=window_clerk).case
    services.case_conclude(case=case, actor=approver_a, code=ConclusionCode.APPROVED, result="食品经营许可证")
    with pytest.raises(PermissionDenied):
        services.case_deliver(case=case, actor=clerk_b, method="window")


def test_the_window_page_offers_no_decision_to_the_comprehensive_clerk(submitted, window_clerk, client_as):
    services.case_accept(case=submitted, clerk=window_clerk)
    body = (
        client_as(window_clerk).get(reverse("cases_staff:case_detail", args=[submitted.pk])).content.decode()
    )
    assert 'id="act-conclude"' not in body and 'id="act-suspend"' not in body


def test_the_walk_in_page_offers_the_stationed_items(window_clerk, item, citizen, client_as):
    from onewindow.cases.walk_in_views import WALK_IN_SESSION_KEY

    # The clerk's own bureau has no items of its own: the stationed ones are what the window files.
    client = client_as(window_clerk)
    session = client.session
    session[WALK_IN_SESSION_KEY] = str(citizen.person.pk)
    session.save()
    response = client.get(reverse("cases_staff:walk_in"))
    assert response.status_code == 200
    assert list(response.context["item_form"].fields["item"].queryset) == [item]


def test_the_window_queue_query_count_does_not_grow_with_cases(
    at, citizen, item, window_clerk, client_as, django_assert_max_num_queries
):
    for _ in range(3):
        case_in_state("submitted", user=citizen, item=item)
    client = client_as(window_clerk)
    with django_assert_max_num_queries(20) as captured:
        assert client.get(reverse("cases_staff:queue")).status_code == 200
    few = len(captured.captured_queries)
    for _ in range(3):
        case_in_state("submitted", user=citizen, item=item)
    with django_assert_max_num_queries(few):
        assert client.get(reverse("cases_staff:queue")).status_code == 200
