"""A citizen applies online through the real UI: finds the item, applies with an upload, gets a correction
notice, corrects and resubmits, is accepted, and tracks the case anonymously by number and query password.

The clerk's side happens through the services here (the workbench pages are tested on their own)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.factories import PDF_BYTES, PNG_BYTES
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material, published_item
from tests.e2e.conftest import DESKTOP
from tests.factories import DEFAULT_PASSWORD, person

pytestmark = pytest.mark.browser

PHONE_390 = {"width": 390, "height": 844}
FORM_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["applicant_name", "shop_address"],
    "properties": {
        "applicant_name": {"type": "string", "title": "申请人姓名"},
        "shop_address": {"type": "string", "title": "经营场所地址"},
    },
}


def _item(department):
    return published_item(
        department=department,
        name="食品经营许可",
        form_schema=FORM_SCHEMA,
        form_ui={"order": ["applicant_name", "shop_address"]},
        materials=[
            material("id-card"),
            material("household-register", name="户口簿", source=MaterialSource.SHARED),
        ],
    )


def _pdf(name: str, content: bytes = PDF_BYTES) -> dict[str, object]:
    return {"name": name, "mimeType": "application/pdf", "buffer": content}


def _both_sizes(new_page, url: str, name: str, screenshot, prepare=None) -> None:
    """The same page on a desktop and on a 390×844 phone, in a fresh signed-in or anonymous context."""
    for size, suffix in ((DESKTOP, "desktop"), (PHONE_390, "phone")):
        page = new_page(size)
        if prepare:
            prepare(page)
        page.goto(url)
        screenshot(page, f"{name}-{suffix}")


def _sign_in(page, phone: str, next_url: str = "") -> None:
    page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label(re.compile("手机号码|Phone number")).fill(phone)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("^(登录|Log in)$")).click()


def test_apply_correct_accept_and_track(page, new_page, screenshot, department_a, clerk_a):
    citizen = person(1, name="张三")
    item = _item(department_a)

    # Signs in, finds the item among its department's services and opens its guide.
    _sign_in(page, "13900000001", reverse("catalogue:department", args=[department_a.pk]))
    page.get_by_role("link", name="食品经营许可").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    page.get_by_role("link", name=re.compile("在线办理|Apply online now")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("食品经营许可")
    _both_sizes(
        new_page,
        reverse("cases:apply", args=[item.implementation_code]),
        "cases-apply",
        screenshot,
        lambda p: _sign_in(p, "13900000001"),
    )
    page.get_by_role("button", name=re.compile("开始申请|Start the application")).click()

    # The draft: prefilled name, the platform obtains the household register, upload the ID card.
    expect(page.get_by_label("申请人姓名")).to_have_value("张三")
    expect(page.locator("#m-household-register input[type=file]")).to_have_count(0)
    page.get_by_label("经营场所地址").fill("福州市鼓楼区五四路1号")
    page.get_by_role("button", name=re.compile("保存草稿|Save draft")).click()
    expect(page.get_by_label("经营场所地址")).to_have_value("福州市鼓楼区五四路1号")
    page.locator("#file-id-card").set_input_files(files=[_pdf("身份证.pdf")])
    page.locator("#m-id-card").get_by_role("button", name=re.compile("上传|Upload")).click()
    expect(page.locator("#m-id-card").get_by_role("link", name="身份证.pdf")).to_be_visible()
    screenshot(page, "cases-draft-desktop")
    page.get_by_role("button", name=re.compile("提交申请|Submit the application")).click()
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED
    case_url = f"/cases/{case.pk}/"

    # The clerk asks for a correction; the citizen sees the notice and uploads a new file for that material.
    id_card = case.item_version.materials.get(key="id-card")
    services.case_correction_request(
        case=case, clerk=clerk_a, problems=[(id_card, "身份证照片不清晰，请重新上传正反面")]
    )
    page.goto(case_url)
    notice = page.locator("#notice")
    expect(notice).to_contain_text("身份证照片不清晰，请重新上传正反面")
    _both_sizes(new_page, case_url, "cases-correction", screenshot, lambda p: _sign_in(p, "13900000001"))
    page.locator("#file-id-card").set_input_files(files=[_pdf("身份证-清晰.png", PNG_BYTES)])
    page.locator("#m-id-card").get_by_role("button", name=re.compile("上传|Upload")).click()
    page.get_by_role("button", name=re.compile("补正后重新提交|Resubmit after correction")).click()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    # Accepted at the window: the citizen sees it in 我的办件 with its message.
    accepted = services.case_accept(case=case, clerk=clerk_a)
    number, password = accepted.case.number, accepted.query_password
    page.goto("/cases/")
    row = page.get_by_role("row").filter(has_text="食品经营许可")
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("已受理")
    _both_sizes(new_page, "/cases/", "cases-my-cases", screenshot, lambda p: _sign_in(p, "13900000001"))

    # Anyone with the number (from the QR code) and the password sees the timeline.
    for size, suffix in ((DESKTOP, "desktop"), (PHONE_390, "phone")):
        anonymous = new_page(size)
        anonymous.goto(f"/track/{number}/")
        expect(anonymous.get_by_label(re.compile("受理编号|Case number"))).to_have_value(number)
        anonymous.get_by_label(re.compile("查询密码|Query password")).fill(password)
        anonymous.get_by_role("button", name=re.compile("^(查询|Look up)$")).click()
        timeline = anonymous.locator(".case-timeline")
        expect(timeline).to_contain_text("补正")
        expect(timeline).to_contain_text("福州市市场监督管理局")
        expect(anonymous.locator(".cat-facts")).to_contain_text(f"{accepted.case.due_on:%Y-%m-%d}")
        screenshot(anonymous, f"cases-track-{suffix}")
    assert citizen.user.case_messages.count() >= 3
