"""The citizen catalogue pages: browsing, search, the item guide and its PDFs, the application form, life
events and the published lists with their exports."""

from __future__ import annotations

import csv
import io
import re
import zlib
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from onewindow.catalogue import services
from onewindow.catalogue.models import (
    Audience,
    CaseType,
    HandlingForm,
    IntermediaryInstitution,
    IntermediaryService,
    Item,
    ItemType,
    Material,
    MaterialSource,
    Necessity,
    NegativeListEntry,
    OnlineDepth,
)
from onewindow.catalogue.search import SearchHit, SearchResult
from onewindow.catalogue.tests.factories import ThemeFactory, guide, material, next_basic_code, published_item
from onewindow.core.middleware import CONTENT_SECURITY_POLICY
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

FORM_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["applicant_name", "id_number", "pledge"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名", "examples": ["张三"]},
        "id_number": {
            "type": "string",
            "title": "身份证号码",
            "pattern": "^[0-9]{17}[0-9X]$",
            "examples": ["11010519491231002X"],
        },
        "shop": {
            "type": "object",
            "title": "经营场所",
            "properties": {"address": {"type": "string", "title": "详细地址", "examples": ["五四路1号"]}},
        },
        "pledge": {"type": "boolean", "const": True, "title": "本人承诺所填信息真实"},
    },
}


@pytest.fixture
def catalogue():
    """A small catalogue like the demo one: two departments, themes, two items, a bundle and the lists."""
    market = DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")
    health = DepartmentFactory(name="福州市卫生健康委员会", short_name="市卫健委")
    birth = ThemeFactory(code="birth", name="生育收养", audience=Audience.PERSON)
    startup = ThemeFactory(code="startup", name="设立变更", audience=Audience.COMPANY)
    food = published_item(
        department=market,
        name="食品经营许可",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        themes=[startup],
        joint_departments=[health],
        popularity=900,
        charges_fee=True,
        fee_items=[{"name": "工本费", "standard": "10 元/证", "basis": "闽价〔2020〕1号", "waivable": True}],
        fee_basis="闽价〔2020〕1号",
        supports_online_payment=True,
        faq=[{"q": "多久能拿证？", "a": "承诺 5 个工作日。"}],
        form_schema=FORM_SCHEMA,
        form_ui={"order": ["applicant_name", "id_number"]},
        materials=[
            material("id-card", source=MaterialSource.ELICENCE, licence_type_code="111"),
            material("application-form", name="食品经营许可申请书"),
            material(
                "lease", name="经营场所租赁合同", necessity=Necessity.CONDITIONAL, condition="场所为租赁的"
            ),
        ],
    )
    birth_cert = published_item(
        department=health,
        name="出生医学证明办理",
        item_type=ItemType.PUBLIC_SERVICE,
        themes=[birth],
        promised_days=0,
        case_type=CaseType.IMMEDIATE,
        handling_forms=[HandlingForm.WINDOW],
        online_depth=[OnlineDepth.CONSULTATION],
        onsite_visits=1,
        onsite_reason="须核验新生儿父母身份",
        form_schema={},
        form_ui={},
    )
    bundle = services.bundle_save(
        actor=None,
        code="open-restaurant",
        name="开办餐饮店",
        audience=Audience.COMPANY,
        description="营业执照、食品经营许可一次办。",
        items=[(food, 1, False), (birth_cert, 2, True)],
    )
    entry = NegativeListEntry.objects.create(
        code="201",
        category=NegativeListEntry.Category.LICENSED,
        title="未获得许可，不得从事食品经营",
        measures="食品经营许可",
        legal_basis="《中华人民共和国食品安全法》",
    )
    entry.items.add(food)
    survey = IntermediaryService.objects.create(
        code="ZJ001",
        name="房产测绘报告",
        legal_basis="《不动产登记暂行条例》",
        department=market,
        time_limit_days=5,
    )
    survey.items.add(food)
    institution = IntermediaryInstitution.objects.create(
        name="福州测绘院",
        credit_code="91350100M000100Y43",
        qualification="乙级测绘资质",
        region=market.region,
        phone="0591-88888888",
        address="福州市鼓楼区",
    )
    institution.services.add(survey)
    return SimpleNamespace(
        market=market, health=health, birth=birth, food=food, birth_cert=birth_cert, bundle=bundle
    )


