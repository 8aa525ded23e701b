"""A citizen raises their assurance level from the step-up prompt of a service that needs L3, registers the
company they represent and authorises an agent; the account, verify and agents pages on desktop and phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.catalogue.tests.factories import published_item
from onewindow.identity.verifiers import SandboxIdentityVerifier
from tests.e2e.conftest import PHONE, signed_in_page
from tests.factories import person, valid_citizen_id

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}


def test_step_up_register_a_company_and_authorise_an_agent(new_page, live_server, screenshot):
    item = published_item(name="食品生产许可", min_assurance_level=3)
    citizen = person(140, level=1, name="张三")
    agent = person(141, name="赵六")
    form_url = f"/services/items/{item.implementation_code}/form/"
    page = signed_in_page(new_page, live_server, citizen.user)

    page.goto(form_url)
    step_up = page.get_by_role("alert")
    expect(step_up).to_contain_text("办理此事项需要 L3 认证，您当前为 L1")
    step_up.get_by_role("link", name="提升认证等级").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("身份核验")
    page.get_by_label("姓名（与身份证一致）").fill("张三")
    page.get_by_role("textbox", name=re.compile("^身份证号码")).fill(valid_citizen_id(140))
    screenshot(page, "identity-verify")
    page.get_by_role("button", name="核验", exact=True).click()

    expect(page.get_by_role("status").first).to_contain_text("L2")
    expect(page.get_by_role("note")).to_contain_text(SandboxIdentityVerifier.FACE_TOKEN)
    page.get_by_label("人脸核验结果").fill(SandboxIdentityVerifier.FACE_TOKEN)
    screenshot(page, "identity-verify-face")
    page.get_by_role("button", name="进行人脸核验").click()

    expect(page).to_have_url(re.compile(re.escape(form_url) + "$"))
    expect(page.get_by_role("button", name=re.compile("检查"))).to_be_visible()

    page.goto("/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(page.get_by_text(citizen.phone_masked)).to_be_visible()
    expect(page.get_by_text("L3", exact=True)).to_be_visible()
    page.get_by_role("link", name="登记我担任法定代表人的企业").click()
    page.get_by_label("统一社会信用代码").fill("91350100M000100Y43")
    page.get_by_role("button", name="登记企业").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("福州市闽江食品有限公司 的经办人")
    page.get_by_label("经办人的手机号码或身份证号码").fill(agent.phone)
    page.get_by_label("申办事项、提交材料").check()
    page.get_by_label("查询办件进度、接收通知").check()
    page.get_by_label("有效期至").fill("2027-06-30")
    page.get_by_role("button", name="授权", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("已授权 赵六 为经办人")
    row = page.get_by_role("row", name=re.compile("赵六"))
    expect(row).to_contain_text("2027-06-30")
    expect(row).to_contain_text("申办事项、提交材料")
    screenshot(page, "identity-agents")

    page.goto("/accounts/")
    acting = page.get_by_role("region", name="办事身份")
    acting.get_by_label("切换为").select_option(label="福州市闽江食品有限公司")
    acting.get_by_role("button", name="切换").click()
    expect(page.get_by_role("status").first).to_contain_text("已切换为代“福州市闽江食品有限公司”办事")
    screenshot(page, "identity-account")

    phone = signed_in_page(new_page, live_server, citizen.user, PHONE_390)
    phone.goto("/accounts/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("我的账户")
    screenshot(phone, "identity-account-phone")
    phone.get_by_role("link", name="管理经办人").first.click()
    expect(phone.get_by_role("row", name=re.compile("赵六"))).to_be_visible()
    screenshot(phone, "identity-agents-phone")


def test_verify_page_on_a_phone(new_page, live_server, screenshot):
    citizen = person(142, level=1, name="李四")
    page = signed_in_page(new_page, live_server, citizen.user, PHONE)
    page.goto("/accounts/verify/")
    page.get_by_label("姓名（与身份证一致）").fill("李四测试不通过")
    page.get_by_role("textbox", name=re.compile("^身份证号码")).fill(valid_citizen_id(142))
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("公安人口库")
    screenshot(page, "identity-verify-refused-phone")


def test_anonymous_visitors_may_print_the_form_and_are_told_to_sign_in_to_apply(page):
    item = published_item(name="食品生产许可", min_assurance_level=2)
    page.goto(f"/services/items/{item.implementation_code}/form/")
    expect(page.get_by_role("note")).to_contain_text("在线申报请先登录，并完成 L2 级实名认证")
    page.get_by_role("note").get_by_role("link", name="登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


def test_a_window_clerk_finds_reveals_and_verifies_in_person(new_page, live_server, screenshot, clerk_a):
    citizen = person(143, name="王小明")
    page = signed_in_page(new_page, live_server, clerk_a)
    page.goto("/workbench/identity/")
    page.get_by_label("手机号码或身份证号码").fill(citizen.phone)
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_role("heading", name="王小明")).to_be_visible()
    expect(page.get_by_text(citizen.id_number_masked)).to_be_visible()

    page.get_by_text("查看完整号码", exact=True).first.click()
    page.get_by_label("查看理由").fill("窗口受理核对身份")
    page.get_by_role("button", name="查看完整号码").click()
    expect(page.get_by_role("status").first).to_contain_text(citizen.id_number)
    screenshot(page, "identity-staff-reveal")

    page.get_by_label("所出示身份证上的号码").fill(citizen.id_number)
    page.get_by_label("已查验居民身份证原件，且为本人到场").check()
    page.get_by_role("button", name="窗口核验").click()
    expect(page.get_by_role("status").first).to_contain_text("L4")
    screenshot(page, "identity-staff-lookup")
