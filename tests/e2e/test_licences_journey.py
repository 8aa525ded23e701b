"""The e-licence library in headless Chromium: the approver concludes a case whose item produces a licence and
the licence is issued; the citizen finds it in 我的证照 and downloads the PDF; its QR short link verifies it
(有效); after the issuing department revokes it the same link says revoked; with a new licence issued, a second
application whose guide asks for that licence takes it from the wallet with no upload, and the clerk sees it
as trust level A from the e-licence library."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.cases.models import Case, CaseStatus, TrustLevel
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.licences.selectors import licence_short_code
from onewindow.licences.tests.factories import licence_issued, licence_type, signing_key
from onewindow.organisations.models import Role
from tests.e2e.conftest import PHONE
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

TYPE_CODE = "11100000000013338W011"
CITIZEN_PHONE = "13900000001"  # person(1), the ``citizen`` persona


def staff(username, name, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, name=name, is_staff=True), department=department, role=role
    ).user


def _staff_page(new_page, user, landing):
    page = new_page()
    page.goto(f"/accounts/login/?next={landing}")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    return page


def _citizen_page(new_page, landing):
    page = new_page()
    page.goto(f"/accounts/login/?next={landing}")
    page.get_by_label(re.compile("手机号码|Phone number")).fill(CITIZEN_PHONE)
    page.get_by_label(re.compile("^(密码|Password)$")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("^(登录|Log in)$")).click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    return page


@pytest.fixture
def food_licence_type(department_a):
    """The market regulator issues 食品经营许可证, its face taken from the application form."""
    kind = licence_type(
        department_a,
        code=TYPE_CODE,
        name="食品经营许可证",
        face_fields=[{"key": "operator", "label": "经营者", "source": "form.applicant_name"}],
    )
    signing_key(department_a)
    return kind


def test_a_licence_is_issued_verified_revoked_and_reused_without_upload(
    new_page, screenshot, citizen, department_a, department_b, clerk_a, clerk_b, food_licence_type
):
    approver_a = staff("approver_a", "王批准", department_a, Role.APPROVER)
    issuing_item = case_item(department=department_a, name="食品经营许可", licence_type_code=TYPE_CODE)
    accepted = case_in_state("accepted", user=citizen, item=issuing_item, clerk=clerk_a)

    # The approver concludes the case with approval: the licence is issued in the same transaction.
    page_a = _staff_page(new_page, approver_a, f"/workbench/cases/{accepted.pk}/")
    page_a.locator("#act-conclude select[name=code]").select_option("0")
    page_a.locator("#act-conclude button[type=submit]").click()
    expect(page_a.locator(".message-success")).to_be_visible()
    assert Case.objects.get(pk=accepted.pk).status == CaseStatus.CONCLUDED
    licence = Licence.objects.get(case=accepted)
    assert licence.face == {"operator": "张三"} and licence.status == LicenceStatus.VALID

    # 我的证照: the citizen finds it and downloads the PDF.
    page_c = _citizen_page(new_page, "/licences/")
    expect(page_c.get_by_role("heading", level=1)).to_have_text(re.compile("我的证照|My licences"))
    expect(page_c.get_by_role("link", name="食品经营许可证")).to_be_visible()
    screenshot(page_c, "licences-wallet")
    page_c.get_by_role("link", name="食品经营许可证").click()
    expect(page_c.get_by_text(licence.identifier)).to_be_visible()
    expect(page_c.locator("body")).not_to_contain_text(citizen.person.id_number)
    with page_c.expect_download() as download:
        page_c.get_by_role("link", name=re.compile("下载|Download the PDF")).click()
    assert download.value.path().read_bytes()[:4] == b"%PDF"
    page_c.mouse.move(0, 0)
    screenshot(page_c, "licences-wallet-licence")

    # 亮证: a share code for a day, opened by someone without an account; the ID number stays masked.
    page_c.get_by_label(re.compile("^(用途|Purpose)")).fill("向房东出示")
    page_c.get_by_label(re.compile("有效时长|Valid for")).select_option("24")
    page_c.get_by_role("button", name=re.compile("生成亮证码|Create a share code")).click()
    share_link = page_c.locator(".case-password").get_by_role("link")
    expect(share_link).to_be_visible()
    shown = new_page(PHONE)
    shown.goto(share_link.get_attribute("href"))
    expect(shown.get_by_role("heading", level=1)).to_have_text("食品经营许可证")
    expect(shown.locator("main")).to_contain_text("向房东出示")
    expect(shown.locator("main")).not_to_contain_text(citizen.person.id_number)
    screenshot(shown, "licences-shared-phone")
    phone = _citizen_page(lambda: new_page(PHONE), "/licences/")
    expect(phone.get_by_role("link", name="食品经营许可证")).to_be_visible()
    phone.wait_for_load_state("load")  # the width is the styled page's, once the stylesheet is in
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], (
        "the wallet scrolls sideways"
    )
    screenshot(phone, "licences-wallet-phone")

    # The QR code's short link verifies it.
    short = f"/v/{licence_short_code(licence)}/"
    public = new_page()
    public.goto(short)
    expect(public.locator("main")).to_contain_text(re.compile("有效|[Vv]alid"))
    expect(public.locator("main")).to_contain_text(re.compile("签名验证通过|[Ss]ignature verified"))
    screenshot(public, "licences-verify-valid")

    # The issuing department revokes it; the same link says so.
    page_a.goto(f"/workbench/licences/{licence.pk}/")
    page_a.locator("#act-revoke [name=reason]").fill("经营者申请注销")
    page_a.locator("#act-revoke [name=basis]").fill("《食品经营许可和备案管理办法》第四十二条")
    page_a.locator("#act-revoke button[type=submit]").click()
    expect(page_a.locator(".message-success")).to_be_visible()
    assert Licence.objects.get(pk=licence.pk).status == LicenceStatus.REVOKED
    public.goto(short)
    expect(public.locator("main")).to_contain_text(re.compile("已吊销|注销|[Rr]evoked"))
    screenshot(public, "licences-verify-revoked")

    # A new licence is issued; an item of department B asks for it as a material from the library.
    new_licence = licence_issued(
        holder_person=citizen.person, licence_type=food_licence_type, face={"operator": "张三"}
    )
    reusing_item = case_item(
        department=department_b,
        name="食品小作坊登记",
        materials=[
            material(
                "food-licence",
                name="食品经营许可证",
                source=MaterialSource.ELICENCE,
                licence_type_code=TYPE_CODE,
            )
        ],
    )
    page_c.goto(f"/cases/apply/{reusing_item.implementation_code}/")
    page_c.get_by_role("button", name=re.compile("开始申请|Start the application")).click()
    expect(page_c).to_have_url(re.compile(r"/cases/[0-9a-f-]{36}/$"))
    case = Case.objects.get(item=reusing_item)
    page_c.locator("#m-food-licence").get_by_role("link", name=re.compile("我的证照|My licences")).click()
    expect(page_c).to_have_url(re.compile(r"/licences/pick/"))
    expect(page_c.get_by_label(re.compile(re.escape(new_licence.number)))).to_be_checked()
    expect(page_c.get_by_label(re.compile(re.escape(licence.number)))).to_have_count(
        0
    )  # revoked: not offered
    screenshot(page_c, "licences-picker")
    page_c.get_by_role("button", name=re.compile("使用此证照|Use this licence")).click()
    expect(page_c).to_have_url(re.compile(r"/cases/[0-9a-f-]{36}/#m-food-licence$"))
    expect(page_c.locator("#m-food-licence")).to_contain_text(new_licence.identifier)
    page_c.get_by_role("button", name=re.compile("提交申请|Submit the application")).click()
    expect(page_c.locator(".message-success")).to_be_visible()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    [row] = case.materials.all()
    assert (row.trust_level, row.reference) == (TrustLevel.A, new_licence.identifier)

    # The clerk of department B sees it as trust level A from the library, the identifier linking to the check.
    page_b = _staff_page(new_page, clerk_b, f"/workbench/cases/{case.pk}/")
    materials = page_b.locator("#h-materials").locator("xpath=..")
    expect(materials.locator(".trust-A")).to_be_visible()
    expect(materials).to_contain_text(re.compile("电子证照库|e-licence library"))
    expect(materials.get_by_role("link", name=new_licence.identifier)).to_have_attribute(
        "href", f"/licences/verify/{new_licence.identifier}/"
    )
    screenshot(page_b, "licences-clerk-materials")
