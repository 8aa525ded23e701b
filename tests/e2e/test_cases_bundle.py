"""A citizen applies for a life event (一件事一次办) through the real UI: from the bundle's guide to one
application, each shared material uploaded once on its page, one submission that first lists every problem of
every item, then each item in its own department, stage by stage, and one timeline. Concluding the last item (services
here; the workbench has its own tests) concludes the whole."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus, ConclusionCode
from onewindow.cases.tests.factories import PDF_BYTES
from onewindow.catalogue.models import BundleItem
from onewindow.catalogue.tests.factories import BundleFactory, material, published_item
from onewindow.organisations.models import Role
from tests.e2e.conftest import DESKTOP
from tests.e2e.test_cases_apply import PHONE_390, _sign_in
from tests.factories import MembershipFactory, UserFactory, person

pytestmark = pytest.mark.browser


def _bundle(department_a, department_b):
    food = published_item(department=department_a, name="食品经营许可", materials=[material("id-card")])
    hygiene = published_item(
        department=department_b,
        name="公共场所卫生许可",
        materials=[material("floor-plan", name="场所平面图")],
    )
    sign = published_item(department=department_a, name="户外招牌设置备案", materials=[])
    bundle = BundleFactory(code="kaiban-canyin", name="开办餐饮店一件事", items=[food, hygiene])
    BundleItem.objects.create(bundle=bundle, item=sign, order=3, stage=2, optional=True)
    return bundle


def _bundle_upload(page, key: str, name: str) -> None:
    page.locator(f"#bfile-{key}").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator(f"#bm-{key}").get_by_role("button", name=re.compile("上传|Upload")).click()
    expect(page.locator(f"#bm-{key}")).to_contain_text(re.compile("已提供|Provided"))


def test_apply_for_a_life_event_submit_once_and_follow_it(
    page, new_page, screenshot, department_a, department_b, clerk_a, clerk_b
):
    person(1, name="张三")
    bundle = _bundle(department_a, department_b)

    # From the life event's guide to its application page; the optional item is ticked.
    _sign_in(page, "13900000001", reverse("catalogue:bundle", args=[bundle.code]))
    page.get_by_role("link", name=re.compile("在线办理一件事|Apply online for this life event")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("开办餐饮店一件事")
    page.get_by_label("户外招牌设置备案").check()
    screenshot(page, "cases-bundle-apply-desktop")
    page.get_by_role("button", name=re.compile("开始办理一件事|Start the life-event application")).click()
    parent = Case.objects.get(bundle=bundle)
    assert parent.children.count() == 3
    bundle_url = f"/cases/{parent.pk}/"

    # Submitting at once before anything is uploaded lists the problems of every item, with links.
    page.get_by_role("button", name=re.compile("一次提交|Submit everything at once")).click()
    summary = page.locator("#problems")
    expect(summary).to_contain_text("食品经营许可：请上传“居民身份证”。")
    expect(summary).to_contain_text("公共场所卫生许可：请上传“场所平面图”。")
    screenshot(page, "cases-bundle-problems-desktop")

    # A material problem links to the life event's one upload for it; an item's page only shows its draft.
    summary.get_by_role("link", name=re.compile("食品经营许可")).click()
    _bundle_upload(page, "id-card", "身份证.pdf")
    _bundle_upload(page, "floor-plan", "平面图.pdf")
    page.get_by_role("link", name="公共场所卫生许可").click()
    expect(page.get_by_role("button", name=re.compile("提交申请|Submit the application"))).to_have_count(0)
    screenshot(page, "cases-bundle-item-desktop")
    page.goto(bundle_url)
    page.get_by_role("button", name=re.compile("一次提交|Submit everything at once")).click()

    # Submitted: each item with its own department, one timeline naming each item; stage 2 waits.
    rows = page.locator("table.case-table tbody tr")
    expect(rows.filter(has_text="公共场所卫生许可")).to_contain_text("福州市卫生健康委员会")
    expect(rows.filter(has_text="公共场所卫生许可")).to_contain_text(re.compile("等待前一阶段|Waiting"))
    expect(rows.filter(has_text="食品经营许可")).to_contain_text("福州市市场监督管理局")
    expect(page.locator(".case-timeline")).to_contain_text("开办餐饮店一件事")
    for size, suffix in ((DESKTOP, "desktop"), (PHONE_390, "phone")):
        other = new_page(size)
        _sign_in(other, "13900000001")
        other.goto(bundle_url)
        screenshot(other, f"cases-bundle-submitted-{suffix}")

    # Each department accepts and concludes its item; the last conclusion concludes the life event.
    approvers = {
        department.pk: MembershipFactory(
            user=UserFactory(username=f"approver-{n}", is_staff=True),
            department=department,
            role=Role.APPROVER,
        ).user
        for n, department in enumerate((department_a, department_b))
    }
    clerks = {department_a.pk: clerk_a, department_b.pk: clerk_b}
    # In stage order: stage 2 reaches its department only once stage 1 has concluded.
    for child in parent.children.order_by("created_at"):
        child.refresh_from_db()
        accepted = services.case_accept(case=child, clerk=clerks[child.department_id]).case
        services.case_conclude(
            case=accepted, actor=approvers[child.department_id], code=ConclusionCode.APPROVED, result="准予"
        )
    parent.refresh_from_db()
    assert parent.status == CaseStatus.CONCLUDED
    page.goto("/cases/")
    row = page.get_by_role("row").filter(has_text="开办餐饮店一件事")
    expect(row).to_contain_text("户外招牌设置备案")
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one bundle
    screenshot(page, "cases-bundle-my-cases-desktop")