def _draft_item(department) -> Item:
    fields = guide(name="未发布的事项")
    basic = services.basic_item_ensure(
        actor=None, basic_code=next_basic_code(), name=fields["name"], item_type=fields["item_type"]
    )
    return services.item_create(
        actor=None, basic=basic, department=department, region=department.region, **fields
    ).item


def test_every_page_answers_without_inline_script_or_style(client, catalogue):
    code = catalogue.food.implementation_code
    urls = [
        reverse("catalogue:home"),
        reverse("catalogue:department", args=[catalogue.market.pk]),
        reverse("catalogue:theme", args=["birth"]),
        reverse("catalogue:region", args=[catalogue.market.region.code]),
        reverse("catalogue:search") + "?q=食品",
        reverse("catalogue:item", args=[code]),
        reverse("catalogue:item", args=[catalogue.birth_cert.implementation_code]),
        reverse("catalogue:item_form", args=[code]),
        reverse("catalogue:bundles"),
        reverse("catalogue:bundle", args=["open-restaurant"]),
        reverse("catalogue:power_list"),
        reverse("catalogue:public_service_list"),
        reverse("catalogue:negative_list"),
        reverse("catalogue:intermediaries"),
        reverse("portal:home"),
    ]
    for url in urls:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "<script>" not in page and "style=" not in page and "<style" not in page, url


def test_the_home_pages_lead_into_the_catalogue(client, catalogue):
    for url in (reverse("catalogue:home"), reverse("portal:home")):
        page = client.get(url).content.decode()
        assert reverse("catalogue:item", args=[catalogue.food.implementation_code]) in page
        assert reverse("catalogue:bundle", args=["open-restaurant"]) in page
        assert reverse("catalogue:theme", args=["birth"]) in page and "生育收养" in page
    page = client.get(reverse("portal:home")).content.decode()
    assert f'action="{reverse("catalogue:search")}"' in page


def test_the_item_page_shows_the_whole_guide_in_order(client, catalogue):
    page = client.get(reverse("catalogue:item", args=[catalogue.food.implementation_code])).content.decode()
    order = [
        'id="basic"',
        'id="conditions"',
        'id="materials"',
        'id="process"',
        'id="time"',
        'id="fees"',
        'id="where"',
        'id="phones"',
        'id="faq"',
        'id="basis"',
        'id="result"',
        'id="joint"',
        'id="intermediary"',
        'id="scope"',
        'id="online"',
        'id="visits"',
        'id="downloads"',
        'id="changes"',
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    for text in (
        "食品经营许可",
        "《中华人民共和国食品安全法》第三十五条",
        "食品经营许可申请书",
        "场所为租赁的",
        "工本费",
        "10 元/证",
        "多久能拿证？",
        "福州市卫生健康委员会",
        "房产测绘报告",
        "0591-87654321",
        catalogue.food.handling_code,
    ):
        assert text in page, text
    # The e-licence material is fetched by the platform: marked, and not counted as one to bring.
    assert page.count('class="cat-exempt"') == 1
    code = catalogue.food.implementation_code
    for name in ("item_form", "item_guide_pdf", "item_form_blank_pdf", "item_form_sample_pdf"):
        assert reverse(f"catalogue:{name}", args=[code]) in page
    assert reverse("catalogue:bundle", args=["open-restaurant"]) in page


def test_an_item_without_online_handling_has_no_apply_button(client, catalogue):
    code = catalogue.birth_cert.implementation_code
    page = client.get(reverse("catalogue:item", args=[code])).content.decode()
    assert reverse("catalogue:item_form", args=[code]) not in page
    assert "须核验新生儿父母身份" in page
    assert client.get(reverse("catalogue:item_form", args=[code])).status_code == 404
    assert client.get(reverse("catalogue:item_form_blank_pdf", args=[code])).status_code == 404


def test_the_public_change_log_lists_every_published_version(client, catalogue):
    item = catalogue.food
    draft = services.item_version_new_draft(actor=None, item=item, change_note="承诺时限由 5 日压缩为 3 日")
    services.item_version_update(actor=None, version=draft, promised_days=3)
    services.item_version_submit(actor=None, version=draft)
    services.item_version_review(actor=None, version=draft, approve=True)
    response = client.get(reverse("catalogue:item", args=[item.implementation_code]))
    assert [v.number for v in response.context["change_log"]] == [2, 1]
    assert "承诺时限由 5 日压缩为 3 日" in response.content.decode()


def test_unknown_and_unpublished_items_are_not_found(client, catalogue):
    draft = _draft_item(catalogue.market)
    for code in ("NOPE", draft.implementation_code):
        for name in ("item", "item_guide_pdf", "item_form"):
            assert client.get(reverse(f"catalogue:{name}", args=[code])).status_code == 404
    assert client.get(reverse("catalogue:bundle", args=["no-such-event"])).status_code == 404
    assert client.get(reverse("catalogue:theme", args=["no-such-theme"])).status_code == 404
    assert client.get(reverse("catalogue:region", args=["999999"])).status_code == 404
    assert client.get(reverse("catalogue:department", args=[draft.pk])).status_code == 404


def test_unpublished_items_stay_out_of_the_lists(client, catalogue):
    _draft_item(catalogue.market)
    response = client.get(reverse("catalogue:department", args=[catalogue.market.pk]))
    assert [i.pk for i in response.context["page"].object_list] == [catalogue.food.pk]


def pdf_title(content: bytes) -> str:
    """The document title WeasyPrint writes from <title> (in a compressed object stream, UTF-16 hex)."""
    streams = b"".join(
        # decompressobj: a stream whose last byte is a CR or LF is cut short by the pattern; keep what inflates.
        zlib.decompressobj().decompress(m.group(1))
        for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S)
        if m.group(1)[:1] == b"x"
    )
    found = re.search(rb"/Title <feff([0-9a-f]*)>", streams + content, re.I)
    return bytes.fromhex(found.group(1).decode()).decode("utf-16-be") if found else ""


