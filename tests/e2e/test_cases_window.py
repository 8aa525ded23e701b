"""A window clerk's day in headless Chromium: sign in, open the department queue, pre-review a case and send
one correction notice through the page; after the applicant corrects it, accept it, note the case number
and query password, open the acceptance notice; then file a case for a person at the counter (双轨)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus, TrustLevel
from onewindow.cases.tests.factories import PDF_BYTES, case_in_state, case_item, material_of, upload
from onewindow.organisations.models import Role
from tests.factories import (
    DEFAULT_PASSWORD,
    DepartmentFactory,
    MembershipFactory,
    UserFactory,
    person,
    valid_citizen_id,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def window(db):
    department = DepartmentFactory(name="福州市市场监督管理局", short_name="市市场监管局")
    clerk = MembershipFactory(
        user=UserFactory(username="window_clerk", name="陈窗口", is_staff=True),
        department=department,
        role=Role.WINDOW_CLERK,
    ).user
    return clerk, case_item(department=department, name="食品经营许可")


def _sign_in(page, clerk) -> None:
    page.goto("/accounts/login/?next=/workbench/cases/")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/workbench/cases/$"))


def test_a_clerk_pre_reviews_corrects_and_accepts_a_case(page, screenshot, window):
    clerk, item = window
    citizen = person(1, name="张三").user
    case = case_in_state("submitted", user=citizen, item=item)

    _sign_in(page, clerk)
    row = page.locator("tr", has=page.get_by_role("link", name="食品经营许可"))
    expect(row).to_contain_text("张*")
    screenshot(page, "cases-window-queue")

    page.get_by_role("link", name="食品经营许可").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    card = material_of(item, "id-card")
    page.locator(f'input[name="material"][value="{card.pk}"]').check()
    page.locator(f"#problem-{card.pk}").fill("身份证复印件不清晰，请重新扫描")
    screenshot(page, "cases-window-case")
    page.locator("#act-correction button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CORRECTION_REQUESTED

    # The applicant corrects online (the portal's part): a new scan of the named material, resubmitted.
    services.case_material_attach(case=case, user=citizen, material=card, upload=upload("id-card-new.pdf"))
    services.case_resubmit(case=Case.objects.get(pk=case.pk), actor=citizen)

    page.reload()
    page.locator("#act-accept button[type=submit]").click()
    number = page.locator("#case-number")
    expect(number).to_have_text(re.compile(r"\d{13}$"))
    expect(page.locator("#query-password")).to_have_text(re.compile(r"^[2-9A-HJKMNP-Z]{8}$"))
    screenshot(page, "cases-window-accepted")
    assert Case.objects.get(pk=case.pk).number == number.inner_text()

    with page.expect_popup() as popup:
        page.locator(".accepted-panel a.button-primary").click()
    notice = popup.value
    notice.wait_for_load_state()
    response = notice.request.get(notice.url)
    assert response.headers["content-type"] == "application/pdf" and response.body().startswith(b"%PDF")


def test_a_clerk_files_a_case_for_a_person_at_the_counter(page, screenshot, window):
    clerk, item = window
    _sign_in(page, clerk)
    page.goto("/workbench/cases/walk-in/")
    page.locator("#id_identifier").fill(valid_citizen_id(42))
    page.locator(".walk-in-find button[type=submit]").click()
    page.locator("#id_name").fill("王五")
    page.locator("#id_phone").fill("13700000042")
    page.locator(".walk-in-register button[type=submit]").click()
    expect(page.locator(".message-success")).to_contain_text("王五")

    page.locator("#id_item").select_option(label="食品经营许可")
    page.locator(".walk-in-item button[type=submit]").click()
    page.get_by_label("申请人姓名").fill("王五")
    for key in ("id-card", "application-form"):
        page.locator(f"#material-{material_of(item, key).pk}").set_input_files(
            files=[{"name": f"{key}.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
        )
    screenshot(page, "cases-window-walk-in")
    page.locator(".walk-in-file button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("食品经营许可")
    case = Case.objects.get(walk_in=True)
    assert {m.trust_level for m in case.materials.all()} == {TrustLevel.B}

    page.locator("#act-accept button[type=submit]").click()
    expect(page.locator("#case-number")).to_have_text(re.compile(r"\d{13}$"))
    screenshot(page, "cases-window-walk-in-accepted")
