"""The application form's personal answers are encrypted at rest (issue #17.4) and open only in Python."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from onewindow.cases import services
from onewindow.cases.fields import SEALED, form_open, form_seal
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import case_item
from onewindow.core import crypto
from tests.factories import valid_citizen_id

SCHEMA = {
    "type": "object",
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名"},
        "id_number": {"type": "string", "title": "公民身份号码", "format": "citizen-id"},
        "mobile": {"type": "string", "title": "手机号码", "format": "mobile"},
        "home": {"type": "string", "title": "住址", "x-personal": True},
        "address": {"type": "string", "title": "经营场所", "x-personal": False},
        "partner": {
            "type": "object",
            "title": "配偶",
            "properties": {"deceased_id": {"type": "string"}, "name": {"type": "string"}},
        },
    },
}
ID_NUMBER = valid_citizen_id(7)
ANSWERS = {
    "applicant_name": "张三",
    "id_number": ID_NUMBER,
    "mobile": "13912340007",
    "home": "福州市鼓楼区五四路158号",
    "address": "福州市台江区江滨中大道363号",
    "partner": {"deceased_id": valid_citizen_id(8), "name": "李四"},
}


def _raw(case: Case) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT form_data FROM cases_case WHERE id = %s",
            [case.pk.hex if connection.vendor == "sqlite" else case.pk],
        )
        value = cursor.fetchone()[0]
    return value if isinstance(value, dict) else json.loads(value)


@pytest.fixture
def sealed_item(department_a):
    return case_item(department=department_a, form_schema=SCHEMA, form_ui={})


@pytest.fixture
def draft(citizen, sealed_item):
    return services.case_start(user=citizen, item=sealed_item, form_data=ANSWERS)


def test_personal_answers_are_stored_encrypted_and_others_in_clear(draft):
    raw = _raw(draft)
    assert set(raw["id_number"]) == {SEALED} and raw["id_number"][SEALED].startswith("sm4gcm:")
    assert SEALED in raw["mobile"] and SEALED in raw["home"] and SEALED in raw["partner"]["deceased_id"]
    assert raw["applicant_name"] == "张三" and raw["partner"]["name"] == "李四"
    assert raw["address"] == ANSWERS["address"]  # the schema says it is not personal (a company's premises)
    assert ID_NUMBER not in json.dumps(raw) and "13912340007" not in json.dumps(raw)


def test_the_model_reads_the_answers_back_in_clear(draft):
    assert Case.objects.get(pk=draft.pk).form_data == ANSWERS


def test_a_saved_draft_is_sealed_again(draft, citizen):
    services.case_form_save(case=draft, user=citizen, form_data=ANSWERS | {"mobile": "13912340008"})
    assert SEALED in _raw(draft)["mobile"]
    assert Case.objects.get(pk=draft.pk).form_data["mobile"] == "13912340008"


def test_a_queryset_update_still_seals_personal_names(draft):
    Case.objects.filter(pk=draft.pk).update(form_data={"applicant_name": "张三", "mobile": "13912340007"})
    assert SEALED in _raw(draft)["mobile"] and _raw(draft)["applicant_name"] == "张三"
    assert Case.objects.get(pk=draft.pk).form_data["mobile"] == "13912340007"


def test_bulk_update_still_seals_personal_names(draft):
    draft.form_data = {"id_number": ID_NUMBER}
    Case.objects.bulk_update([draft], ["form_data"])
    assert SEALED in _raw(draft)["id_number"]


def test_a_sealed_value_does_not_open_under_another_field():
    sealed = form_seal(SCHEMA, {"id_number": ID_NUMBER})
    with pytest.raises(crypto.DecryptionError):
        form_open({"mobile": sealed["id_number"]})


def test_an_answer_that_looks_sealed_is_kept_as_typed(citizen, sealed_item):
    lookalike = {SEALED: "sm4gcm:k1:AAAA"}
    case = services.case_start(user=citizen, item=sealed_item, form_data={"applicant_name": lookalike})
    assert Case.objects.get(pk=case.pk).form_data == {"applicant_name": lookalike}


def test_numbers_and_lists_under_personal_names_round_trip():
    answers = {"phone": ["13912340007", "13912340009"], "bank_account": 6222021234567890}
    sealed = form_seal({}, answers)
    assert all(SEALED in value for value in sealed.values())
    assert form_open(sealed) == answers


def test_personal_answers_inside_a_repeated_group_are_sealed():
    schema = {
        "properties": {
            "members": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {}, "id_number": {}}},
            }
        }
    }
    answers = {"members": [{"name": "李四", "id_number": ID_NUMBER}, {"$sealed": "typed"}]}
    sealed = form_seal(schema, answers)
    assert SEALED in sealed["members"][0]["id_number"] and sealed["members"][0]["name"] == "李四"
    assert ID_NUMBER not in json.dumps(sealed)
    assert form_open(sealed) == answers


def test_the_migration_encrypts_existing_rows_and_reverses(draft):
    module = __import__("onewindow.cases.migrations.0006_case_form_data_encrypt", fromlist=["encrypt"])
    module.decrypt(apps, None)
    assert _raw(draft)["id_number"] == ID_NUMBER
    module.encrypt(apps, None)
    assert SEALED in _raw(draft)["id_number"] and SEALED in _raw(draft)["partner"]["deceased_id"]
    assert Case.objects.get(pk=draft.pk).form_data == ANSWERS


def test_rekey_moves_sealed_answers_to_the_active_key(citizen, sealed_item, settings):
    old, new = ("old1", bytes(range(16))), ("new2", bytes(range(16, 32)))
    ring = list(settings.ONEWINDOW_DATA_KEYS)
    settings.ONEWINDOW_DATA_KEYS = [old, *ring]
    crypto.key_ring_clear()
    case = services.case_start(user=citizen, item=sealed_item, form_data=ANSWERS)
    settings.ONEWINDOW_DATA_KEYS = [new, old, *ring]
    crypto.key_ring_clear()
    call_command("personal_data_rekey", stdout=io.StringIO())
    assert _raw(case)["id_number"][SEALED].startswith("sm4gcm:new2:")
    settings.ONEWINDOW_DATA_KEYS = [new]  # the old keys retired: the form still opens
    crypto.key_ring_clear()
    assert Case.objects.get(pk=case.pk).form_data == ANSWERS
    crypto.key_ring_clear()