def _pdf_ok(response, name: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert name in pdf_title(response.content)


def test_the_printable_guide_is_a_pdf(client, catalogue):
    response = client.get(reverse("catalogue:item_guide_pdf", args=[catalogue.food.implementation_code]))
    _pdf_ok(response, "食品经营许可")
    assert response["Content-Disposition"].startswith("inline")


def test_the_blank_and_sample_forms_are_pdf_downloads(client, catalogue):
    code = catalogue.food.implementation_code
    for name in ("item_form_blank_pdf", "item_form_sample_pdf"):
        response = client.get(reverse(f"catalogue:{name}", args=[code]))
        _pdf_ok(response, "食品经营许可")
        assert response["Content-Disposition"].startswith("attachment")


def test_material_files_download_only_when_uploaded(client, catalogue):
    version = catalogue.food.published_version
    Material.objects.filter(version=version, key="application-form").update(blank_form="")
    material_row = Material.objects.get(version=version, key="application-form")
    material_row.blank_form.save("shenqingshu.docx", ContentFile(b"blank form"), save=True)
    code = catalogue.food.implementation_code
    response = client.get(reverse("catalogue:material_blank_form", args=[code, "application-form"]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"blank form"
    assert (
        client.get(reverse("catalogue:material_sample", args=[code, "application-form"])).status_code == 404
    )
    assert client.get(reverse("catalogue:material_blank_form", args=[code, "no-such"])).status_code == 404
    page = client.get(reverse("catalogue:item", args=[code])).content.decode()
    assert reverse("catalogue:material_blank_form", args=[code, "application-form"]) in page


def test_the_form_is_prefilled_with_the_signed_in_users_name(client, catalogue):
    client.force_login(UserFactory(name="王小明"))
    response = client.get(reverse("catalogue:item_form", args=[catalogue.food.implementation_code]))
    assert 'name="applicant_name" value="王小明"' in response.content.decode()


def test_form_errors_are_chinese_next_to_the_fields_and_nothing_is_written(client, catalogue):
    from onewindow.core.models import AuditEntry

    before = AuditEntry.objects.count()
    response = client.post(
        reverse("catalogue:item_form", args=[catalogue.food.implementation_code]),
        {"applicant_name": "张三", "id_number": "12345"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "身份证号码的格式不正确，请核对后重新填写。" in page
    assert "请确认并勾选“本人承诺所填信息真实”。" in page
    assert 'id="f-id_number-error"' in page and 'aria-invalid="true"' in page
    assert 'value="张三"' in page
    assert AuditEntry.objects.count() == before


def test_a_valid_form_offers_the_filled_pdf(client, catalogue):
    code = catalogue.food.implementation_code
    response = client.post(
        reverse("catalogue:item_form", args=[code]),
        {
            "applicant_name": "张三",
            "id_number": "11010519491231002X",
            "shop.address": "五四路1号",
            "pledge": "on",
        },
    )
    assert response.status_code == 200 and response.context["valid"]
    assert reverse("catalogue:item_form_filled_pdf", args=[code]) in response.content.decode()
    pdf = client.post(
        reverse("catalogue:item_form_filled_pdf", args=[code]), {"data": response.context["data_json"]}
    )
    _pdf_ok(pdf, "食品经营许可")


def test_the_filled_pdf_refuses_data_that_does_not_validate(client, catalogue):
    url = reverse("catalogue:item_form_filled_pdf", args=[catalogue.food.implementation_code])
    assert client.post(url, {"data": '{"applicant_name": "张三"}'}).status_code == 400
    assert client.post(url, {"data": "not json"}).status_code == 400
    assert client.get(url).status_code == 405


def test_search_shows_items_bundles_and_suggestions(client, catalogue, monkeypatch):
    def search_catalogue(query: str, limit: int = 50) -> SearchResult:
        return SearchResult(
            hits=[
                SearchHit("bundle", "open-restaurant", "开办餐饮店", 2.0),
                SearchHit("item", catalogue.food.implementation_code, "食品经营许可", 1.0),
                SearchHit("item", "GONE", "已撤销的事项", 0.5),
            ],
            corrected_query="食品经营",
            suggestions=["食品经营许可"],
        )

    monkeypatch.setattr("onewindow.catalogue.search.search_catalogue", search_catalogue)
    response = client.get(reverse("catalogue:search"), {"q": "食品经鹰"})
    page = response.content.decode()
    assert [h["kind"] for h in response.context["hits"]] == ["bundle", "item"]
    assert page.index("开办餐饮店") < page.index(catalogue.food.implementation_code)
    assert "?q=%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5%E8%AE%B8%E5%8F%AF" in page


def test_search_finds_published_items(client, catalogue):
    response = client.get(reverse("catalogue:search"), {"q": "食品经营许可"})
    refs = [h["record"].pk for h in response.context["hits"] if h["kind"] == "item"]
    assert catalogue.food.pk in refs


def test_an_empty_search_shows_the_form_only(client, catalogue):
    response = client.get(reverse("catalogue:search"))
    assert response.status_code == 200 and response.context["hits"] == []


def test_the_bundle_page_merges_the_guide_and_the_checklist(client, catalogue):
    response = client.get(reverse("catalogue:bundle", args=["open-restaurant"]))
    page = response.content.decode()
    assert [s["number"] for s in response.context["stages"]] == [1, 2]
    assert response.context["total_days"] == 5
    keys = [m.key for m, _ in response.context["materials"]]
    assert keys.count("application-form") == 1 and "id-card" not in keys
    merged = dict((m.key, items) for m, items in response.context["materials"])
    assert {i.pk for i in merged["application-form"]} == {catalogue.food.pk, catalogue.birth_cert.pk}
    assert "福州市市场监督管理局" in page and "福州市卫生健康委员会" in page


def test_lists_hold_the_right_items(client, catalogue):
    power = client.get(reverse("catalogue:power_list")).context["page"].object_list
    public = client.get(reverse("catalogue:public_service_list")).context["page"].object_list
    assert [i.pk for i in power] == [catalogue.food.pk]
    assert [i.pk for i in public] == [catalogue.birth_cert.pk]
    filtered = client.get(reverse("catalogue:power_list"), {"department": catalogue.health.pk})
    assert list(filtered.context["page"].object_list) == []
    ignored = client.get(reverse("catalogue:power_list"), {"department": "not-an-id"})
    assert len(ignored.context["page"].object_list) == 1


def test_lists_export_as_xlsx_and_csv(client, catalogue):
    response = client.get(reverse("catalogue:power_list"), {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "事项名称", "事项类型") and rows[1][1] == "食品经营许可"
    assert rows[1][4] == catalogue.food.implementation_code

    response = client.get(reverse("catalogue:negative_list"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "编号" and rows[1][0] == "201" and rows[1][5] == "食品经营许可"

    response = client.get(reverse("catalogue:intermediaries"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["中介服务事项", "中介机构名录"]
    assert workbook["中介机构名录"]["A2"].value == "福州测绘院"
    response = client.get(reverse("catalogue:intermediaries"), {"format": "csv", "table": "institutions"})
    assert "福州测绘院" in response.content.decode("utf-8-sig")


def test_lists_cost_a_fixed_number_of_queries(client, catalogue, django_assert_max_num_queries):
    for n in range(8):
        published_item(department=catalogue.market, name=f"批量事项{n}")
    for url in (
        reverse("catalogue:power_list"),
        reverse("catalogue:department", args=[catalogue.market.pk]),
        reverse("catalogue:region", args=[catalogue.market.region.code]),
        reverse("catalogue:home"),
        reverse("catalogue:negative_list"),
        reverse("catalogue:intermediaries"),
        reverse("catalogue:bundles"),
        reverse("portal:home"),
    ):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


# --- the demo catalogue (kept last: the module-scoped demo stays loaded until the module ends) ---------


def test_the_demo_catalogue_renders_everywhere(client, demo, db, django_assert_max_num_queries):
    from onewindow.catalogue.selectors import bundles_published, items_published

    for url in (
        reverse("catalogue:home"),
        reverse("catalogue:bundles"),
        reverse("catalogue:power_list"),
        reverse("catalogue:public_service_list"),
        reverse("catalogue:negative_list"),
        reverse("catalogue:intermediaries"),
        reverse("portal:home"),
    ):
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200, url
    for bundle in bundles_published():
        assert client.get(reverse("catalogue:bundle", args=[bundle.code])).status_code == 200
    for item in items_published():
        # An uncached guide (a cached one costs one query): the published FAQ of the consult app and the 好评率
        # of the ratings app each read one more table.
        with django_assert_max_num_queries(14):
            response = client.get(reverse("catalogue:item", args=[item.implementation_code]))
        assert response.status_code == 200, item.implementation_code
        if (item.published_version.form_schema or {}).get("properties"):
            assert (
                client.get(reverse("catalogue:item_form", args=[item.implementation_code])).status_code == 200
            )


def test_a_demo_guide_prints_with_its_name(client, demo, db):
    from onewindow.catalogue.selectors import items_published

    item = items_published().filter(published_version__name__contains="食品经营许可").first()
    response = client.get(reverse("catalogue:item_guide_pdf", args=[item.implementation_code]))
    _pdf_ok(response, item.published_version.name)
    if (item.published_version.form_schema or {}).get("properties"):
        sample = client.get(reverse("catalogue:item_form_sample_pdf", args=[item.implementation_code]))
        _pdf_ok(sample, item.published_version.name)


def test_the_form_is_prefilled_with_the_signed_in_persons_id_number(client, catalogue):
    from tests.factories import person, valid_citizen_id

    client.force_login(person(57, name="王小明").user)
    response = client.get(reverse("catalogue:item_form", args=[catalogue.food.implementation_code]))
    assert f'value="{valid_citizen_id(57)}"' in response.content.decode()


def test_an_item_with_both_a_person_and_a_company_theme_of_one_name_shows_it_once(client, catalogue):
    twin = ThemeFactory(code="company-birth", name="生育收养", audience=Audience.COMPANY)
    from onewindow.catalogue.models import Theme

    birth = Theme.objects.get(code="birth")
    catalogue.food.published_version.themes.set([birth, twin])

    page = client.get(reverse("catalogue:item", args=[catalogue.food.implementation_code])).content.decode()

    assert page.count("生育收养") == 1
