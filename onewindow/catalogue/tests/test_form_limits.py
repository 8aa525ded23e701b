"""Form size limits: each field as long as its JSON Schema allows (or the platform default), lists as long
as maxItems allows, and the whole form under the overall cap."""

from __future__ import annotations

import pytest

from onewindow.catalogue.form_limits import form_size_check
from onewindow.core.errors import DomainError

SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "申请人姓名", "maxLength": 5},
        "note": {"type": "string", "title": "说明"},
        "owners": {
            "type": "array",
            "title": "共有人",
            "maxItems": 2,
            "items": {"type": "string", "maxLength": 3},
        },
    },
}


def test_a_form_within_every_limit_passes():
    form_size_check(schema=SCHEMA, data={"name": "张三", "note": "无", "owners": ["李四"]})


def test_a_field_longer_than_its_schema_allows_is_refused_naming_the_field():
    with pytest.raises(DomainError) as refusal:
        form_size_check(schema=SCHEMA, data={"name": "张" * 6})

    assert refusal.value.code == "form_field_too_long" and refusal.value.status == 400
    assert refusal.value.problems[0].field == "name" and "申请人姓名" in refusal.value.problems[0].message


def test_a_field_without_max_length_gets_the_platform_default(settings):
    settings.ONEWINDOW_FORM_FIELD_MAX_LENGTH = 10

    with pytest.raises(DomainError) as refusal:
        form_size_check(schema=SCHEMA, data={"note": "x" * 11})

    assert refusal.value.problems[0].code == "too_long"


def test_a_list_longer_than_max_items_is_refused():
    with pytest.raises(DomainError) as refusal:
        form_size_check(schema=SCHEMA, data={"owners": ["甲", "乙", "丙"]})

    assert refusal.value.problems[0].code == "too_many"


def test_list_entries_are_held_to_their_item_schema():
    with pytest.raises(DomainError) as refusal:
        form_size_check(schema=SCHEMA, data={"owners": ["欧阳修文"]})

    assert refusal.value.problems[0].field == "owners[0]"


def test_fields_the_schema_does_not_know_are_held_to_the_default(settings):
    settings.ONEWINDOW_FORM_FIELD_MAX_LENGTH = 10

    with pytest.raises(DomainError):
        form_size_check(schema=SCHEMA, data={"extra": "x" * 11})


def test_a_form_over_the_overall_cap_is_413(settings):
    settings.ONEWINDOW_FORM_MAX_BYTES = 1024

    with pytest.raises(DomainError) as refusal:
        form_size_check(schema=SCHEMA, data={f"k{i}": "x" * 100 for i in range(20)})

    assert refusal.value.code == "form_too_large" and refusal.value.status == 413
