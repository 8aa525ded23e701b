"""Journeys through registration and sign-in: a citizen registers with the sandbox SMS code, signs out, signs
in by SMS code and looks at their signed-in browsers; a staff member sets up and then uses an authenticator."""

from __future__ import annotations

import base64
import re
import time

import pytest
from playwright.sync_api import expect

from onewindow.identity.models import TotpDevice
from onewindow.identity.services.totp import totp_code
from tests.e2e.conftest import PHONE
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

MOBILE = "13700000088"
PASSWORD = "Blue-Kettle-Harbour-9"


def _shown_sms_code(page) -> str:
    hint = page.get_by_role("note")
    expect(hint).to_contain_text("演示环境")
    return hint.locator(".sandbox-code").inner_text().strip()


def _totp_now(user, offset: int = 0) -> str:
    secret = TotpDevice.objects.get(user=user).secret
    return totp_code(base64.b32decode(secret + "=" * (-len(secret) % 8)), time.time() + offset)


def test_register_sign_out_sign_in_by_sms_and_see_sessions(page, new_page, screenshot):
    page.goto("/")
    page.get_by_role("banner").get_by_role("link", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("注册")
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("手机号码").fill(MOBILE)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(_shown_sms_code(page))
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label(re.compile("我已阅读并同意")).check()
    screenshot(page, "identity-register")
    page.get_by_role("button", name="注册", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("账号注册成功")
    expect(page).to_have_url(re.compile(r"/accounts/$"))

    page.get_by_role("banner").get_by_role("button", name="退出").click()
    expect(page.get_by_role("banner").get_by_role("link", name="登录")).to_be_visible()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="短信验证码登录").click()
    page.get_by_label("手机号码").fill(MOBILE)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(_shown_sms_code(page))
    screenshot(page, "identity-login-sms")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/$"))

    page.goto("/accounts/sessions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录设备管理")
    expect(page.get_by_text("当前浏览器")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("短信验证码"))).to_be_visible()
    screenshot(page, "identity-sessions")

    phone = new_page(PHONE)
    phone.goto("/accounts/login/")
    expect(phone.get_by_role("button", name="登录", exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the page scrolls sideways"
    )
    screenshot(phone, "identity-login-phone")


def test_repeated_wrong_passwords_lock_the_account(page, screenshot, citizen, settings):
    settings.ONEWINDOW_LOCKOUT_THRESHOLD = 3
    page.goto("/accounts/login/")
    for _ in range(3):
        page.get_by_label("用户名").fill("13900000001")
        page.get_by_label("密码", exact=True).fill("not-the-password")
        page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("账号已暂时锁定")
    screenshot(page, "identity-login-locked")


def test_staff_set_up_an_authenticator_then_sign_in_with_its_code(page, screenshot, clerk_a, settings):
    settings.ONEWINDOW_STAFF_TOTP_REQUIRED = True
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(clerk_a.username)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("绑定验证器应用")
    expect(page.get_by_role("img", name="供验证器应用扫描的二维码")).to_be_visible()
    screenshot(page, "identity-totp-enrol")
    page.get_by_label("动态验证码").fill(_totp_now(clerk_a))
    page.get_by_role("button", name="确认").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))

    page.get_by_role("banner").get_by_role("button", name="退出").click()
    page.goto("/accounts/login/?next=/workbench/")
    page.get_by_label("用户名").fill(clerk_a.username)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("动态验证码")
    # The step after the enrolment's (the ±1 window accepts it): the enrolment's own code is never reused.
    page.get_by_label("动态验证码").fill(_totp_now(clerk_a, offset=30))
    screenshot(page, "identity-login-totp")
    page.get_by_role("button", name="确认").click()
    expect(page).to_have_url(re.compile(r"/workbench/$"))
