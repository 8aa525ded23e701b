"""The organisation admin: writes go through the services (validated, audited); checksum overrides need a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.core.identifiers import CREDIT_CODE_ALPHABET
from onewindow.core.models import AuditEntry
from onewindow.organisations.models import Department, Membership, Region, Role
from tests.factories import DepartmentFactory, RegionFactory, UserFactory, valid_credit_code

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:organisations_department_add")


def bad_checksum(code: str) -> str:
    wrong = next(ch for ch in CREDIT_CODE_ALPHABET if ch != code[-1])
    return code[:-1] + wrong


def department_form(region: Region, **overrides: object) -> dict[str, object]:
    data = {
        "name": "福州市数据管理局",
        "short_name": "市数据局",
        "credit_code": valid_credit_code(501),
        "region": str(region.pk),
        "level": "3",
        "nature": "1",
        "parent": "",
        "is_active": "on",
        "override_reason": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    return data | overrides


def test_adding_a_department_goes_through_the_service_and_is_audited(admin_client):
    city = RegionFactory(city=True)
    response = admin_client.post(ADD_URL, department_form(city))
    assert response.status_code == 302, response.context["adminform"].form.errors
    department = Department.objects.get(name="福州市数据管理局")
    assert AuditEntry.objects.filter(action="department.create", target_id=str(department.pk)).exists()


def test_a_checksum_mismatch_asks_for_the_confirmation_reason(admin_client):
    city = RegionFactory(city=True)
    response = admin_client.post(
        ADD_URL, department_form(city, credit_code=bad_checksum(valid_credit_code(502)))
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "校验不符确认理由" in errors["override_reason"][0]
    assert not Department.objects.filter(name="福州市数据管理局").exists()


def test_a_checksum_mismatch_with_a_reason_is_kept_with_the_reason(admin_client):
    city = RegionFactory(city=True)
    code = bad_checksum(valid_credit_code(503))
    response = admin_client.post(
        ADD_URL, department_form(city, credit_code=code, override_reason="登记证书原件如此")
    )
    assert response.status_code == 302
    department = Department.objects.get(credit_code=code)
    assert department.credit_code_override_reason == "登记证书原件如此"


def test_a_malformed_credit_code_is_refused_on_its_field(admin_client):
    city = RegionFactory(city=True)
    response = admin_client.post(ADD_URL, department_form(city, credit_code="91350100ABCDEFGHIO"))
    assert response.status_code == 200
    assert "不允许的字符" in response.context["adminform"].form.errors["credit_code"][0]


def test_changing_a_department_records_old_and_new_values(admin_client):
    department = DepartmentFactory(name="旧名称")
    url = reverse("admin:organisations_department_change", args=[department.pk])
    data = department_form(department.region, name="新名称", credit_code=department.credit_code)
    response = admin_client.post(url, data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="department.update", target_id=str(department.pk))
    assert entry.changes["name"] == ["旧名称", "新名称"]


def test_a_role_granted_inline_is_granted_through_the_service(admin_client):
    department = DepartmentFactory()
    clerk = UserFactory(username="new_clerk")
    url = reverse("admin:organisations_department_change", args=[department.pk])
    data = department_form(department.region, name=department.name, credit_code=department.credit_code) | {
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-user": str(clerk.pk),
        "memberships-0-role": Role.REVIEWER,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert Membership.objects.filter(user=clerk, department=department, role=Role.REVIEWER).exists()
    assert AuditEntry.objects.filter(action="membership.grant").exists()
    clerk.refresh_from_db()
    assert clerk.is_staff


def test_departments_cannot_be_deleted(admin_client):
    department = DepartmentFactory()
    response = admin_client.post(
        reverse("admin:organisations_department_delete", args=[department.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Department.objects.filter(pk=department.pk).exists()


def test_a_region_is_added_through_the_service(admin_client):
    RegionFactory()
    response = admin_client.post(
        reverse("admin:organisations_region_add"),
        {"code": "350200", "name": "厦门市", "parent": str(Region.objects.get(code="350000").pk)},
    )
    assert response.status_code == 302
    assert Region.objects.get(code="350200").level == 2
    assert AuditEntry.objects.filter(action="region.create").exists()


def test_the_audit_trail_is_read_only(admin_client):
    DepartmentFactory()
    from onewindow.core.services import audit_record

    entry = audit_record(actor=None, action="test.entry")
    assert admin_client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:core_auditentry_add")).status_code == 403
    response = admin_client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "model",
    [
        "organisations_region",
        "organisations_department",
        "organisations_membership",
        "core_auditentry",
        "workdays_calendarday",
        "workdays_calendaryear",
        "workdays_deadline",
    ],
)
def test_every_changelist_renders_in_chinese(admin_client, model):
    DepartmentFactory()
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200
    assert 'lang="zh-hans"' in response.content.decode()


def test_the_admin_index_links_to_the_import_pages(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("workbench:organisations_import") in page
    assert reverse("workbench:calendar_import") in page
