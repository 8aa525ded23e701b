"""Journeys through the real UI in headless Chromium, with role and label locators."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.core import clock
from onewindow.organisations.models import Department, Region
from onewindow.workbench.tests.workbooks import bad_workbook, good_workbook
from tests.e2e.conftest import PHONE
from tests.factories import DEFAULT_PASSWORD, DepartmentFactory, RegionFactory

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def log_in(page, username: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_portal_home_large_text_and_language_switch(page, new_page, screenshot, live_server):
    DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")
    DepartmentFactory(
        name="福州市公安局",
        short_name="市公安局",
        region=RegionFactory(code="350102", name="鼓楼区", level=3, parent=RegionFactory(city=True)),
    )

    page.goto("/")
    expect(page).to_have_title(re.compile("一网通办"))
    expect(page.get_by_role("heading", level=1)).to_have_text("一次申报，一码追踪")
    expect(page.get_by_role("heading", name="按部门办事")).to_be_visible()
    expect(page.get_by_role("heading", name="鼓楼区")).to_be_visible()
    expect(page.get_by_text("市市场监管局")).to_be_visible()
    expect(page.get_by_role("search").first.get_by_role("searchbox")).to_be_visible()
    expect(page.get_by_role("link", name="登录")).to_be_visible()

    # The large-text switch leads into the elderly mode (长辈版), which turns large text on everywhere.
    page.get_by_role("link", name="长辈版").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您要办什么？")
    page.goto("/")
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    expect(page.get_by_role("button", name="标准字号")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "portal-home-large-text")
    page.get_by_role("button", name="标准字号").click()
    expect(page.locator("html")).not_to_have_class(re.compile("large-text"))
    screenshot(page, "portal-home-desktop")

    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply once, track with one code")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "portal-home-english")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("一次申报，一码追踪")

    phone = new_page(PHONE)
    phone.goto("/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the page scrolls sideways"
    )
    screenshot(phone, "portal-home-phone")


def test_portal_search_finds_departments(page, screenshot):
    DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")
    page.goto("/")
    page.get_by_role("banner").get_by_role("searchbox").fill("市场监督")
    page.get_by_role("banner").get_by_role("button", name="搜索").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("与“市场监督”相符的部门共 1 个")
    expect(page.get_by_text("福州市市场监督管理局")).to_be_visible()
    screenshot(page, "portal-search")


def test_platform_admin_sees_roles_and_calendar_warning(page, new_page, screenshot, platform_admin):
    log_in(page, platform_admin.username)
    expect(page).to_have_url(re.compile("/workbench/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(platform_admin.name)
    roles = page.get_by_role("table")
    expect(roles.get_by_role("cell", name="平台管理员")).to_be_visible()
    expect(roles.get_by_role("cell", name="福州市市场监督管理局")).to_be_visible()
    next_year = str(clock.today().year + 1)
    warning = page.get_by_role("alert").filter(has_text=next_year)
    expect(warning).to_contain_text("尚未导入")
    expect(warning.get_by_role("link", name=f"导入 {next_year} 年节假日安排")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="工作台").get_by_role("link", name="导入组织机构")
    ).to_be_visible()
    screenshot(page, "workbench-home")

    phone = new_page(PHONE)
    log_in(phone, platform_admin.username)
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    phone.wait_for_load_state("load")  # the width is the styled page's, once the stylesheet is in
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the page scrolls sideways"
    )
    screenshot(phone, "workbench-home-phone")


def test_a_clerk_sees_no_admin_tools(page, clerk_a):
    log_in(page, clerk_a.username)
    expect(page.get_by_role("cell", name="窗口受理")).to_be_visible()
    expect(page.get_by_role("link", name="导入组织机构")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_organisation_import_shows_row_errors_then_imports(page, screenshot, platform_admin):
    log_in(page, platform_admin.username)
    page.get_by_role("link", name="导入组织机构").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("导入组织机构")

    page.get_by_label("工作簿（.xlsx）").set_input_files(
        {"name": "组织机构.xlsx", "mimeType": XLSX, "buffer": bad_workbook()}
    )
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_role("alert")).to_contain_text("导入未执行")
    problems = page.get_by_role("table", name="发现的问题")
    bad_row = problems.get_by_role("row").filter(has_text="369900")
    expect(bad_row.get_by_role("cell").nth(0)).to_have_text("部门")
    expect(bad_row.get_by_role("cell").nth(1)).to_have_text("3")
    expect(bad_row.get_by_role("cell").nth(2)).to_have_text("行政区划代码")
    assert not Region.objects.filter(code="360000").exists()
    assert not Department.objects.filter(name="南昌市行政审批局").exists()
    screenshot(page, "organisations-import-errors")

    page.get_by_label("工作簿（.xlsx）").set_input_files(
        {"name": "组织机构.xlsx", "mimeType": XLSX, "buffer": good_workbook()}
    )
    page.get_by_role("button", name="导入").click()
    result = page.get_by_role("status").filter(has_text="导入完成")
    expect(result).to_be_visible()
    expect(result.get_by_role("definition").nth(1)).to_have_text("2")
    assert Department.objects.filter(region__code="360100").count() == 2
    screenshot(page, "organisations-import-done")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载导入模板（.xlsx）").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_a_wrong_password_is_refused_in_chinese(page, screenshot, clerk_a):
    log_in(page, clerk_a.username, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确，请核对后重试（字母区分大小写）。")
    expect(page.get_by_label("用户名")).to_have_value(clerk_a.username)
    expect(page).to_have_url(re.compile("/accounts/login/"))
    screenshot(page, "login-wrong-password")
