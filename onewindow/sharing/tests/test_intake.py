"""No resubmission, for real: at intake the gateway answers the materials a registry holds (trust level A,
with the query reference), the form is checked against the registries, the clerk and the person see it —
and a registry without the record or stopped leaves the material to an upload (trust C), never a 500."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from onewindow.cases import services as case_services
from onewindow.cases.models import CaseMaterial, TrustLevel
from onewindow.cases.tests.factories import case_item, company_of, material_of, upload
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.tests.factories import material
from onewindow.core.errors import DomainError
from onewindow.sharing.intake import form_verify
from onewindow.sharing.models import AccessLogEntry, CheckOutcome, FormCheck, QueryOutcome
from onewindow.sharing.tests.conftest import COMPANY_CODE, PERSON_ID, PURPOSE

pytestmark = pytest.mark.django_db
FORM = {"applicant_name": "张三"}


@pytest.fixture
def item(department_b):
    return case_item(
        department=department_b,
        name="新办纳税人套餐",
        materials=[
            material("application-form"),
            material(
                "business-licence", source=MaterialSource.ELICENCE, licence_type_code="11100000000013127D001"
            ),
            material("id-card", name="经办人身份证件", source=MaterialSource.SHARED),
        ],
    )


@pytest.fixture
def company_case(citizen, item, approved):
    company = company_of(citizen.person)
    assert company.credit_code == COMPANY_CODE
    citizen.person.acting_for = company
    citizen.person.save(update_fields=["acting_for"])
    return case_services.case_start(user=citizen, item=item, company=company, form_data=FORM)


def test_the_business_licence_and_the_persons_identity_come_from_the_registries(company_case):
    rows = {row.material.key: row for row in company_case.materials.all()}
    assert set(rows) == {"business-licence", "id-card"}
    for row in rows.values():
        assert row.trust_level == TrustLevel.A and row.from_shared_data
        assert row.content_type == "application/pdf" and row.uploaded_by is not None
    entries = AccessLogEntry.objects.filter(case_id=company_case.pk)
    assert {e.reference for e in entries} == {row.reference for row in rows.values()}
    assert all(e.purpose == PURPOSE and e.outcome == QueryOutcome.ANSWERED for e in entries)


def test_nothing_is_asked_and_the_case_submits_without_uploads(company_case, citizen):
    case_services.case_material_attach(
        case=company_case,
        user=citizen,
        material=material_of(company_case.item, "application-form"),
        upload=upload(),
    )
    submitted = case_services.case_submit(case=company_case, actor=citizen)
    assert submitted.status == "submitted"
    assert not CaseMaterial.objects.filter(case=company_case, trust_level=TrustLevel.C).exclude(
        material__key="application-form"
    )


def test_the_clerk_sees_trust_a_shared_data_verified(company_case, citizen, client_as, clerk_b):
    company_case.form_data = {
        **FORM,
        "credit_code": COMPANY_CODE,
        "company_name": "别的公司",
        "legal_representative": "张三",
    }
    company_case.save(update_fields=["form_data"])
    case_services.case_material_attach(
        case=company_case,
        user=citizen,
        material=material_of(company_case.item, "application-form"),
        upload=upload(),
    )
    case_services.case_submit(case=company_case, actor=citizen)
    page = client_as(clerk_b).get(reverse("cases_staff:case_detail", args=[company_case.pk])).content.decode()
    assert "共享数据 · 已核验" in page
    # The form's company name differs from the market register: flagged to the clerk.
    assert "单位名称填写为“别的公司”，登记为“福州市测试1有限公司”" in page


def test_a_correction_notice_cannot_ask_for_shared_data(company_case, citizen, clerk_b):
    case_services.case_material_attach(
        case=company_case,
        user=citizen,
        material=material_of(company_case.item, "application-form"),
        upload=upload(),
    )
    case_services.case_submit(case=company_case, actor=citizen)
    with pytest.raises(DomainError) as refused:
        case_services.case_correction_request(
            case=company_case,
            clerk=clerk_b,
            problems=[(material_of(company_case.item, "business-licence"), "不清晰")],
        )
    assert refused.value.code == "correction_shared_data"


def test_the_form_is_checked_against_the_market_and_population_registries(company_case):
    company_case.form_data = {
        "applicant_name": "李四",
        "id_number": PERSON_ID,
        "credit_code": COMPANY_CODE,
        "company_name": "福州市测试1有限公司",
        "legal_representative": "张三",
    }
    company_case.save(update_fields=["form_data"])
    form_verify(case=company_case)
    checks = {c.field: c for c in FormCheck.objects.filter(case=company_case)}
    assert checks["credit_code"].outcome == CheckOutcome.MATCH
    assert checks["id_number"].outcome == CheckOutcome.MISMATCH
    assert "姓名填写为“李四”，登记为“张三”" in checks["id_number"].detail


def test_a_deregistered_company_is_flagged(company_case, registry_files):
    records = json.loads(registry_files["market"].read_text())
    records[COMPANY_CODE]["status"] = "注销"
    registry_files["market"].write_text(json.dumps(records))
    company_case.form_data = {**FORM, "credit_code": COMPANY_CODE}
    company_case.save(update_fields=["form_data"])
    from onewindow.core.plugins import plugins_reset

    plugins_reset()
    form_verify(case=company_case)
    assert "注销" in FormCheck.objects.get(case=company_case, field="credit_code").detail


# --- degraded -------------------------------------------------------------------------------------------------


@pytest.fixture
def registries_down(settings, registry_files):
    settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN = ["all"]


def test_with_the_registries_stopped_the_case_starts_and_the_applicant_is_told(
    registries_down, company_case, client_as, citizen
):
    assert not company_case.materials.exists()
    assert (
        AccessLogEntry.objects.filter(case_id=company_case.pk, outcome=QueryOutcome.UNAVAILABLE).count() == 2
    )
    page = client_as(citizen).get(reverse("cases:case", args=[company_case.pk])).content.decode()
    assert "暂时不可用，平台未能自动获取“经办人身份证件”" in page
    assert 'id="file-id-card"' in page  # the upload form for the shared-data material


def test_with_the_registry_stopped_the_applicant_uploads_instead_at_trust_c(
    registries_down, company_case, client_as, citizen
):
    response = client_as(citizen).post(
        reverse("cases:material_upload", args=[company_case.pk]),
        {"material": "id-card", "file": upload("id.pdf")},
    )
    assert response.status_code == 302
    row = company_case.materials.get(material__key="id-card")
    assert row.trust_level == TrustLevel.C and not row.from_shared_data


def test_without_a_record_the_applicant_is_told_to_upload(
    company_case, registry_files, citizen, item, client_as
):
    registry_files["population"].write_text("{}")
    from onewindow.core.plugins import plugins_reset

    plugins_reset()
    other = case_services.case_start(user=citizen, item=item, company=company_case.company, form_data=FORM)
    assert not other.materials.filter(material__key="id-card").exists()
    page = client_as(citizen).get(reverse("cases:case", args=[other.pk])).content.decode()
    assert "没有查到您的记录" in page


def test_a_registry_back_up_at_submission_fills_the_material(settings, company_case, citizen, registry_files):
    settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN = ["all"]
    from onewindow.cases.models import Case

    case = case_services.case_start(
        user=citizen, item=company_case.item, company=company_case.company, form_data=FORM
    )
    assert not case.materials.exists()
    settings.ONEWINDOW_REGISTRY_SANDBOX_DOWN = []
    case_services.case_material_attach(
        case=case, user=citizen, material=material_of(case.item, "application-form"), upload=upload()
    )
    case_services.case_submit(case=Case.objects.get(pk=case.pk), actor=citizen)
    assert case.materials.filter(reference__startswith="GX").count() == 2
