"""Open data and proactive services in the browser: the platform administrator records a confidentiality
review, the dataset appears on the data portal with its small cells suppressed, and a citizen sees what is
due in their personal space (我的待办) with a link to apply — on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from onewindow.cases.models import Case
from onewindow.cases.tests.factories import case_in_state, case_item
from onewindow.licences.tests.factories import licence_issued, licence_type
from onewindow.opendata import services as opendata
from onewindow.opendata.models import DatasetKind
from onewindow.proactive import services as proactive
from onewindow.proactive.rules import rules_load
from tests.e2e.conftest import signed_in_page

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
BASIS = "月度办件量为汇总统计，不含个人信息；小于 5 的单元格已抑制并做二次抑制，同意开放。"


@pytest.fixture
def statistics(at, citizen, department_a):
    at("2026-09-29")
    for counts in ((7, 3), (8, 9)):
        item = case_item(department=department_a)
        template = case_in_state("submitted", user=citizen, item=item)
        rows = []
        for month, n in zip((7, 8), counts, strict=True):
            for _i in range(n):
                copy = Case.objects.get(pk=template.pk)
                copy.pk, copy.number, copy.deadline, copy.delivery_deadline = None, None, None, None
                copy.submitted_at = dt.datetime(2026, month, 10, 3, tzinfo=dt.UTC)
                rows.append(copy)
        Case.objects.bulk_create(rows)
        template.delete()
    return opendata.dataset_create(
        actor=None,
        slug="monthly-case-volumes",
        kind=DatasetKind.MONTHLY_VOLUMES,
        title="政务服务事项月度办件量",
        description="近 12 个月每个事项每月收件的办件数量。小于 5 件的数值不公开，并隐藏可据合计反推的其他数值。",
        publisher=department_a,
        keywords="办件量、月度统计",
    )


def test_a_reviewed_dataset_is_published_with_small_cells_suppressed(
    new_page, live_server, screenshot, platform_admin, statistics
):
    staff = signed_in_page(new_page, live_server, platform_admin)
    staff.goto("/workbench/opendata/")
    staff.get_by_role("link", name="政务服务事项月度办件量").click()
    staff.get_by_role("radio", name="同意开放", exact=True).check()
    staff.get_by_label("审查日期").fill("2026-09-28")
    staff.locator("#id_basis").fill(BASIS)
    staff.get_by_role("button", name="记录审核结果").click()
    expect(staff.get_by_text("保密审查结论已登记。")).to_be_visible()
    screenshot(staff, "opendata/staff-review")

    public = new_page()
    public.goto("/data/")
    screenshot(public, "opendata/data-portal")
    public.get_by_role("link", name="政务服务事项月度办件量").click()
    expect(public.get_by_role("cell", name="<5").first).to_be_visible()
    screenshot(public, "opendata/dataset-page")


def test_the_personal_space_lists_what_is_due(new_page, live_server, screenshot, citizen, at, monkeypatch):
    at("2026-09-29")
    rule = next(r for r in rules_load() if r.key == "primary-school-enrolment")
    item = case_item(department=None)
    birth = licence_type(
        code=rule.birth_licence_type,
        name="出生医学证明",
        validity_years=None,
        face_fields=[
            {"key": "baby_name", "label": "新生儿姓名", "source": "form.baby_name"},
            {"key": "birth_date", "label": "出生日期", "source": "form.birth_date"},
        ],
    )
    licence_issued(
        holder_person=citizen.person,
        licence_type=birth,
        face={"baby_name": "张一诺", "birth_date": "2020-12-01"},
        valid_from=dt.date(2020, 12, 4),
    )
    import dataclasses

    monkeypatch.setattr(
        proactive, "rules_load", lambda: (dataclasses.replace(rule, item=item.implementation_code),)
    )
    proactive.recommendations_generate()

    phone = signed_in_page(new_page, live_server, citizen, PHONE)
    phone.goto("/me/due/")
    expect(phone.get_by_text("孩子即将满 6 周岁：入学报名")).to_be_visible()
    expect(phone.get_by_role("link", name="立即申请")).to_be_visible()
    screenshot(phone, "opendata/personal-space-phone")
