"""A company's application with a mistyped credit code is refused on the form, in Chinese, naming the field
(issue #12.3: checked with the GB 32100 checksum), and accepted once corrected."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material, published_item
from tests.e2e.test_cases_apply import _sign_in
from tests.factories import person, valid_citizen_id, valid_credit_code

pytestmark = pytest.mark.browser

FORM_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["company_name", "credit_code", "id_number", "mobile"],
    "properties": {
        "company_name": {"type": "string", "title": "单位名称"},
        "credit_code": {"type": "string", "title": "统一社会信用代码", "format": "uscc"},
        "id_number": {"type": "string", "title": "法定代表人公民身份号码", "format": "citizen-id"},
        "mobile": {"type": "string", "title": "联系人手机", "format": "mobile"},
    },
}


def test_a_mistyped_credit_code_is_refused_naming_the_field(page, screenshot, department_a):
    citizen = person(1, name="张三")
    item = published_item(
        department=department_a,
        name="食品经营许可",
        form_schema=FORM_SCHEMA,
        form_ui={},
        materials=[material("household-register", name="户口簿", source=MaterialSource.SHARED)],
    )
    draft = services.case_start(user=citizen.user, item=item)
    good = valid_credit_code(7)
    mistyped = good[:-1] + ("1" if good[-1] != "1" else "2")

    _sign_in(page, "13900000001", reverse("cases:case", args=[draft.pk]))
    page.get_by_label("单位名称").fill("福州闽味餐饮管理有限公司")
    page.get_by_label("统一社会信用代码").fill(mistyped)
    page.get_by_label("法定代表人公民身份号码").fill(valid_citizen_id(1))
    page.get_by_label("联系人手机").fill("13900000001")
    page.get_by_role("button", name=re.compile("提交申请|Submit the application")).click()

    expect(
        page.get_by_text(re.compile("统一社会信用代码有误：统一社会信用代码校验不通过")).first
    ).to_be_visible()
    screenshot(page, "form-identifiers-refused")
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.DRAFT

    page.get_by_label("统一社会信用代码").fill(good)
    page.get_by_role("button", name=re.compile("提交申请|Submit the application")).click()
    expect(page.get_by_text(re.compile("已提交|submitted")).first).to_be_visible()
    assert Case.objects.get(pk=draft.pk).status == CaseStatus.SUBMITTED
