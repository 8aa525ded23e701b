"""The demo catalogue (issue #3 point 10): big enough, valid codes, publishable guides, usable forms, bundles that
merge materials — and loading it again changes nothing."""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

import onewindow
from onewindow.catalogue.exchange.spreadsheet import catalogue_sheets, export_versions
from onewindow.catalogue.exchange.textfiles import text_workbook_write
from onewindow.catalogue.forms_render import form_problems
from onewindow.catalogue.models import (
    BasicItem,
    Bundle,
    BundleItem,
    CaseType,
    IntermediaryInstitution,
    IntermediaryService,
    Item,
    ItemVersion,
    Material,
    MaterialSource,
    NegativeListEntry,
    Theme,
    VersionStatus,
)
from onewindow.catalogue.quality import item_version_quality_problems
from onewindow.catalogue.selectors import bundle_materials, bundles_published, items_published
from onewindow.core.identifiers import basic_code_check, handling_code_check, implementation_code_check

pytestmark = pytest.mark.django_db


def published_versions() -> list[ItemVersion]:
    return list(
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("item__department", "item__basic")
        .prefetch_related("materials", "themes")
    )


def test_the_demo_has_150_published_items_from_12_departments_and_6_bundles(demo):
    items = items_published()
    assert items.count() >= 150
    assert items.values("department").distinct().count() >= 12
    assert bundles_published().count() >= 6
    assert Item.objects.filter(published_version__isnull=True).count() == 0


def test_every_code_validates_and_matches_its_department_level_and_type(demo):
    for version in published_versions():
        item = version.item
        assert implementation_code_check(item.implementation_code) == item.implementation_code
        assert basic_code_check(item.basic.basic_code) == item.basic.basic_code
        assert handling_code_check(item.handling_code) == item.handling_code
        assert item.implementation_code[:18] == item.department.credit_code
        assert item.implementation_code[18] == str(version.level)
        assert item.basic.basic_code[2:4] == version.item_type == item.basic.item_type, version.name


def test_each_basic_code_names_one_item(demo):
    # basic_item_ensure keeps the first name it saw: a code reused by another item would show a different name.
    mismatched = {
        version.name: version.item.basic.basic_code
        for version in published_versions()
        if version.name != version.item.basic.name and version.item.basic.items.count() == 1
    }
    assert mismatched == {}
    assert BasicItem.objects.count() >= 150


def test_every_published_guide_passes_the_quality_rules(demo):
    failures = {
        version.name: [p.message for p in problems]
        for version in published_versions()
        if (problems := item_version_quality_problems(version))
    }
    assert failures == {}


def test_every_guide_is_complete_enough_for_citizens(demo):
    for version in published_versions():
        assert version.materials.exists(), version.name
        assert version.themes.exists(), version.name
        assert version.keywords.strip(), version.name
        assert version.consultation_phone.startswith("0591-8"), version.name
        assert version.complaint_phone == "0591-12345"
        assert "《" in version.legal_basis, version.name
        assert (version.promised_days == 0) == (version.case_type == CaseType.IMMEDIATE), version.name
        if version.charges_fee:
            assert version.supports_online_payment and version.fee_basis, version.name


def test_every_form_schema_is_valid_json_schema_and_its_examples_validate(demo):
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    for version in published_versions():
        schema = version.form_schema
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema, format_checker=checker)
        assert schema["required"] and set(schema["required"]) <= set(schema["properties"]), version.name
        assert all(spec.get("title") for spec in schema["properties"].values()), version.name
        for example in schema.get("examples", []):
            errors = [error.message for error in validator.iter_errors(example)]
            assert errors == [], (version.name, errors)
        # PostgreSQL's jsonb does not keep key order: the field order lives in the UI hints.
        assert sorted(version.form_ui["order"]) == sorted(schema["properties"]), version.name


@pytest.mark.parametrize(
    ("id_number", "code"),
    [("35010219900101001", "citizen_id.length"), ("110105194912310021", "citizen_id.checksum")],
)
def test_form_schemas_refuse_a_bad_identity_number(demo, id_number, code):
    version = Item.objects.get(basic__basic_code="000107101000").published_version  # 普通护照签发
    example = dict(version.form_schema["examples"][0], id_number=id_number)
    assert [(p.name, p.code) for p in form_problems(version.form_schema, example)] == [("id_number", code)]


def test_platform_sourced_materials_name_their_licence_type(demo):
    elicence = Material.objects.filter(
        version__status=VersionStatus.PUBLISHED, source=MaterialSource.ELICENCE
    )
    assert elicence.exists()
    assert not elicence.filter(licence_type_code="").exists()
    assert elicence.filter(key="business-licence", licence_type_code="11100000000013127D001").exists()


def test_bundles_span_departments_and_ask_for_shared_materials_once(demo):
    for bundle in bundles_published():
        entries = list(bundle.entries.all())
        assert len({entry.item.department_id for entry in entries}) >= 2, bundle.name
        assert len({entry.stage for entry in entries}) >= 2, bundle.name
        merged = bundle_materials(bundle=bundle)
        total = sum(entry.item.published_version.materials.count() for entry in entries)
        assert len(merged) < total, bundle.name
        assert len({material.key for material, _ in merged}) == len(merged)


