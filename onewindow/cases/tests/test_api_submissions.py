"""``POST /api/v1/submissions``: start, upload the materials and submit in one multipart request
(issue #18), with the same idempotency and refusals as the separate steps."""

from __future__ import annotations

import json

import pytest

from onewindow.cases.models import Case, CaseMaterial, CaseStatus, TrustLevel
from onewindow.cases.tests.factories import EXE_BYTES, FORM, upload

URL = "/api/v1/submissions"


def _body(item, keys, *, form=FORM, files=None):
    return {
        "item": item.implementation_code,
        "form_data": json.dumps(form, ensure_ascii=False),
        "materials": json.dumps(keys),
        "files": files if files is not None else [upload(f"{key}.pdf") for key in keys],
    }


@pytest.fixture
def applicant(citizen, client_as):
    return client_as(citizen)


def test_one_request_starts_uploads_and_submits(applicant, item):
    response = applicant.post(
        URL, _body(item, ["id-card", "application-form"]), HTTP_IDEMPOTENCY_KEY="multi-1"
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"]["code"] == CaseStatus.SUBMITTED
    case = Case.objects.get()
    rows = list(case.materials.order_by("material__key"))
    assert [row.material.key for row in rows] == ["application-form", "id-card"]
    assert all(row.trust_level == TrustLevel.C and row.file.read().startswith(b"%PDF") for row in rows)


def test_a_retry_with_the_same_key_returns_the_first_case(applicant, item):
    first = applicant.post(URL, _body(item, ["id-card", "application-form"]), HTTP_IDEMPOTENCY_KEY="multi-2")
    again = applicant.post(URL, _body(item, ["id-card", "application-form"]), HTTP_IDEMPOTENCY_KEY="multi-2")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1 and CaseMaterial.objects.count() == 2


def test_the_same_key_with_other_files_is_422(applicant, item):
    applicant.post(URL, _body(item, ["id-card", "application-form"]), HTTP_IDEMPOTENCY_KEY="multi-3")
    other = [upload("id-card.pdf", content=b"%PDF-1.7\n% another scan\n%%EOF\n"), upload("form.pdf")]

    response = applicant.post(
        URL, _body(item, ["id-card", "application-form"], files=other), HTTP_IDEMPOTENCY_KEY="multi-3"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_a_missing_material_refuses_the_whole_request(applicant, item):
    response = applicant.post(URL, _body(item, ["id-card"]))

    assert response.status_code == 400
    assert response.json()["code"] == "case_incomplete"
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()


def test_a_file_that_is_not_a_document_refuses_the_whole_request(applicant, item):
    files = [upload("id-card.pdf"), upload("x.pdf", content=EXE_BYTES)]

    response = applicant.post(URL, _body(item, ["id-card", "application-form"], files=files))

    assert response.status_code == 415
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()


@pytest.mark.parametrize(
    ("keys", "code"),
    [
        (["id-card", "not-in-the-guide"], "material_not_in_guide"),
        (["household-register", "application-form"], "material_not_in_guide"),  # shared data: never uploaded
    ],
)
def test_a_material_that_is_not_an_upload_of_the_guide_is_refused(applicant, item, keys, code):
    response = applicant.post(URL, _body(item, keys))

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("form_data", "not json"), ("form_data", "[1]"), ("materials", "{}"), ("materials", '["id-card"]')],
)
def test_malformed_fields_are_422(applicant, item, field, value):
    body = _body(item, ["id-card", "application-form"]) | {field: value}

    response = applicant.post(URL, body)

    assert response.status_code == 422
    assert response.json()["code"] in {"form_data_invalid", "materials_invalid"}
    assert not Case.objects.exists()


def test_an_unknown_item_is_404(applicant, item):
    response = applicant.post(URL, _body(item, []) | {"item": "NO-SUCH-ITEM"})

    assert response.status_code == 404
    assert response.json()["code"] == "item_not_found"
