"""The application form: JSON Schema → fields, posted data → JSON, validation errors → Chinese messages."""

from __future__ import annotations

from django.http import QueryDict

from onewindow.catalogue.forms_render import (
    form_data_from_post,
    form_errors,
    form_prefill,
    form_sample_data,
    schema_to_fields,
)

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["applicant_name", "id_number", "shop", "pledge"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "maxLength": 20, "examples": ["张三"]},
        "id_number": {
            "type": "string",
            "title": "身份证号码",
            "pattern": "^[0-9]{17}[0-9X]$",
            "examples": ["11010519491231002X"],
        },
        "email": {"type": "string", "format": "email", "title": "电子邮箱"},
        "opening_date": {"type": "string", "format": "date", "title": "开业日期", "examples": ["2026-03-01"]},
        "staff": {"type": "integer", "title": "从业人数", "minimum": 1, "examples": [5]},
        "area": {"type": "number", "title": "经营面积（平方米）"},
        "kind": {
            "title": "经营类型",
            "oneOf": [{"const": "restaurant", "title": "餐馆"}, {"const": "canteen", "title": "单位食堂"}],
            "examples": ["restaurant"],
        },
        "scope": {
            "type": "array",
            "title": "经营项目",
            "items": {"type": "string", "enum": ["hot", "cold"], "enumNames": ["热食类", "冷食类"]},
            "minItems": 1,
        },
        "phones": {"type": "array", "title": "联系电话", "items": {"type": "string"}},
        "shop": {
            "type": "object",
            "title": "经营场所",
            "required": ["address"],
            "properties": {
                "address": {"type": "string", "title": "详细地址", "examples": ["福州市鼓楼区五四路1号"]},
                "owned": {"type": "boolean", "title": "自有房产"},
            },
        },
        "pledge": {"type": "boolean", "const": True, "title": "本人承诺所填信息真实"},
    },
}
UI = {
    "order": ["id_number", "applicant_name"],
    "widgets": {"kind": "radio"},
    "help": {"id_number": "18 位，末位可能是 X", "shop.address": "写到门牌号"},
}


def test_fields_follow_the_ui_order_then_the_schema_order():
    names = [f.name for f in schema_to_fields(SCHEMA, UI)]
    assert names[:3] == ["id_number", "applicant_name", "email"]
    assert names[-1] == "pledge"


def test_each_schema_construct_gets_a_widget():
    fields = {f.name: f for f in schema_to_fields(SCHEMA, UI)}
    kinds = {name: f.kind for name, f in fields.items()}
    assert kinds == {
        "id_number": "text",
        "applicant_name": "text",
        "email": "email",
        "opening_date": "date",
        "staff": "integer",
        "area": "number",
        "kind": "radio",
        "scope": "checkboxes",
        "phones": "lines",
        "shop": "fieldset",
        "pledge": "checkbox",
    }
    assert fields["kind"].choices == [("restaurant", "餐馆"), ("canteen", "单位食堂")]
    assert fields["scope"].choices == [("hot", "热食类"), ("cold", "冷食类")]
    assert fields["id_number"].help == "18 位，末位可能是 X"
    assert fields["id_number"].attrs["pattern"] == "^[0-9]{17}[0-9X]$"
    assert fields["staff"].attrs == {"min": 1}
    shop = fields["shop"]
    assert [c.name for c in shop.children] == ["shop.address", "shop.owned"]
    assert shop.children[0].required and shop.children[0].help == "写到门牌号"


def test_rjsf_style_hints_work_too():
    ui = {"ui:order": ["pledge"], "applicant_name": {"ui:widget": "textarea", "ui:help": "与证件一致"}}
    fields = schema_to_fields(SCHEMA, ui)
    assert fields[0].name == "pledge"
    name = next(f for f in fields if f.name == "applicant_name")
    assert (name.kind, name.help) == ("textarea", "与证件一致")


