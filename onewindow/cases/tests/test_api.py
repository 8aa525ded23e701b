"""The cases API: every endpoint's happy path, refusals with Chinese messages that write nothing, the
permission matrix, idempotent create and submit, 409 on a stale version, and the rate-limited public
tracking."""

from __future__ import annotations

import pytest

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, CaseStatus, EventAction
from onewindow.cases.tests.factories import (
    EXE_BYTES,
    FORM,
    case_in_state,
    case_item,
    case_materials_attach,
    material_of,
    upload,
)
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material

API = "/api/v1"


def post(client, url, body=None, **headers):
    return client.post(f"{API}{url}", body or {}, content_type="application/json", **headers)


@pytest.fixture
def applicant(citizen, client_as):
    return client_as(citizen)


@pytest.fixture
def submitted(citizen, item):
    return case_in_state("submitted", user=citizen, item=item)


@pytest.fixture
def accepted(citizen, item, clerk_a):
    return case_in_state("accepted", user=citizen, item=item, clerk=clerk_a)


def in_process(case, clerk):
    return services.case_process_start(case=case, actor=clerk)


# --- applying -------------------------------------------------------------------------------------------


def test_create_starts_a_draft(applicant, item):
    response = post(applicant, "/cases", {"item": item.implementation_code, "form_data": FORM})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"]["code"] == CaseStatus.DRAFT
    assert body["item"]["implementation_code"] == item.implementation_code
    assert body["form_data"]["applicant_name"] == "张三"
    assert Case.objects.get(pk=body["id"]).applicant.user.name == "张三"


def test_create_needs_a_signed_in_user(client, item):
    response = post(client, "/cases", {"item": item.implementation_code})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert not Case.objects.exists()


def test_create_with_an_unknown_item_is_404_and_writes_nothing(applicant, db):
    response = post(applicant, "/cases", {"item": "NO-SUCH-ITEM"})

    assert response.status_code == 404
    assert response.json()["code"] == "item_not_found"
    assert "实施编码" in response.json()["message"]
    assert not Case.objects.exists()


def test_create_with_bad_input_is_422_in_chinese(applicant, item):
    response = post(applicant, "/cases", {"item": "x" * 41})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["problems"][0]["field"] == "item"
    assert "不能超过 40 个字符" in body["problems"][0]["message"]
    assert not Case.objects.exists()


