"""新生儿出生一件事 through the real UI (issue #12.2): the parent types the ID number once in one merged form
and uploads the ID card once; only stage 1 (卫健: 出生医学证明) goes to its department; stage 2 (户口登记,
医保参保, 社保卡申领) starts by itself when stage 1 concludes and receives the 出生医学证明 e-licence at trust
level A; the whole life event has one case number (its items numbered under it) and one due date. The
departments' decisions go through the services (the workbench has its own journeys)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus, ConclusionCode, TrustLevel
from onewindow.cases.tests.factories import PDF_BYTES
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.services import bundle_save
from onewindow.catalogue.tests.factories import material, published_item
from onewindow.licences.models import Licence
from onewindow.licences.tests.factories import licence_type, signing_key
from onewindow.organisations.models import Role
from tests.e2e.conftest import PHONE
from tests.e2e.test_cases_apply import _sign_in
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory, person, valid_citizen_id

pytestmark = pytest.mark.browser

BIRTH_CERT = "11100000MB0160218X001"
ID_NUMBER = valid_citizen_id(1)


def _form(**own):
    properties = {
        "applicant_name": {"type": "string", "title": "申请人姓名"},
        "id_number": {"type": "string", "title": "公民身份号码", "pattern": "^[1-9]\\d{16}[\\dX]$"},
        "mobile": {"type": "string", "title": "手机号码", "pattern": "^1[3-9]\\d{9}$"},
        **own,
    }
    required = ["applicant_name", "id_number", "mobile", *own]
    schema = {"type": "object", "title": "申请表", "properties": properties, "required": required}
    return {"form_schema": schema, "form_ui": {"order": list(properties)}}


BABY = {"baby_name": {"type": "string", "title": "新生儿姓名"}}
ID_CARD = material("id-card", name="父母双方居民身份证")


def _newborn_bundle(health):
    police = DepartmentFactory(name="福州市公安局鼓楼分局", short_name="鼓楼公安分局")
    medical = DepartmentFactory(name="福州市医疗保障局", short_name="市医保局")
    hrss = DepartmentFactory(name="福州市人力资源和社会保障局", short_name="市人社局")
    licence_type(
        health,
        code=BIRTH_CERT,
        name="出生医学证明",
        face_fields=[{"key": "baby_name", "label": "新生儿姓名", "source": "form.baby_name"}],
        validity_years=None,
    )
    signing_key(health)
    certificate = published_item(
        department=health,
        name="出生医学证明首次签发",
        materials=[material("application-form", generated_online=True)],
        licence_type_code=BIRTH_CERT,
        result_name="出生医学证明",
        result_type="证",
        **_form(**BABY),
    )
    registration = published_item(
        department=police,
        name="出生登记（新生儿入户）",
        materials=[
            ID_CARD,
            material(
                "birth-medical-certificate",
                name="出生医学证明",
                source=MaterialSource.ELICENCE,
                licence_type_code=BIRTH_CERT,
                originals=0,
            ),
        ],
        **_form(**BABY, settle_with={"type": "string", "title": "随父或随母落户", "enum": ["随父", "随母"]}),
    )
    enrolment = published_item(
        department=medical,
        name="城乡居民基本医疗保险参保登记",
        materials=[ID_CARD],
        **_form(insured_name={"type": "string", "title": "参保人姓名"}),
    )
    card = published_item(
        department=hrss,
        name="社会保障卡申领",
        materials=[ID_CARD],
        **_form(bank={"type": "string", "title": "合作银行", "enum": ["中国工商银行", "中国银行"]}),
    )
    bundle = bundle_save(
        actor=None,
        code="newborn",
        name="新生儿出生",
        audience="person",
        description="宝宝出生后一次申请：出生医学证明签发后，户口登记、医保参保和社保卡申领自动启动。",
        items=[(certificate, 1, False), (registration, 2, False), (enrolment, 2, False), (card, 2, False)],
        field_map={enrolment.implementation_code: {"insured_name": "baby_name"}},
    )
    return bundle, police


def _staff(username, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, is_staff=True), department=department, role=role
    ).user


def test_newborn_life_event_typed_once_one_number_staged_with_the_birth_certificate_handed_over(
    page, new_page, screenshot, department_b
):
    person(1, name="林晓燕")
    bundle, police = _newborn_bundle(department_b)

    # The guide shows the two stages and what is filled in once.
    _sign_in(page, "13900000001", reverse("catalogue:bundle", args=[bundle.code]))
    expect(page.get_by_role("heading", name=re.compile("只需填写一次|Filled in once"))).to_be_visible()
    screenshot(page, "life-event-birth-guide-desktop")
    page.get_by_role("link", name=re.compile("在线办理一件事|Apply online for this life event")).click()
    page.get_by_role("button", name=re.compile("开始办理一件事|Start the life-event application")).click()
    parent = Case.objects.get(bundle=bundle)
    bundle_url = f"/cases/{parent.pk}/"

    # One form: the ID number field exists once for four services, and is typed once.
    id_field = page.get_by_label(re.compile("公民身份号码"))
    expect(id_field).to_have_count(1)
    id_field.fill(ID_NUMBER)
    page.get_by_label(re.compile("新生儿姓名")).fill("林一诺")
    page.get_by_label(re.compile("随父或随母落户")).select_option("随母")
    page.get_by_label(re.compile("合作银行")).select_option("中国银行")
    page.get_by_role("button", name=re.compile("保存草稿|Save draft")).click()
    expect(page.get_by_label(re.compile("公民身份号码"))).to_have_value(ID_NUMBER)
    # The ID card once for the three services that need it; no 出生医学证明 is asked (stage 1 issues it).
    expect(page.locator("#bundle-materials")).not_to_contain_text("出生医学证明")
    page.locator("#bfile-id-card").set_input_files(
        files=[{"name": "身份证.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.locator("#bm-id-card").get_by_role("button", name=re.compile("上传|Upload")).click()
    expect(page.locator("#bm-id-card")).to_contain_text(re.compile("已提供|Provided"))
    screenshot(page, "life-event-birth-form-desktop")
    page.get_by_role("button", name=re.compile("一次提交|Submit everything at once")).click()

    # Only stage 1 reaches its department; stage 2 waits.
    rows = page.locator("table.case-table tbody tr")
    expect(rows.filter(has_text="出生医学证明首次签发")).to_contain_text(re.compile("已收件|received"))
    expect(rows.filter(has_text="出生登记")).to_contain_text(
        re.compile("等待前一阶段|Waiting for the earlier stage")
    )
    children = {
        c.item_version.name: c for c in Case.objects.filter(parent=parent).select_related("item_version")
    }
    assert {c.form_data["id_number"] for c in children.values()} == {ID_NUMBER}
    assert children["城乡居民基本医疗保险参保登记"].form_data["insured_name"] == "林一诺"
    assert children["出生登记（新生儿入户）"].status == CaseStatus.DRAFT
    screenshot(page, "life-event-birth-submitted-desktop")

    # 卫健 accepts: the life event gets its one number; the item is numbered under it.
    certificate = services.case_accept(
        case=children["出生医学证明首次签发"], clerk=_staff("health_clerk", department_b, Role.WINDOW_CLERK)
    ).case
    parent.refresh_from_db()
    assert certificate.number == f"{parent.number}-01"
    page.goto(bundle_url)
    expect(page.locator(".case-bundle-number")).to_contain_text(parent.number)
    children["出生登记（新生儿入户）"].refresh_from_db()
    assert children["出生登记（新生儿入户）"].status == CaseStatus.DRAFT  # still waiting for stage 1

    # 卫健 concludes: the 出生医学证明 is issued and stage 2 starts with it attached at trust level A.
    services.case_conclude(
        case=certificate,
        actor=_staff("health_approver", department_b, Role.APPROVER),
        code=ConclusionCode.APPROVED,
        result="出生医学证明",
    )
    licence = Licence.objects.get(case=certificate)
    registration = Case.objects.get(pk=children["出生登记（新生儿入户）"].pk)
    handed = registration.materials.get(material__key="birth-medical-certificate")
    assert registration.status == CaseStatus.SUBMITTED
    assert handed.trust_level == TrustLevel.A and handed.reference == licence.identifier
    services.case_accept(case=registration, clerk=_staff("police_clerk", police, Role.WINDOW_CLERK))
    registration.refresh_from_db()
    assert registration.number == f"{parent.number}-02"

    page.goto(bundle_url)
    expect(rows.filter(has_text="出生登记")).to_contain_text(f"{parent.number}-02")
    expect(page.locator(".case-timeline")).to_contain_text("出生医学证明首次签发")
    screenshot(page, "life-event-birth-stage-two-desktop")
    page.get_by_role("link", name="出生登记（新生儿入户）").click()
    expect(page.locator("#m-birth-medical-certificate")).to_contain_text(licence.identifier)
    screenshot(page, "life-event-birth-handed-over-desktop")

    phone = new_page(PHONE)
    _sign_in(phone, "13900000001")
    phone.goto(bundle_url)
    expect(phone.locator(".case-bundle-number")).to_contain_text(parent.number)
    screenshot(phone, "life-event-birth-stage-two-phone")