def test_posted_strings_become_typed_json():
    post = QueryDict(mutable=True)
    post.update(
        {
            "applicant_name": " 张三 ",
            "id_number": "11010519491231002X",
            "staff": "5",
            "area": "35.5",
            "kind": "restaurant",
            "phones": "0591-1234567\n\n13800000000",
            "shop.address": "五四路1号",
            "pledge": "on",
        }
    )
    post.setlist("scope", ["hot", "cold"])
    data = form_data_from_post(SCHEMA, post)
    assert data == {
        "applicant_name": "张三",
        "id_number": "11010519491231002X",
        "staff": 5,
        "area": 35.5,
        "kind": "restaurant",
        "scope": ["hot", "cold"],
        "phones": ["0591-1234567", "13800000000"],
        "shop": {"address": "五四路1号", "owned": False},
        "pledge": True,
    }
    assert form_errors(SCHEMA, data) == {}


def test_errors_are_chinese_and_keyed_by_field():
    data = form_data_from_post(
        SCHEMA,
        {
            "id_number": "123",
            "email": "not-an-email",
            "opening_date": "2026-13-45",
            "staff": "abc",
            "area": "0",
        },
    )
    errors = form_errors(SCHEMA, data)
    assert errors["applicant_name"] == ["请填写申请人姓名。"]
    assert errors["id_number"] == ["身份证号码的格式不正确，请核对后重新填写。"]
    assert errors["email"] == ["电子邮箱不是有效的电子邮箱地址。"]
    assert errors["opening_date"] == ["开业日期请按“年-月-日”填写，如 1990-01-31。"]
    assert errors["staff"] == ["从业人数应填写整数。"]
    assert errors["shop.address"] == ["请填写详细地址。"]
    assert errors["pledge"] == ["请确认并勾选“本人承诺所填信息真实”。"]
    assert "area" not in errors


def test_problems_inside_a_list_are_reported_on_the_list():
    errors = form_errors(SCHEMA, {"scope": ["warm"], "staff": 0})
    assert errors["scope"] == ["请从给出的选项中选择经营项目。"]
    assert errors["staff"] == ["从业人数不能小于 1。"]


def test_errors_bind_to_the_fields():
    errors = {"shop.address": ["请填写详细地址。"]}
    shop = next(f for f in schema_to_fields(SCHEMA, UI, errors=errors) if f.name == "shop")
    assert shop.has_errors and shop.children[0].errors == ["请填写详细地址。"]


def test_the_sample_uses_each_fields_first_example():
    sample = form_sample_data(SCHEMA)
    assert sample["applicant_name"] == "张三"
    assert sample["shop"] == {"address": "福州市鼓楼区五四路1号"}
    assert sample["pledge"] is True
    fields = {f.name: f for f in schema_to_fields(SCHEMA, UI, data=sample)}
    assert fields["kind"].display == "餐馆"


def test_prefill_takes_the_signed_in_users_name():
    class User:
        is_authenticated = True
        name = "李四"

    assert form_prefill({}, User()) == {
        "applicant_name": "李四",
        "applicant": {"name": "李四"},
        "applicantName": "李四",
    }
    assert form_prefill({"prefill": {"agent.name": "user.name"}}, User()) == {"agent": {"name": "李四"}}

    class Anonymous:
        is_authenticated = False

    assert form_prefill({}, Anonymous()) == {}


def test_sections_group_top_level_fields_into_fieldsets():
    ui = {"sections": [{"title": "申请人信息", "fields": ["applicant_name", "id_number"]}]}
    data = {"applicant_name": "张三"}
    fields = schema_to_fields(SCHEMA, ui, data=data, errors={"id_number": ["请填写身份证号码。"]})
    section = fields[0]
    assert (section.kind, section.label) == ("fieldset", "申请人信息")
    assert [f.name for f in section.children] == ["applicant_name", "id_number"]
    assert section.children[0].value == "张三" and section.has_errors
    assert [f.name for f in fields[1:]][:2] == ["email", "opening_date"]
