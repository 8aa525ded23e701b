"""Security monitoring in headless Chromium: wrong passwords on the sign-in page raise an alert; the platform
administrator opens 安全监测, reports an incident from the alert and takes it through 研判、处置、通报、关闭.
Screenshots of the dashboard (desktop and phone) and of the closed incident."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.secmon.models import Incident
from tests.factories import DEFAULT_PASSWORD

from .conftest import PHONE

pytestmark = pytest.mark.browser

DASHBOARD = "/workbench/security/"


def _sign_in(page, username, password):
    page.goto(f"/accounts/login/?next={DASHBOARD}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def test_an_administrator_handles_an_alert_from_failed_sign_ins(
    page, new_page, screenshot, settings, platform_admin
):
    settings.ONEWINDOW_SECMON_THRESHOLDS = {
        **settings.ONEWINDOW_SECMON_THRESHOLDS,
        "sign_in_failed": (3, 900),
    }
    for _ in range(3):
        _sign_in(page, "no_such_clerk", "wrong-password-1")
    _sign_in(page, platform_admin.username, DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(re.escape(DASHBOARD) + "$"))
    expect(page.get_by_role("heading", level=1, name="安全监测")).to_be_visible()
    alerts = page.get_by_role("region", name="未确认的告警")
    expect(alerts.get_by_role("row").filter(has_text="登录失败").first).to_be_visible()
    screenshot(page, "secmon-dashboard")

    page.get_by_label("来源告警").select_option(index=1)
    page.get_by_label("标题").fill("疑似撞库登录")
    page.get_by_label("事件级别").select_option("IV")
    page.get_by_label("事件经过").fill("同一地址短时间内多次登录失败。")
    page.get_by_role("button", name="报告安全事件").click()
    expect(page.get_by_role("heading", level=1, name="疑似撞库登录")).to_be_visible()

    for stage, note in [
        ("研判", "确认为撞库尝试"),
        ("处置", "封禁来源地址"),
        ("通报", "已通报网信部门"),
        ("关闭", "处置完毕"),
    ]:
        expect(page.get_by_role("heading", name=f"下一步：{stage}")).to_be_visible()
        page.get_by_label("本步骤处置说明").fill(note)
        page.get_by_role("button", name="登记本步骤").click()
    expect(page.get_by_text("该事件已关闭。")).to_be_visible()
    screenshot(page, "secmon-incident-closed")
    incident = Incident.objects.get()
    assert [s.stage for s in incident.steps.all()] == [
        "reported",
        "assessed",
        "contained",
        "notified",
        "closed",
    ]

    phone = new_page(PHONE)
    _sign_in(phone, platform_admin.username, DEFAULT_PASSWORD)
    expect(phone.get_by_role("heading", level=1, name="安全监测")).to_be_visible()
    screenshot(phone, "secmon-dashboard-phone")