def test_create_with_the_same_idempotency_key_returns_the_same_case(applicant, item):
    body = {"item": item.implementation_code, "form_data": FORM}
    first = post(applicant, "/cases", body, HTTP_IDEMPOTENCY_KEY="retry-1")
    second = post(applicant, "/cases", body, HTTP_IDEMPOTENCY_KEY="retry-1")

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_another_form_is_422_and_writes_nothing(applicant, item):
    post(
        applicant, "/cases", {"item": item.implementation_code, "form_data": FORM}, HTTP_IDEMPOTENCY_KEY="k2"
    )

    response = post(
        applicant,
        "/cases",
        {"item": item.implementation_code, "form_data": {**FORM, "note": "另一份表单"}},
        HTTP_IDEMPOTENCY_KEY="k2",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_submit_changed_is_422(applicant, item):
    post(
        applicant, "/cases", {"item": item.implementation_code, "form_data": FORM}, HTTP_IDEMPOTENCY_KEY="k3"
    )

    response = post(
        applicant,
        "/cases",
        {"item": item.implementation_code, "form_data": FORM, "submit": True},
        HTTP_IDEMPOTENCY_KEY="k3",
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_the_same_idempotency_key_with_another_request_is_422(applicant, item, department_a):
    other = case_item(department=department_a, name="另一事项")
    post(applicant, "/cases", {"item": item.implementation_code}, HTTP_IDEMPOTENCY_KEY="k1")

    response = post(applicant, "/cases", {"item": other.implementation_code}, HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_create_with_submit_starts_and_submits(applicant, department_a):
    nothing_to_upload = case_item(
        department=department_a,
        materials=[material("household-register", name="户口簿", source=MaterialSource.SHARED)],
    )

    response = post(
        applicant,
        "/cases",
        {"item": nothing_to_upload.implementation_code, "form_data": FORM, "submit": True},
        HTTP_IDEMPOTENCY_KEY="create-and-submit",
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"]["code"] == CaseStatus.SUBMITTED
    assert response.json()["submitted_at"] is not None


def test_create_with_submit_and_missing_materials_is_refused_and_writes_nothing(applicant, item):
    response = post(
        applicant, "/cases", {"item": item.implementation_code, "form_data": FORM, "submit": True}
    )

    assert response.status_code == 400
    assert response.json()["problems"]
    assert not Case.objects.exists()


def test_upload_a_material(applicant, citizen, item):
    case = case_in_state("draft", user=citizen, item=item)

    response = applicant.post(
        f"{API}/cases/{case.pk}/materials",
        {"material_id": str(material_of(item, "id-card").pk), "file": upload("身份证.pdf")},
    )

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "application/pdf"
    assert response.json()["original_name"] == "身份证.pdf"
    assert case.materials.count() == 1


def test_upload_of_a_program_is_415_and_stores_nothing(applicant, citizen, item):
    case = case_in_state("draft", user=citizen, item=item)

    response = applicant.post(
        f"{API}/cases/{case.pk}/materials",
        {
            "material_id": str(material_of(item, "id-card").pk),
            "file": upload("scan.pdf", EXE_BYTES, "application/pdf"),
        },
    )

    assert response.status_code == 415
    assert not CaseMaterial.objects.exists()


def test_upload_for_a_material_of_no_guide_is_400(applicant, citizen, item):
    case = case_in_state("draft", user=citizen, item=item)

    response = applicant.post(
        f"{API}/cases/{case.pk}/materials",
        {"material_id": "00000000-0000-0000-0000-000000000000", "file": upload()},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "material_not_in_guide"


def test_upload_to_another_citizens_case_is_404(client_as, another_citizen, citizen, item):
    case = case_in_state("draft", user=citizen, item=item)

    response = client_as(another_citizen).post(
        f"{API}/cases/{case.pk}/materials",
        {"material_id": str(material_of(item, "id-card").pk), "file": upload()},
    )

    assert response.status_code == 404
    assert not CaseMaterial.objects.exists()


def test_submit_a_complete_draft(applicant, citizen, item):
    case = case_in_state("draft", user=citizen, item=item)
    case_materials_attach(case, citizen)

    response = post(applicant, f"/cases/{case.pk}/submit", HTTP_IDEMPOTENCY_KEY="s1")

    assert response.status_code == 200, response.content
    assert response.json()["status"]["code"] == CaseStatus.SUBMITTED


def test_submit_twice_with_the_same_key_submits_once(applicant, citizen, item):
    case = case_in_state("draft", user=citizen, item=item)
    case_materials_attach(case, citizen)

    first = post(applicant, f"/cases/{case.pk}/submit", HTTP_IDEMPOTENCY_KEY="s1")
    second = post(applicant, f"/cases/{case.pk}/submit", HTTP_IDEMPOTENCY_KEY="s1")

    assert first.status_code == second.status_code == 200
    assert CaseEvent.objects.filter(case=case, action=EventAction.SUBMITTED).count() == 1


def test_submit_with_a_stale_version_is_409_with_the_current_state(applicant, citizen, item):
    case = case_in_state("draft", user=citizen, item=item)

    response = post(applicant, f"/cases/{case.pk}/submit", {"expected_version": case.version + 5})

    assert response.status_code == 409
    assert response.json()["code"] == "case_state_conflict"
    assert "草稿" in response.json()["message"]
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_resubmit_after_a_correction_request(applicant, submitted, clerk_a, citizen, item):
    id_card = material_of(item, "id-card")
    services.case_correction_request(case=submitted, clerk=clerk_a, problems=[(id_card, "复印件不清晰")])
    applicant.post(
        f"{API}/cases/{submitted.pk}/materials", {"material_id": str(id_card.pk), "file": upload()}
    )

    response = post(applicant, f"/cases/{submitted.pk}/submit")

    assert response.status_code == 200, response.content
    assert response.json()["status"]["code"] == CaseStatus.SUBMITTED


def test_withdraw_needs_a_reason_once_submitted(applicant, submitted):
    refused = post(applicant, f"/cases/{submitted.pk}/withdraw", {"reason": ""})
    done = post(applicant, f"/cases/{submitted.pk}/withdraw", {"reason": "不再需要"})

    assert refused.status_code == 400
    assert refused.json()["code"] == "withdraw_reason_required"
    assert done.status_code == 200
    assert done.json()["status"]["code"] == CaseStatus.WITHDRAWN


# --- reading and the permission matrix -------------------------------------------------------------------


def test_list_shows_only_my_cases(applicant, citizen, another_citizen, item):
    mine = case_in_state("draft", user=citizen, item=item)
    case_in_state("draft", user=another_citizen, item=item)

    response = applicant.get(f"{API}/cases")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["items"]] == [str(mine.pk)]
    assert response.json()["count"] == 1


def test_staff_list_their_departments_cases(client_as, clerk_a, clerk_b, submitted):
    own = client_as(clerk_a).get(f"{API}/cases", {"scope": "department"})
    other = client_as(clerk_b).get(f"{API}/cases", {"scope": "department"})

    assert [row["id"] for row in own.json()["items"]] == [str(submitted.pk)]
    assert other.json()["items"] == []


def test_detail_for_the_applicant(applicant, submitted):
    response = applicant.get(f"{API}/cases/{submitted.pk}")

    assert response.status_code == 200
    assert len(response.json()["materials"]) == 2
    assert response.json()["timeline"][-1]["action"]["code"] == EventAction.SUBMITTED


@pytest.mark.parametrize(
    ("who", "status"),
    [("another_citizen", 404), ("clerk_b", 403), ("clerk_a", 200)],
)
def test_detail_permission_matrix(request, client_as, submitted, who, status):
    response = client_as(request.getfixturevalue(who)).get(f"{API}/cases/{submitted.pk}")

    assert response.status_code == status


def test_another_citizens_draft_is_404_for_staff_too(client_as, clerk_a, citizen, item):
    draft = case_in_state("draft", user=citizen, item=item)

    assert client_as(clerk_a).get(f"{API}/cases/{draft.pk}").status_code == 404


# --- the window ------------------------------------------------------------------------------------------


def test_accept_returns_the_number_and_the_password_once(client_as, clerk_a, submitted):
    response = post(
        client_as(clerk_a), f"/cases/{submitted.pk}/accept", {"expected_version": submitted.version}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"].startswith(submitted.item.implementation_code)
    assert len(body["query_password"]) == 8
    assert body["case"]["status"]["code"] == CaseStatus.ACCEPTED
    assert "query_password" not in body["case"]


@pytest.mark.parametrize(("who", "status"), [("citizen", 403), ("clerk_b", 403), ("reviewer_a", 403)])
def test_only_the_departments_window_clerk_accepts(request, client_as, submitted, who, status):
    response = post(client_as(request.getfixturevalue(who)), f"/cases/{submitted.pk}/accept")

    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


def test_a_second_acceptance_on_a_stale_version_is_409(client_as, clerk_a, submitted):
    version = submitted.version
    post(client_as(clerk_a), f"/cases/{submitted.pk}/accept", {"expected_version": version})

    response = post(client_as(clerk_a), f"/cases/{submitted.pk}/accept", {"expected_version": version})

    assert response.status_code == 409
    assert response.json()["code"] == "case_state_conflict"
    assert "已受理" in response.json()["message"]


def test_refuse_with_a_reason(client_as, clerk_a, submitted):
    response = post(client_as(clerk_a), f"/cases/{submitted.pk}/refuse", {"reason": "不属于本部门职权范围"})

    assert response.status_code == 200
    assert response.json()["refusal_reason"] == "不属于本部门职权范围"


def test_refuse_without_a_reason_is_422_and_changes_nothing(client_as, clerk_a, submitted):
    response = post(client_as(clerk_a), f"/cases/{submitted.pk}/refuse", {"reason": ""})

    assert response.status_code == 422
    assert "至少 1 个字符" in response.json()["problems"][0]["message"]
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SUBMITTED


def test_request_correction_lists_every_material(client_as, clerk_a, submitted, item):
    response = post(
        client_as(clerk_a),
        f"/cases/{submitted.pk}/request-correction",
        {
            "problems": [
                {"material_id": str(material_of(item, "id-card").pk), "problem": "复印件不清晰"},
                {"material_id": str(material_of(item, "application-form").pk), "problem": "缺少签名"},
            ]
        },
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"]["code"] == CaseStatus.CORRECTION_REQUESTED
    assert len(response.json()["correction_requests"][0]["items"]) == 2


def test_request_correction_naming_a_material_outside_the_guide_is_refused(
    client_as, clerk_a, submitted, department_a
):
    other = case_item(department=department_a, name="另一事项")

    response = post(
        client_as(clerk_a),
        f"/cases/{submitted.pk}/request-correction",
        {"problems": [{"material_id": str(material_of(other, "id-card").pk), "problem": "缺少"}]},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "correction_material_not_in_guide"
    assert not submitted.correction_requests.exists()


# --- the department --------------------------------------------------------------------------------------


def test_suspend_and_resume(client_as, reviewer_a, accepted):
    client = client_as(reviewer_a)
    suspended = post(
        client,
        f"/cases/{accepted.pk}/suspend",
        {
            "kind": "inspection",
            "reason": "需现场核查经营场所",
            "basis": "《行政许可法》第四十五条",
            "expected_working_days": 3,
        },
    )
    resumed = post(client, f"/cases/{accepted.pk}/resume", {})

    assert suspended.status_code == 200, suspended.content
    assert suspended.json()["status"]["code"] == CaseStatus.SUSPENDED
    assert suspended.json()["special_procedures"][0]["kind"]["code"] == "inspection"
    assert resumed.status_code == 200
    assert resumed.json()["status"]["code"] in (CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS)


def test_suspend_with_an_unknown_kind_is_422(client_as, reviewer_a, accepted):
    response = post(
        client_as(reviewer_a),
        f"/cases/{accepted.pk}/suspend",
        {"kind": "extension", "reason": "r", "basis": "b"},
    )

    assert response.status_code == 422
    assert not accepted.special_procedures.exists()


def test_an_extension_is_requested_by_staff_and_approved_by_the_head(
    client_as, clerk_a, approver_a, head_a, accepted
):
    body = {"working_days": 10, "reason": "情况复杂需延期", "basis": "《行政许可法》第四十二条"}
    refused = post(client_as(clerk_a), f"/cases/{accepted.pk}/extension-requests", body)
    requested = post(client_as(approver_a), f"/cases/{accepted.pk}/extension-requests", body)
    request_id = requested.json()["id"]
    decide = f"/cases/{accepted.pk}/extension-requests/{request_id}/decide"
    not_head = post(client_as(approver_a), decide, {"approve": True})
    approved = post(client_as(head_a), decide, {"approve": True, "note": "同意"})

    assert refused.status_code == 403
    assert requested.status_code == 200, requested.content
    assert not_head.status_code == 403
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    accepted.refresh_from_db()
    assert accepted.extended_days == 10


def test_conclude_and_deliver_by_post(client_as, approver_a, clerk_a, accepted):
    concluded = post(
        client_as(approver_a), f"/cases/{accepted.pk}/conclude", {"code": 0, "result": "食品经营许可证 JY001"}
    )
    delivered = post(
        client_as(clerk_a),
        f"/cases/{accepted.pk}/deliver",
        {"method": "post", "address": "福州市鼓楼区某路 1 号", "tracking_number": "SF123"},
    )

    assert concluded.status_code == 200, concluded.content
    assert concluded.json()["conclusion_code"] == 0
    assert delivered.status_code == 200, delivered.content
    assert delivered.json()["status"]["code"] == CaseStatus.DELIVERED
    assert delivered.json()["tracking_number"] == "SF123"


def test_conclude_denied_without_a_reason_is_400(client_as, approver_a, accepted):
    response = post(client_as(approver_a), f"/cases/{accepted.pk}/conclude", {"code": 1})

    assert response.status_code == 400
    assert response.json()["code"] == "conclusion_reason_required"
    accepted.refresh_from_db()
    assert accepted.status == CaseStatus.ACCEPTED


def test_an_applicant_cannot_conclude(applicant, accepted):
    response = post(applicant, f"/cases/{accepted.pk}/conclude", {"code": 0, "result": "x"})

    assert response.status_code == 403


# --- tracking --------------------------------------------------------------------------------------------


@pytest.fixture
def tracked(citizen, item, clerk_a):
    submitted = case_in_state("submitted", user=citizen, item=item)
    return services.case_accept(case=submitted, clerk=clerk_a)


def test_track_with_number_and_password(client, tracked):
    response = client.get(f"{API}/track/{tracked.case.number}", {"password": tracked.query_password})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == CaseStatus.ACCEPTED
    assert [entry["action"] for entry in body["timeline"]] == [EventAction.SUBMITTED, EventAction.ACCEPTED]
    assert "clerk" not in response.content.decode()


def test_track_with_a_wrong_password_reveals_nothing(client, tracked):
    wrong = client.get(f"{API}/track/{tracked.case.number}", {"password": "WRONG234"})
    unknown = client.get(f"{API}/track/NOSUCHNUMBER", {"password": "WRONG234"})

    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


def test_track_without_a_password_is_422(client, tracked):
    assert client.get(f"{API}/track/{tracked.case.number}").status_code == 422


def test_guessing_one_case_from_many_addresses_is_rate_limited(client, tracked, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (3, 60)}
    url = f"{API}/track/{tracked.case.number}"
    answers = [
        client.get(url, {"password": "WRONG234"}, REMOTE_ADDR=f"198.51.100.{n}").status_code for n in range(3)
    ]

    limited = client.get(url, {"password": tracked.query_password}, REMOTE_ADDR="198.51.100.99")

    assert answers == [404, 404, 404]
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["code"] == "rate_limited"


def test_tracking_from_one_address_is_rate_limited(client, tracked, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (2, 60)}
    for n in range(2):
        client.get(f"{API}/track/OTHER{n}", {"password": "x"})

    response = client.get(f"{API}/track/{tracked.case.number}", {"password": tracked.query_password})

    assert response.status_code == 429
    assert "Retry-After" in response
