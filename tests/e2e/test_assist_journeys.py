"""帮办代办, 长辈版 and the kiosk in headless Chromium.

- A village service station files for a resident who has never signed in (no phone login): identified by the
  ID card on the reader, the application filled in with them, consent signed on the screen; the resident
  then signs in by SMS code and finds the case in 我的办件, marked "由 … 帮办".
- The elderly mode on a phone: the featured items, a call-back request that staff then see and close.
- The kiosk at a self-service machine's size: the start screen, a guide to print, ID card sign-in and the
  automatic sign-out after inactivity, which ends the server session and clears the browser's storage.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from onewindow.assist.models import CallbackRequest, FeaturedList
from onewindow.assist.services import featured_items_set
from onewindow.cases.tests.factories import case_item, material_of
from onewindow.catalogue.tests.factories import published_item
from onewindow.halls import services as hall_services
from onewindow.halls.models import CentreKind
from onewindow.identity.services.people import person_create
from onewindow.organisations.models import Role
from tests.e2e.conftest import PHONE, SCREENSHOTS, signed_in_page
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, valid_citizen_id

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
KIOSK = {"width": 1080, "height": 1920}
RESIDENT_NAME = "林阿婆"
RESIDENT_ID = valid_citizen_id(77, born="19450812")
RESIDENT_PHONE = "13912345677"
STATION = "三坊七巷社区便民服务站"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "assist"


def keep(name: str) -> None:
    """Copy a journey's screenshot into the docs (docs/screenshots/assist/)."""
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENSHOTS / f"{name}.png", DOCS / f"{name}.png")


@pytest.fixture
def station_helper(db):
    bureau = DepartmentFactory(name="鼓楼区行政服务中心管理委员会", short_name="鼓楼区行政服务中心")
    station = hall_services.centre_create(
        actor=None,
        name=STATION,
        kind=CentreKind.VILLAGE_STATION,
        region=bureau.region,
        window_department=bureau,
        address="南后街社区居委会一楼",
        opening_hours="周一至周五 8:30—17:30",
        phone="0591-87551234",
    )
    helper = MembershipFactory(
        user=UserFactory(username="helper", name="帮办员 陈秀英", is_staff=True),
        department=bureau,
        role=Role.WINDOW_CLERK,
    ).user
    hall_services.window_clerk_assign(actor=None, centre=station, user=helper)
    return station, helper


