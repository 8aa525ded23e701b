"""An application with a bad credit code or ID number is refused on the form, with a Chinese message naming
the field (issue #12.3), and through the API with the field and a stable code; nothing is submitted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.factories import case_item
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material
from tests.factories import valid_citizen_id, valid_credit_code

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "required": ["applicant_name", "id_number", "credit_code"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名"},
        "id_number": {"type": "string", "title": "法定代表人身份证号码", "format": "citizen-id"},
        "credit_code": {"type": "string", "title": "统一社会信用代码", "format": "uscc"},
    },
}


def _wrong_check(code: str, alphabet: str) -> str:
    return code[:-1] + next(ch for ch in alphabet if ch != code[-1])


BAD_CREDIT_CODE = _wrong_check(valid_credit_code(5), "0123456789")
BAD_ID_NUMBER = _wrong_check(valid_citizen_id(5), "0123456789X")


@pytest.fixture
def item(department_a):
    """Nothing to upload (the only material comes from shared data): the form alone decides."""
    return case_item(
        department=department_a,
        form_schema=SCHEMA,
        form_ui={},
        materials=[material("household-register", name="户口簿", source=MaterialSource.SHARED)],
    )


def test_the_web_form_refuses_a_bad_credit_code_naming_the_field(client_as, citizen, item):
    draft = services.case_start(user=citizen, item=item)
    response = client_as(citizen).post(
        reverse("cases:case", args=[draft.pk]),
        {
            "applicant_name": "张三",
            "id_number": valid_citizen_id(5),
            "credit_code": BAD_CREDIT_CODE,
            "action": "submit",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "统一社会信用代码有误：统一社会信用代码校验不通过" in page
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.DRAFT


def test_the_api_refuses_a_bad_id_number_with_the_field_and_a_stable_code(client_as, citizen, item):
    response = client_as(citizen).post(
        "/api/v1/cases",
        {
            "item": item.implementation_code,
            "submit": True,
            "form_data": {
                "applicant_name": "张三",
                "id_number": BAD_ID_NUMBER,
                "credit_code": valid_credit_code(5),
            },
        },
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "case_incomplete"
    [problem] = body["problems"]
    assert (problem["field"], problem["code"]) == ("form.id_number", "citizen_id.checksum")
    assert problem["message"].startswith("法定代表人身份证号码有误：")
    assert not Case.objects.exists()
