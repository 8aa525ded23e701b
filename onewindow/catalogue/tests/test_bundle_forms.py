"""The merged form of a life-event bundle and the prefill of forms (pure functions, no database)."""

from __future__ import annotations

from onewindow.catalogue.bundle_forms import BundleForm, field_map_problems, merged_form
from onewindow.catalogue.prefill import prefill_values

TEXT = {"type": "string"}


def _form(item_id, code, **properties):
    return BundleForm(
        item_id=item_id,
        implementation_code=code,
        item_name=f"事项{item_id}",
        schema={"type": "object", "properties": properties, "required": list(properties)[:1]},
        ui={"help": {"id_number": "18 位"}},
    )


def test_same_named_fields_merge_and_single_ones_stay_with_their_item():
    merged = merged_form([_form(1, "A", id_number=TEXT, hospital=TEXT), _form(2, "B", id_number=TEXT)])

    assert [field.name for field in merged.shared] == ["id_number"]
    assert merged.shared[0].required and merged.shared[0].help == "18 位"
    assert merged.own == {1: ["hospital"], 2: []}


def test_the_field_map_merges_renamed_fields_and_separates_same_named_ones():
    forms = [_form(1, "A", baby_name=TEXT, mobile=TEXT), _form(2, "B", insured_name=TEXT, mobile=TEXT)]

    merged = merged_form(forms, {"B": {"insured_name": "baby_name", "mobile": ""}})

    assert [field.name for field in merged.shared] == ["baby_name"]
    assert merged.split({"baby_name": "林一诺"}) == {
        1: {"baby_name": "林一诺"},
        2: {"insured_name": "林一诺"},
    }


def test_fields_of_different_types_never_merge():
    merged = merged_form([_form(1, "A", amount=TEXT), _form(2, "B", amount={"type": "number"})])

    assert merged.shared == []


def test_gather_reads_the_first_value_in_stage_order():
    merged = merged_form([_form(1, "A", mobile=TEXT), _form(2, "B", mobile=TEXT)])

    assert merged.gather({1: {}, 2: {"mobile": "13900000001"}}) == {"mobile": "13900000001"}


def test_a_field_map_with_an_unknown_item_or_field_is_reported():
    forms = [_form(1, "A", mobile=TEXT)]

    problems = field_map_problems(forms, {"Z": {}, "A": {"nothing": "x", "mobile": "1bad"}})

    assert [where for where, _message in problems] == [
        "field_map.Z",
        "field_map.A.nothing",
        "field_map.A.mobile",
    ]


def test_prefill_takes_the_profile_by_field_name_and_the_hint_overrides_it():
    schema = {
        "properties": {"id_number": TEXT, "contact": TEXT, "gender": {"type": "string", "enum": ["男", "女"]}}
    }
    sources = {
        "person.id_number": "11010519491231002X",
        "person.phone": "13900000001",
        "licence.X.gender": "未知",
    }

    values = prefill_values(schema, {"prefill": {"contact": "person.phone"}}, sources)

    # A licence value that is not one of the field's choices is left for the applicant.
    assert values == {"id_number": "11010519491231002X", "contact": "13900000001"}


def test_prefill_for_a_company_takes_its_credit_code_not_the_agents_address():
    schema = {"properties": {"credit_code": TEXT, "address": TEXT}}
    sources = {"company.credit_code": "91350100M000100Y43", "person.address": "福州市鼓楼区"}

    assert prefill_values(schema, {}, sources, for_company=True) == {"credit_code": "91350100M000100Y43"}
