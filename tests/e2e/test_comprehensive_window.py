"""The comprehensive window (综合窗口) in headless Chromium, on the demo data: the 审批局's window clerk of
福州市民服务中心 accepts a 食品经营许可 filed for a company — an item of 市场监管, stationed at the centre;
市场监管 and 卫健 do the back office in their own inboxes (承办, the joint review, 批准); the approver concludes
without typing a licence number (the licence is issued to the company); the result is handed out at the
comprehensive window (综合窗口出件), and the applicant sees where to collect it.
「前台综合受理、后台分类审批、综合窗口出件」."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from playwright.sync_api import expect

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalogue.forms_render import form_sample_data
from onewindow.catalogue.models import MaterialSource, Necessity
from onewindow.demo.data import DEMO_PASSWORD
from onewindow.demo.identity import DEMO_COMPANY_CREDIT_CODE
from onewindow.halls.models import ServiceCentre, StationedItem
from onewindow.identity.models import Company, Person, TotpDevice
from onewindow.identity.services.people import person_by_identifier
from onewindow.licences.models import Licence
from onewindow.workflow.models import OPEN_TASK_STATUSES, WorkTask
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def demo(live_server):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (the command's report is not needed)
    # The demo staff sign in with TOTP; the journey is about the window, so they sign in with a password.
    TotpDevice.objects.all().delete()


@pytest.fixture
def application(demo) -> Case:
    """A complete 食品经营许可 application filed online by the demo company's agent (林小红) for the company."""
    agent = person_by_identifier("13900000006")
    company = Company.objects.get(credit_code=DEMO_COMPANY_CREDIT_CODE)
    Person.objects.filter(pk=agent.pk).update(acting_for=company)
    item = StationedItem.objects.get(item__published_version__name="食品经营许可（新办）").item
    case = case_services.case_start(user=agent.user, item=item, company=company)
    version = case.item_version
    schema = version.form_schema or {}
    sample = (schema.get("examples") or [form_sample_data(schema)])[0]
    case_services.case_form_save(case=case, user=agent.user, form_data=case.form_data | sample)
    for material in version.materials.all():
        if material.necessity == Necessity.REQUIRED and (
            material.source == MaterialSource.ELICENCE or not material.obtained_by_platform
        ):
            upload = SimpleUploadedFile(f"{material.key}.pdf", PDF, content_type="application/pdf")
            case_services.case_material_attach(case=case, user=agent.user, material=material, upload=upload)
    return case_services.case_submit(case=case, actor=agent.user)