def _sign(page) -> None:
    pad = page.locator("canvas.assist-signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 60 + (18 if step % 2 else -18))
    page.mouse.up()


def test_a_village_station_files_for_a_resident_who_then_finds_it_in_my_cases(
    new_page, live_server, screenshot, station_helper
):
    _station, helper = station_helper
    item = case_item(
        department=DepartmentFactory(name="福州市民政局", short_name="市民政局"), name="高龄津贴申领"
    )

    page = signed_in_page(new_page, live_server, helper)
    page.goto("/workbench/assist/")
    expect(page.get_by_role("heading", level=1)).to_have_text(STATION)
    page.get_by_role("link", name="为群众帮办").click()

    # The sandbox reader: the card "placed" on this counter's reader, then read.
    page.get_by_text("演示环境：在模拟读卡器上放置身份证").click()
    page.get_by_label("身份证上的姓名").fill(RESIDENT_NAME)
    page.get_by_label("身份证上的号码").fill(RESIDENT_ID)
    page.get_by_role("button", name="放置身份证").click()
    page.get_by_role("button", name="读取身份证").click()
    expect(page.get_by_label(re.compile("^姓名"))).to_have_value(RESIDENT_NAME)
    expect(page.get_by_label(re.compile("^身份证号码"))).to_have_value(RESIDENT_ID)
    page.get_by_label(re.compile("^手机号码")).fill(RESIDENT_PHONE)
    screenshot(page, "assist-identify")
    page.get_by_role("button", name="确认群众身份").click()
    expect(page.get_by_role("status").first).to_contain_text("现场核验")

    page.get_by_role("combobox", name=re.compile("事项")).select_option(label="高龄津贴申领（市民政局）")
    page.get_by_role("button", name="选择").click()
    page.get_by_label("申请人姓名").fill(RESIDENT_NAME)
    for key in ("id-card", "application-form"):
        page.locator(f"#material-{material_of(item, key).pk}").set_input_files(
            files=[{"name": f"{key}.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
    expect(page.get_by_label("屏幕手写签名")).to_be_checked()
    expect(page.get_by_text(f"本人{RESIDENT_NAME}同意由{STATION}工作人员代为填写并提交")).to_be_visible()
    _sign(page)
    screenshot(page, "assist-consent-signature")
    page.get_by_role("button", name="以群众本人名义提交").click()
    expect(page.get_by_role("status").first).to_contain_text(f"已为{RESIDENT_NAME}提交申请")
    expect(page.get_by_text("屏幕手写签名").first).to_be_visible()
    screenshot(page, "assist-filed")
    keep("assist-filed")

    # The resident had no login: she signs in with the phone registered at the station, by SMS code.
    resident = new_page(PHONE)
    resident.goto("/accounts/login/")
    resident.get_by_role("link", name="短信验证码登录").click()
    resident.get_by_label("手机号码").fill(RESIDENT_PHONE)
    resident.get_by_role("button", name="获取验证码").click()
    resident.get_by_label("短信验证码").fill(
        resident.get_by_role("note").locator(".sandbox-code").inner_text().strip()
    )
    resident.get_by_role("button", name="登录", exact=True).click()
    resident.goto("/cases/")
    resident.get_by_role("link", name=re.compile("高龄津贴申领")).first.click()
    expect(resident.get_by_text(f"由{STATION}帮办")).to_be_visible()
    screenshot(resident, "assist-resident-case-phone")
    keep("assist-resident-case-phone")
    assert get_user_model().objects.get(name=RESIDENT_NAME).person.cases.count() == 1


def test_the_elderly_mode_on_a_phone_and_a_call_back_staff_see(
    new_page, live_server, screenshot, station_helper
):
    _station, helper = station_helper
    department = DepartmentFactory(name="福州市医疗保障局", short_name="市医保局")
    entries = [
        (published_item(department=department, name="城乡居民基本养老保险待遇申领"), "领养老金"),
        (published_item(department=department, name="城乡居民基本医疗保险参保登记"), "医保参保"),
        (published_item(department=department, name="高龄津贴发放"), "高龄津贴"),
        (published_item(department=department, name="老年人优待证办理"), "老年优待证"),
    ]
    featured_items_set(actor=None, listing=FeaturedList.ELDERLY, entries=entries)

    page = new_page(PHONE)
    page.goto("/")
    page.get_by_role("link", name="长辈版").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您要办什么？")
    # The heading is in the DOM before the stylesheet has arrived; computed styles are only
    # the elderly mode's once the page has loaded (CI once read the browser's default 16 px).
    page.wait_for_load_state("load")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 21
    for label in ("领养老金", "医保参保", "高龄津贴", "老年优待证"):
        expect(page.get_by_role("link", name=re.compile(label))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("让家人帮我办"))).to_have_attribute(
        "href", "/accounts/representatives/"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the page scrolls sideways"
    )
    screenshot(page, "elderly-home-phone")
    keep("elderly-home-phone")

    page.get_by_label("您的称呼").fill("王大爷")
    page.get_by_label("您的手机号码").fill("13912340001")
    page.get_by_label("想咨询什么（可不填）").fill("养老金怎么领？")
    page.get_by_role("button", name="请给我回电话").click()
    expect(page.get_by_role("status").first).to_contain_text("一个工作日内")
    assert CallbackRequest.objects.get().name == "王大爷"

    staff = signed_in_page(new_page, live_server, helper)
    staff.goto("/workbench/assist/callbacks/")
    expect(staff.get_by_text("养老金怎么领？")).to_be_visible()
    expect(staff.get_by_role("link", name=re.compile(r"139\*\*\*\*0001"))).to_be_visible()
    screenshot(staff, "assist-callbacks")
    keep("assist-callbacks")
    staff.get_by_label("回电结果").fill("已告知携带身份证和银行卡到社区办理")
    staff.get_by_role("button", name="标记为已回电").click()
    expect(staff.get_by_text("没有待回电的请求。")).to_be_visible()


def test_the_kiosk_prints_a_guide_signs_in_by_card_and_signs_out_when_idle(
    new_page, live_server, screenshot, settings
):
    item = published_item(
        department=DepartmentFactory(name="福州市公安局", short_name="市公安局"), name="居民身份证换领"
    )
    person_create(name=RESIDENT_NAME, phone=RESIDENT_PHONE, id_number=RESIDENT_ID)

    page = new_page(KIOSK)
    page.goto("/kiosk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("您要办什么？")
    screenshot(page, "kiosk-home")
    keep("kiosk-home")
    page.get_by_role("link", name=re.compile("查找事项、打印指南")).click()
    page.get_by_role("link", name=re.compile("居民身份证换领")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("居民身份证换领")
    expect(page.get_by_role("button", name="打印办事指南")).to_be_visible()
    expect(page.get_by_role("link", name="打开 PDF 版指南")).to_have_attribute(
        "href", f"/services/items/{item.implementation_code}/guide.pdf"
    )
    screenshot(page, "kiosk-guide")

    settings.ONEWINDOW_KIOSK_IDLE_SECONDS = 3
    page.goto("/kiosk/card/")
    page.get_by_text("演示环境：在模拟读卡器上放置身份证").click()
    page.get_by_label("身份证上的姓名").fill(RESIDENT_NAME)
    page.get_by_label("身份证上的号码").fill(RESIDENT_ID)
    page.get_by_role("button", name="放置身份证").click()
    page.get_by_role("button", name="读取我的身份证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{RESIDENT_NAME}，您的办件")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    page.evaluate(
        "window.sessionStorage.setItem('draft', '35010219450812'); window.localStorage.setItem('x', '1')"
    )
    screenshot(page, "kiosk-signed-in")
    keep("kiosk-signed-in")

    # Nobody touches the screen: the machine signs out by itself and returns to the start screen.
    expect(page).to_have_url(re.compile(r"/kiosk/\?ended=idle$"), timeout=10_000)
    expect(page.get_by_text("已自动退出")).to_be_visible()
    left = page.evaluate("[...Object.keys(window.sessionStorage), ...Object.keys(window.localStorage)]")
    assert left == [], left
    screenshot(page, "kiosk-ended")
    keep("kiosk-ended")
    page.goto("/kiosk/mine/")
    expect(page).to_have_url(re.compile(r"/kiosk/card/$"))


def test_from_the_elderly_mode_a_parent_authorises_a_daughter_who_then_applies_in_her_name(
    new_page, live_server, screenshot
):
    """委托代理 end to end, reached from 长辈版: the elderly mother authorises her daughter, who switches to act
    in her name and applies; the case is the mother's."""
    from tests.factories import person

    item = case_item(
        department=DepartmentFactory(name="福州市民政局", short_name="市民政局"), name="高龄津贴申领"
    )
    mother = person(161, name="林阿婆")
    daughter = person(162, name="林小红")

    page = signed_in_page(new_page, live_server, mother.user, PHONE)
    page.goto("/elderly/")
    page.get_by_role("link", name=re.compile("让家人帮我办")).click()
    page.get_by_label("代理人的手机号码或身份证号码").fill(daughter.phone)
    page.get_by_label("以我的名义申请办事、提交材料").check()
    page.get_by_label("有效期至").fill("2027-06-30")
    page.get_by_role("button", name="授权").click()
    expect(page.get_by_role("cell", name="林小红", exact=False).first).to_be_visible()
    screenshot(page, "elderly-family-authorised-phone")

    helper = signed_in_page(new_page, live_server, daughter.user)
    helper.goto("/accounts/")
    helper.get_by_label("代他人办事").select_option(label="林阿婆")
    helper.locator("form[action$='acting-for-person/']").get_by_role("button", name="切换").click()
    expect(helper.get_by_role("status").first).to_contain_text("林阿婆")
    helper.goto(f"/cases/apply/{item.implementation_code}/")
    helper.get_by_role("button", name="开始申请").click()
    expect(helper.get_by_role("heading", level=1)).to_contain_text("高龄津贴申领")
    screenshot(helper, "elderly-family-applies")
    case = mother.cases.get()
    assert case.person_agency is not None and case.person_agency.agent == daughter
