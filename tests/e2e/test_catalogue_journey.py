"""A citizen's way through the catalogue in headless Chromium: search from the portal, read the guide, download
the blank form, print the guide, fill in the form online, open a life event; and the item page on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.catalogue import services
from onewindow.catalogue.models import Audience, CaseType, ItemType, MaterialSource
from onewindow.catalogue.search import search_index_rebuild
from onewindow.catalogue.tests.factories import ThemeFactory, material, published_item
from tests.e2e.conftest import PHONE
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.browser

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
            "properties": {
                "address": {"type": "string", "title": "详细地址", "examples": ["福州市鼓楼区五四路1号"]},
                "kind": {
                    "title": "经营类型",
                    "oneOf": [
                        {"const": "restaurant", "title": "餐馆"},
                        {"const": "canteen", "title": "单位食堂"},
                    ],
                },
            },
        },
        "pledge": {"type": "boolean", "const": True, "title": "本人承诺所填信息真实"},
    },
}


def _catalogue() -> str:
    market = DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")
    admin = DepartmentFactory(name="福州市行政审批局", short_name="市审批局")
    startup = ThemeFactory(code="startup", name="设立变更", audience=Audience.COMPANY)
    food = published_item(
        department=market,
        name="食品经营许可",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        keywords="开饭店 餐饮 食品经营",
        themes=[startup],
        popularity=900,
        faq=[{"q": "多久能拿证？", "a": "承诺 5 个工作日内办结。"}],
        form_schema=FORM_SCHEMA,
        form_ui={"help": {"id_number": "18 位，末位可能是 X"}},
        materials=[
            material(
                "business-licence", source=MaterialSource.ELICENCE, licence_type_code="11100000000013338W"
            ),
            material("application-form", name="食品经营许可申请书"),
            material("floor-plan", name="经营场所平面图"),
        ],
    )
    licence = published_item(
        department=admin,
        name="营业执照登记",
        item_type=ItemType.CONFIRMATION,
        promised_days=0,
        case_type=CaseType.IMMEDIATE,
        materials=[material("id-card"), material("application-form", name="企业登记申请书")],
    )
    services.bundle_save(
        actor=None,
        code="open-restaurant",
        name="开办餐饮店",
        audience=Audience.COMPANY,
        description="营业执照、食品经营许可一次申请、并联办理。",
        items=[(licence, 1, False), (food, 2, False)],
    )
    search_index_rebuild()
    return food.implementation_code


def test_search_read_download_print_fill_and_open_a_life_event(page, new_page, screenshot, live_server):
    code = _catalogue()

    page.goto("/services/")
    expect(page.get_by_role("link", name="设立变更")).to_be_visible()
    screenshot(page, "catalogue-home")
    page.goto("/")
    expect(page.get_by_role("link", name="开办餐饮店")).to_be_visible()
    page.get_by_role("banner").get_by_role("searchbox").fill("食品经营许可")
    page.get_by_role("banner").get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/services/search/\?q="))
    screenshot(page, "catalogue-search")
    page.get_by_role("link", name="食品经营许可").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    expect(page.get_by_role("cell", name=re.compile("食品经营许可申请书"))).to_be_visible()
    expect(page.get_by_text("《中华人民共和国食品安全法》第三十五条")).to_be_visible()
    screenshot(page, "catalogue-item-desktop")

    with page.expect_download() as blank:
        page.locator("#downloads").get_by_role(
            "link", name=re.compile("空白申请表|Blank application form")
        ).click()
    assert blank.value.suggested_filename.endswith(".pdf")
    assert blank.value.path().read_bytes()[:4] == b"%PDF"

    guide_link = page.get_by_role("link", name=re.compile("打印办事指南|Print the service guide"))
    guide = page.request.get(guide_link.get_attribute("href"))
    assert guide.ok and guide.headers["content-type"] == "application/pdf"
    assert guide.body().startswith(b"%PDF")

    page.get_by_role("link", name=re.compile("在线填表|Fill in the form online")).click()
    page.get_by_label("申请人姓名").fill("张三")
    page.get_by_label("身份证号码").fill("12345")
    page.get_by_role("button", name=re.compile("检查|Check")).click()
    expect(page.get_by_role("alert")).to_contain_text("身份证号码的格式不正确")
    expect(page.get_by_label("身份证号码")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "catalogue-form-errors")
    page.get_by_label("身份证号码").fill("11010519491231002X")
    page.get_by_label("详细地址").fill("福州市鼓楼区五四路1号")
    page.get_by_label("经营类型").select_option(label="餐馆")
    page.get_by_label("本人承诺所填信息真实").check()
    page.get_by_role("button", name=re.compile("检查|Check")).click()
    with page.expect_download() as filled:
        page.get_by_role("button", name=re.compile("PDF")).click()
    assert filled.value.path().read_bytes()[:4] == b"%PDF"
    screenshot(page, "catalogue-form-done")

    page.goto(f"/services/items/{code}/")
    page.get_by_role("link", name="开办餐饮店").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("开办餐饮店")
    expect(page.get_by_role("link", name="营业执照登记")).to_be_visible()
    # The application form is needed by both items and listed once.
    expect(page.get_by_role("cell", name=re.compile("^食品经营许可申请书$"))).to_have_count(0)
    screenshot(page, "catalogue-life-event")

    phone = new_page(PHONE)
    phone.goto(f"/services/items/{code}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the page scrolls sideways"
    )
    screenshot(phone, "catalogue-item-phone")
