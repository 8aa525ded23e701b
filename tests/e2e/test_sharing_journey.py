"""The data-sharing platform in headless Chromium, on the demo data (issue #13): a 开办餐饮店 company applies
for 新办纳税人套餐 (the bundle's tax item) and its 营业执照 and the person's identity come from the market and
population registries — nothing uploaded; the tax window clerk sees trust level A, 共享数据 · 已核验, and the
form checked against the registries; the person's 谁查了我的数据 lists the queries. A query outside the
approval is refused and logged. With the registry sandbox stopped, the applicant is told and may upload."""

from __future__ import annotations

import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from onewindow.cases import services as case_services
from onewindow.cases.models import CaseStatus, TrustLevel
from onewindow.catalogue.models import Bundle, Item
from onewindow.demo.data import DEMO_PASSWORD
from onewindow.demo.identity import DEMO_COMPANY_CREDIT_CODE
from onewindow.identity.models import Company, Person, TotpDevice
from onewindow.identity.services.people import person_by_identifier
from onewindow.sharing.models import AccessLogEntry, QueryOutcome
from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.browser
TAX_ITEM = "11350100M00000182C3002010101000"  # 新办纳税人套餐, stage 3 of 开办餐饮店
REPRESENTATIVE_PHONE = "13900000005"  # 陈大文, the demo company's legal representative


@pytest.fixture
def demo(live_server):
    with open(os.devnull, "w") as quiet:
        call_command("demo", stdout=quiet)
    TotpDevice.objects.all().delete()  # the journey is about sharing: staff sign in with a password


def _application():
    representative = person_by_identifier(REPRESENTATIVE_PHONE)
    company = Company.objects.get(credit_code=DEMO_COMPANY_CREDIT_CODE)
    Person.objects.filter(pk=representative.pk).update(acting_for=company)
    representative.refresh_from_db()
    item = Item.objects.get(implementation_code=TAX_ITEM)
    assert item in Bundle.objects.get(name="开办餐饮店").items.all()
    case = case_services.case_start(user=representative.user, item=item, company=company)
    schema = case.item_version.form_schema or {}
    sample = dict((schema.get("examples") or [{}])[0])
    sample |= {
        "credit_code": company.credit_code,
        "company_name": company.name,
        "legal_representative": "陈大文",
    }
    case_services.case_form_save(case=case, user=representative.user, form_data=case.form_data | sample)
    return representative, case


def _sign_in(new_page, username, password, landing, viewport=None):
    page = new_page(viewport) if viewport else new_page()
    page.goto(f"/accounts/login/?next={landing}")
    page.get_by_label(re.compile("手机号码|用户名")).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(landing) + "$"))
    return page


def test_a_restaurant_company_applies_with_nothing_uploaded_and_sees_who_queried(new_page, screenshot, demo):
    representative, case = _application()
    # 营业执照 from the market registry, 经办人身份证件 from the population registry: trust A, nothing uploaded.
    fetched = {row.material.key: row for row in case.materials.all()}
    assert {"business-licence", "id-card"} <= set(fetched)
    assert all(row.trust_level == TrustLevel.A and row.from_shared_data for row in fetched.values())

    applicant = _sign_in(new_page, REPRESENTATIVE_PHONE, DEMO_PASSWORD, f"/cases/{case.pk}/")
    expect(applicant.locator("#materials")).to_contain_text("A · 共享数据 · 已核验")
    screenshot(applicant, "sharing-applicant-case")
    case_services.case_submit(case=case, actor=representative.user)
    assert case.materials.filter(trust_level=TrustLevel.C).count() == 0

    clerk = _sign_in(new_page, "clerk_tax", DEMO_PASSWORD, f"/workbench/cases/{case.pk}/")
    expect(clerk.locator("#h-materials + table")).to_contain_text("共享数据 · 已核验")
    expect(clerk.locator("body")).to_contain_text("与登记信息一致")
    screenshot(clerk, "sharing-clerk-case-trust-a")

    applicant.goto("/accounts/data-usage/")
    table = applicant.locator("table")
    expect(table).to_contain_text("市场主体登记信息")
    expect(table).to_contain_text("人口基础信息")
    expect(table).to_contain_text("国家税务总局福州市税务局")
    screenshot(applicant, "sharing-who-queried-my-data")
    phone = _sign_in(new_page, REPRESENTATIVE_PHONE, DEMO_PASSWORD, "/accounts/data-usage/", PHONE)
    screenshot(phone, "sharing-who-queried-my-data-phone")


def test_a_query_outside_the_approval_is_refused_and_logged(new_page, screenshot, demo):
    admin = _sign_in(new_page, "deptadmin", DEMO_PASSWORD, "/workbench/sharing/")
    expect(admin.locator("table")).to_contain_text("市场主体登记信息")
    screenshot(admin, "sharing-resource-catalogue")
    admin.goto("/workbench/sharing/approvals/")
    screenshot(admin, "sharing-approvals")
    admin.goto("/workbench/sharing/query/")
    admin.get_by_label("资源").select_option("population-basic")
    admin.get_by_label("数据项（代码，如 name, status）").fill("name,address")
    admin.get_by_label("用途").fill("办件受理：核验申请人、经办人身份")
    admin.get_by_label("身份证号码或统一社会信用代码").fill("350102199003070012")
    admin.get_by_role("button", name="查询", exact=True).click()
    expect(admin.get_by_role("alert")).to_contain_text("查询已拒绝并记录")
    screenshot(admin, "sharing-query-refused")
    assert AccessLogEntry.objects.filter(outcome=QueryOutcome.REFUSED).exists()
    admin.goto("/workbench/sharing/log/")
    expect(admin.locator("table")).to_contain_text("已拒绝：超出授权")
    screenshot(admin, "sharing-access-log")


def test_with_the_registry_sandbox_stopped_intake_degrades_to_upload(new_page, screenshot, demo, settings):
    settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN = ["all"]
    _representative, case = _application()
    assert not case.materials.exists()
    applicant = _sign_in(new_page, REPRESENTATIVE_PHONE, DEMO_PASSWORD, f"/cases/{case.pk}/")
    expect(applicant.locator("#materials")).to_contain_text(
        "市场主体登记信息库暂时不可用，平台未能自动获取“营业执照”"
    )
    screenshot(applicant, "sharing-registry-down")
    assert case.status == CaseStatus.DRAFT