def _sign_in(new_page, username, landing):
    page = new_page()
    page.goto(f"/accounts/login/?next={landing}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    return page


def _task_approve(new_page, screenshot, username, case, step, opinion, shot):
    """The staff member opens their inbox, then the case's open task of ``step``, and approves it."""
    user = get_user_model().objects.get(username=username)
    page = _sign_in(new_page, username, "/workbench/tasks/")
    expect(page.locator(".case-table")).to_contain_text("食品经营许可")
    task = WorkTask.objects.get(
        case=case,
        name__startswith=step,
        status__in=OPEN_TASK_STATUSES,
        department__memberships__user=user,
    )
    page.goto(f"/workbench/tasks/{task.pk}/")
    if page.locator("#act-approve textarea").count():
        page.locator("#act-approve textarea").fill(opinion)
    screenshot(page, shot)
    page.locator("#act-approve button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    return page


def test_the_comprehensive_window_accepts_and_hands_out_a_food_business_licence(
    new_page, screenshot, application
):
    centre = ServiceCentre.objects.get(name="福州市民服务中心")
    case_url = f"/workbench/cases/{application.pk}/"

    # 前台综合受理: the 审批局 clerk's window queue holds 市场监管's application; the clerk accepts it.
    window = _sign_in(new_page, "clerk", "/workbench/cases/")
    expect(window.locator(f'a[href="{case_url}"]')).to_be_visible()
    screenshot(window, "comprehensive-window-queue")
    window.locator(f'a[href="{case_url}"]').click()
    expect(window.locator("#act-accept")).to_be_visible()
    expect(window.locator("body")).to_contain_text(centre.name)
    screenshot(window, "comprehensive-window-case")
    window.locator("#act-accept button[type=submit]").click()
    expect(window.locator("#case-number")).to_be_visible()
    screenshot(window, "comprehensive-window-accepted")
    case = Case.objects.get(pk=application.pk)
    assert (case.status, case.accepted_by.username, case.department.short_name) == (
        CaseStatus.IN_PROCESS,
        "clerk",
        "市市场监管局",
    )

    # 后台分类审批: 市场监管's window takes 承办, 市场监管 and 卫健 review jointly, 市场监管 approves.
    _task_approve(
        new_page,
        screenshot,
        "clerk_market",
        case,
        "承办",
        "材料齐全，转联合审查",
        "comprehensive-task-market-window",
    )
    _task_approve(
        new_page,
        screenshot,
        "reviewer",
        case,
        "联合审查",
        "经营场所符合要求",
        "comprehensive-task-market-review",
    )
    _task_approve(
        new_page,
        screenshot,
        "reviewer2",
        case,
        "联合审查",
        "从业人员健康证明齐全",
        "comprehensive-task-health-review",
    )
    approver = _task_approve(
        new_page, screenshot, "approver", case, "批准", "准予许可", "comprehensive-task-approve"
    )

    # The approver concludes: no licence number to type; the licence is issued to the company.
    approver.goto(case_url)
    expect(approver.locator("#act-conclude")).to_be_visible()
    expect(approver.locator("#act-conclude input[name=result]")).to_have_count(0)
    approver.locator("#act-conclude select[name=code]").select_option("0")
    approver.locator("#act-conclude button[type=submit]").click()
    expect(approver.locator(".message-success")).to_be_visible()
    licence = Licence.objects.get(case=case)
    company = Company.objects.get(credit_code=DEMO_COMPANY_CREDIT_CODE)
    assert (licence.holder_company, licence.holder_name) == (company, company.name)
    expect(approver.locator("#issued-licence")).to_contain_text(licence.identifier)
    screenshot(approver, "comprehensive-concluded")

    # 综合窗口出件: the comprehensive window hands the licence out.
    window.goto(case_url)
    expect(window.locator("#act-deliver")).to_be_visible()
    window.locator("#act-deliver select[name=method]").select_option("window")
    window.locator("#act-deliver button[type=submit]").click()
    expect(window.locator(".message-success")).to_be_visible()
    expect(window.locator("body")).to_contain_text(f"综合窗口出件（{centre.name}）")
    screenshot(window, "comprehensive-window-delivered")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DELIVERED

    # The applicant sees the result and where it was handed out; the centre's page shows its 进驻率.
    applicant = new_page()
    applicant.goto("/accounts/login/?next=/cases/")
    applicant.get_by_label(re.compile("手机号码|用户名")).fill("13900000006")
    applicant.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    applicant.get_by_role("button", name="登录", exact=True).click()
    expect(applicant).to_have_url(re.compile("/cases/$"))
    applicant.goto(f"/cases/{case.pk}/")
    expect(applicant.locator("body")).to_contain_text(centre.name)
    screenshot(applicant, "comprehensive-applicant-case")
    public = new_page()
    public.goto(f"/halls/{centre.pk}/")
    expect(public.locator(".stationing-rate")).to_contain_text("%")
    screenshot(public, "comprehensive-centre-page")
    phone = new_page(PHONE)
    phone.goto(f"/halls/{centre.pk}/")
    expect(phone.get_by_role("heading", name=centre.name)).to_be_visible()
    screenshot(phone, "comprehensive-centre-page-phone")

    # 行政许可决定公示: the decision is public, the company named in full, the licence linked to verification.
    public.goto("/decisions/")
    public.get_by_label("许可对象").fill(company.name)
    public.locator(".register-search button[type=submit]").click()
    expect(public.locator("#register-table")).to_contain_text(company.name)
    expect(public.locator("#register-table")).to_contain_text("准予许可")
    screenshot(public, "decisions-register")

    # Verification by the printed number plus the issuer finds the same licence, holder the company.
    public.goto("/licences/verify/")
    public.get_by_role("textbox", name="证照编号").fill(licence.number)
    public.get_by_role("combobox", name="发证部门").select_option(licence.issuer_code)
    public.locator("#verify-issuer").locator("xpath=ancestor::form").get_by_role("button").click()
    expect(public.locator("body")).to_contain_text(company.name)
    screenshot(public, "licence-verified-by-number")
