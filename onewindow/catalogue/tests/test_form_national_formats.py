"""JSON-Schema formats for national identifiers, checked with their checksums (issue #12.3), and which
answers count as personal data (issue #17.4)."""

from __future__ import annotations

import pytest

from onewindow.catalogue.form_personal import form_masked, is_person_name, is_personal
from onewindow.catalogue.forms_render import form_errors, form_problems, schema_to_fields
from tests.factories import valid_citizen_id, valid_credit_code

SCHEMA = {
    "type": "object",
    "properties": {
        "id_number": {"type": "string", "title": "公民身份号码", "format": "citizen-id"},
        "credit_code": {"type": "string", "title": "统一社会信用代码", "format": "uscc"},
        "division": {"type": "string", "title": "所在地区划代码", "format": "division-code"},
        "mobile": {"type": "string", "title": "联系电话", "format": "mobile"},
    },
}
VALID = {
    "id_number": valid_citizen_id(3),
    "credit_code": valid_credit_code(3),
    "division": "350102",
    "mobile": "13912340003",
}


def _with_wrong_last_character(code: str, alphabet: str) -> str:
    return code[:-1] + next(ch for ch in alphabet if ch != code[-1])


def test_valid_national_identifiers_pass():
    assert form_errors(SCHEMA, VALID) == {}


def test_a_credit_code_with_a_wrong_check_character_is_refused_naming_the_field():
    bad = _with_wrong_last_character(VALID["credit_code"], "0123456789")
    (problem,) = form_problems(SCHEMA, VALID | {"credit_code": bad})
    assert problem.name == "credit_code" and problem.code == "credit_code.checksum"
    assert problem.message.startswith("统一社会信用代码有误：") and "校验" in problem.message


def test_an_id_number_with_a_wrong_check_character_is_refused_naming_the_field():
    bad = _with_wrong_last_character(VALID["id_number"], "0123456789X")
    (problem,) = form_problems(SCHEMA, VALID | {"id_number": bad})
    assert (problem.name, problem.code) == ("id_number", "citizen_id.checksum")
    assert problem.message.startswith("公民身份号码有误：")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id_number", "350102199002300011", "citizen_id.birth_date"),
        ("division", "990102", "division_code.region"),
        ("division", "35010", "division_code.format"),
        ("mobile", "12912340003", "phone.invalid"),
    ],
)
def test_other_bad_identifiers_are_refused_with_their_code(field, value, code):
    assert [(p.name, p.code) for p in form_problems(SCHEMA, VALID | {field: value})] == [(field, code)]


def test_a_format_only_checks_strings_the_type_keyword_reports_the_rest():
    schema = {"type": "object", "properties": {"mobile": {"type": "string", "format": "mobile"}}}
    assert [p.code for p in form_problems(schema, {"mobile": 13912340003})] == ["form_invalid"]


def test_a_mobile_field_renders_as_a_phone_input():
    field = next(f for f in schema_to_fields(SCHEMA) if f.name == "mobile")
    assert field.kind == "tel" and field.attrs["inputmode"] == "tel"


@pytest.mark.parametrize(
    ("name", "schema", "personal"),
    [
        ("id_number", {}, True),
        ("contact_mobile", {}, True),
        ("deceased_id", {}, True),
        ("from_address", {}, True),
        ("refund_bank", {}, True),
        ("anything", {"format": "citizen-id"}, True),
        ("remarks", {"x-personal": True}, True),
        ("address", {"x-personal": False}, False),
        ("applicant_name", {}, False),
        ("plate_number", {}, False),
        ("hotel", {}, False),
    ],
)
def test_which_fields_hold_personal_data(name, schema, personal):
    assert is_personal(name, schema) is personal


def test_masked_form_keeps_the_ends_of_identifiers_only():
    masked = form_masked(SCHEMA, VALID | {"address": "福州市鼓楼区五四路158号", "applicant_name": "张三"})
    assert masked["id_number"] == VALID["id_number"][:4] + "*" * 10 + VALID["id_number"][-4:]
    assert masked["mobile"] == "139****0003"
    assert masked["address"].startswith("福州市") and "158" not in masked["address"]
    assert masked["applicant_name"] == "张*" and masked["credit_code"] == VALID["credit_code"]


@pytest.mark.parametrize(
    ("name", "masked"),
    [("applicant_name", True), ("legal_representative", True), ("partner_name", True), ("contact", True)],
)
def test_person_names_are_masked(name, masked):
    assert is_person_name(name, {}) is masked


@pytest.mark.parametrize("name", ["company_name", "school_name", "shop_name", "item_name"])
def test_names_of_things_are_not_masked(name):
    assert not is_person_name(name, {})


def test_masking_reaches_into_repeated_groups():
    masked = form_masked({}, {"members": [{"name": "李四", "mobile": "13912340003"}]})
    assert masked == {"members": [{"name": "李*", "mobile": "139****0003"}]}