def test_high_frequency_services_are_covered(demo):
    names = " ".join(
        ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list("name", flat=True)
    )
    for wanted in [
        "企业设立登记",
        "个体工商户",
        "食品经营许可",
        "建设工程规划许可",
        "施工许可",
        "不动产首次登记",
        "不动产转移登记",
        "不动产抵押登记",
        "结婚登记",
        "离婚登记",
        "出生医学证明",
        "出生登记",
        "户口迁入",
        "居民身份证首次申领",
        "居民身份证换领",
        "居民身份证补领",
        "普通护照",
        "往来港澳通行证",
        "驾驶证期满换证",
        "机动车注册登记",
        "社会保障卡申领",
        "基本养老保险待遇申领",
        "失业保险金申领",
        "医疗保险参保登记",
        "异地就医备案",
        "提取住房公积金",
        "住房公积金个人住房贷款",
        "最低生活保障",
        "残疾人证",
        "小学一年级入学",
        "医师执业注册",
        "药品零售",
        "发票领用",
        "退役",
        "法律援助",
    ]:
        assert wanted in names, wanted


def test_popularity_ranks_everyday_services_first(demo):
    top = [item.published_version.name for item in items_published()[:20]]
    assert "企业设立登记（有限责任公司）" in top
    assert "居民身份证换领" in top
    assert Counter(item.popularity > 0 for item in Item.objects.all())[False] == 0


def test_negative_list_and_intermediaries_link_to_items(demo):
    licensed = NegativeListEntry.objects.filter(category=NegativeListEntry.Category.LICENSED)
    assert licensed.count() >= 5
    assert all(entry.items.exists() for entry in licensed)
    for service in IntermediaryService.objects.all():
        assert service.items.exists(), service.name
        assert service.institutions.exists(), service.name
    assert IntermediaryService.objects.filter(institutions__isnull=False).distinct().count() >= 3


def test_loading_again_creates_nothing_and_keeps_edits(demo):
    assert int(re.search(r"(\d+) items created", demo).group(1)) >= 150
    item = Item.objects.get(basic__basic_code="000117001000")  # 食品经营许可（新办）
    Item.objects.filter(pk=item.pk).update(popularity=1)
    Bundle.objects.filter(code="newborn").update(name="新生儿出生一件事")
    counts = (
        Item.objects.count(),
        ItemVersion.objects.count(),
        Material.objects.count(),
        Bundle.objects.count(),
    )

    report = StringIO()
    call_command("demo", stdout=report)

    assert "0 items created" in report.getvalue() and "0 bundles created" in report.getvalue()
    assert counts == (
        Item.objects.count(),
        ItemVersion.objects.count(),
        Material.objects.count(),
        Bundle.objects.count(),
    )
    item.refresh_from_db()
    assert item.popularity == 1
    assert Bundle.objects.get(code="newborn").name == "新生儿出生一件事"


# --- loaded from the exchange files (issue #12 point 8) ----------------------------------------------------

DEMO_FILES = Path(onewindow.__file__).resolve().parent / "demo" / "catalogue_exchange"


def test_the_demo_files_load_161_items_8_bundles_and_the_whole_lists(demo):
    assert (Item.objects.count(), items_published().count()) == (161, 161)
    assert Bundle.objects.count() == 8 and BundleItem.objects.count() == 38
    assert Theme.objects.count() == 35
    assert NegativeListEntry.objects.count() == 10
    assert (IntermediaryService.objects.count(), IntermediaryInstitution.objects.count()) == (4, 7)
    assert Material.objects.filter(version__status=VersionStatus.PUBLISHED).count() == 484


def test_the_demo_files_keep_forms_material_sources_and_bundle_stages(demo):
    setup = Item.objects.get(basic__basic_code="000110001000").published_version  # 企业设立登记
    assert setup.form_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert setup.form_schema["required"][:2] == ["company_name", "credit_code"]
    assert setup.form_ui["sections"][0]["title"] == "申请人信息"
    id_card = Material.objects.filter(key="id-card", version__status=VersionStatus.PUBLISHED).first()
    assert (id_card.source, id_card.licence_type_code) == (MaterialSource.ELICENCE, "11100000MB0148400N001")
    restaurant = Bundle.objects.get(code="open-restaurant")
    assert restaurant.popularity == 9200
    optional = restaurant.entries.filter(optional=True).values_list("stage", flat=True)
    assert sorted(optional) == [2, 3]


def test_exporting_the_demo_gives_back_its_files(demo, tmp_path):
    text_workbook_write(tmp_path, catalogue_sheets(export_versions(), lists=True))

    for path in sorted(tmp_path.iterdir()):
        assert path.read_bytes() == (DEMO_FILES / path.name).read_bytes(), path.name
