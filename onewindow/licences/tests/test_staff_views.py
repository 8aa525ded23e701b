"""The issuing department's licence pages: list (search, filter, pagination, queries), one licence with its
events and actions, the lifecycle forms, licence types and signing keys — with the permission matrix."""

from __future__ import annotations

import pytest

from onewindow.licences.models import Licence, LicenceEvent, LicenceStatus, LicenceType, SigningKey
from onewindow.licences.tests.factories import FACE, licence_issued, licence_type
from onewindow.organisations.models import Role
from tests.factories import MembershipFactory, UserFactory

LIST = "/workbench/licences/"


def _staff(username, department, role):
    return MembershipFactory(
        user=UserFactory(username=username, is_staff=True), department=department, role=role
    ).user


@pytest.fixture
def approver_a(department_a):
    return _staff("approver_a", department_a, Role.APPROVER)


@pytest.fixture
def admin_a(department_a):
    return _staff("admin_a", department_a, Role.DEPARTMENT_ADMIN)


@pytest.fixture
def approver_b(department_b):
    return _staff("approver_b", department_b, Role.APPROVER)


@pytest.fixture
def food_type(department_a):
    return licence_type(department_a)


@pytest.fixture
def licence(citizen, food_type):
    return licence_issued(holder_person=citizen.person, licence_type=food_type)


def _url(licence, action=""):
    return f"{LIST}{licence.pk}/" + (f"{action}/" if action else "")


# --- the list --------------------------------------------------------------------------------------------


def test_the_list_shows_the_departments_licences(client_as, clerk_a, licence):
    response = client_as(clerk_a).get(LIST)
    assert response.status_code == 200
    assert licence.number in response.content.decode()


def test_the_list_searches_and_filters(client_as, approver_a, licence, food_type, another_citizen):
    other = licence_issued(holder_person=another_citizen.person, licence_type=food_type)
    client = client_as(approver_a)
    page = client.get(LIST, {"q": other.number}).content.decode()
    assert other.number in page and f">{licence.number}<" not in page
    assert "李四" in client.get(LIST, {"q": "李四"}).content.decode()
    Licence.objects.filter(pk=licence.pk).update(status=LicenceStatus.REVOKED)
    page = client.get(LIST, {"status": "revoked"}).content.decode()
    assert licence.number in page and other.number not in page


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    client_as, approver_a, food_type, citizen, django_assert_max_num_queries
):
    for _ in range(27):
        licence_issued(holder_person=citizen.person, licence_type=food_type)
    client = client_as(approver_a)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert response.status_code == 200 and response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 25


def test_another_departments_licences_are_not_listed(client_as, clerk_b, licence):
    response = client_as(clerk_b).get(LIST)
    assert response.status_code == 200 and licence.number not in response.content.decode()


def test_asking_for_another_department_is_forbidden(client_as, clerk_b, department_a):
    assert client_as(clerk_b).get(LIST, {"department": str(department_a.pk)}).status_code == 403


def test_citizens_and_anonymous_visitors_are_kept_out(client, client_as, citizen):
    assert client.get(LIST).status_code == 302
    assert client_as(citizen).get(LIST).status_code == 403


# --- one licence -----------------------------------------------------------------------------------------


def test_the_licence_page_shows_face_events_signature_and_actions(client_as, approver_a, licence, citizen):
    response = client_as(approver_a).get(_url(licence))
    page = response.content.decode()
    assert response.status_code == 200
    assert licence.identifier in page and FACE["business_scope"] in page and "经营范围" in page
    assert citizen.person.id_number not in page
    assert [panel["action"] for panel in response.context["panels"]] == [
        "change",
        "renew",
        "suspend",
        "revoke",
    ]
    assert response.context["verification"].signature_valid


def test_a_window_clerk_sees_the_licence_but_no_actions(client_as, clerk_a, licence):
    response = client_as(clerk_a).get(_url(licence))
    assert response.status_code == 200 and response.context["panels"] == []
    assert client_as(clerk_a).post(_url(licence, "suspend"), {"reason": "x"}).status_code == 403
    assert LicenceEvent.objects.filter(licence=licence).count() == 1


def test_another_departments_staff_get_403_and_unknown_licences_404(client_as, approver_b, licence):
    client = client_as(approver_b)
    assert client.get(_url(licence)).status_code == 403
    assert client.post(_url(licence, "revoke"), {"reason": "x", "basis": "y"}).status_code == 403
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID
    assert client.get(f"{LIST}00000000-0000-0000-0000-000000000000/").status_code == 404


def test_suspend_then_lift(client_as, approver_a, licence):
    client = client_as(approver_a)
    response = client.post(_url(licence, "suspend"), {"reason": "涉嫌违法", "basis": "食品安全法"})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED
    assert client.post(_url(licence, "lift"), {"reason": "整改完成"}).status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID


def test_revoke_without_a_basis_is_refused_on_the_form(client_as, approver_a, licence):
    response = client_as(approver_a).post(_url(licence, "revoke"), {"reason": "x", "basis": ""})
    assert response.status_code == 400
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.VALID


def test_revoke_with_reason_and_basis(client_as, approver_a, licence):
    response = client_as(approver_a).post(
        _url(licence, "revoke"), {"reason": "以欺骗手段取得", "basis": "行政许可法第六十九条"}, follow=True
    )
    assert response.status_code == 200
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    assert "05" in response.content.decode()


def test_a_state_conflict_answers_409_with_the_message(client_as, approver_a, licence):
    Licence.objects.filter(pk=licence.pk).update(status=LicenceStatus.REVOKED)
    response = client_as(approver_a).post(_url(licence, "suspend"), {"reason": "x"})
    assert response.status_code == 409
    assert "不能暂停" in response.content.decode()


def test_renew_and_change_lead_to_the_new_licence(client_as, approver_a, licence):
    client = client_as(approver_a)
    response = client.post(_url(licence, "renew"), {"reason": "延续"})
    renewed = Licence.objects.get(previous=licence)
    assert response.status_code == 302 and response["Location"].endswith(f"{renewed.pk}/")
    data = {"face_business_scope": FACE["business_scope"], "face_address": "新地址", "reason": "地址变更"}
    response = client.post(_url(renewed, "change"), data)
    changed = Licence.objects.get(previous=renewed)
    assert response.status_code == 302 and changed.face["address"] == "新地址"


@pytest.mark.parametrize("valid_from", ["9999-12-31", "0001-01-01"])
def test_a_renewal_dated_far_away_is_refused_on_the_form(client_as, approver_a, licence, valid_from):
    response = client_as(approver_a).post(
        _url(licence, "renew"), {"valid_from": valid_from, "reason": "延续"}
    )
    assert response.status_code == 400
    assert "有效期起始日" in response.content.decode()
    assert not Licence.objects.filter(previous=licence).exists()


def test_an_unknown_action_is_404(client_as, approver_a, licence):
    assert client_as(approver_a).post(_url(licence, "destroy")).status_code == 404


# --- types and keys --------------------------------------------------------------------------------------


def test_department_admins_create_licence_types(client_as, admin_a, department_a):
    client = client_as(admin_a)
    assert client.get(f"{LIST}types/").status_code == 200
    response = client.post(
        f"{LIST}types/",
        {
            "code": "JY2",
            "name": "食品生产许可证",
            "validity_years": "5",
            "reminder_days": "30",
            "face_fields": "scope|生产范围|form.scope\naddress|生产地址",
        },
    )
    assert response.status_code == 302
    created = LicenceType.objects.get(code="JY2")
    assert created.issuer == department_a
    assert created.face_fields[1] == {"key": "address", "label": "生产地址", "source": "form.address"}


def test_a_bad_type_code_is_refused_and_nothing_written(client_as, admin_a):
    response = client_as(admin_a).post(
        f"{LIST}types/", {"code": "jy.2", "name": "x", "reminder_days": "30", "face_fields": ""}
    )
    assert response.status_code == 400
    assert "大写字母" in response.content.decode()
    assert not LicenceType.objects.exists()


def test_types_and_keys_are_for_department_admins_only(client_as, approver_a, clerk_b):
    for user in (approver_a, clerk_b):
        client = client_as(user)
        assert client.get(f"{LIST}types/").status_code == 403
        assert client.post(f"{LIST}keys/", {"algorithm": "sm2-sm3"}).status_code == 403
    assert not SigningKey.objects.exists()


def test_stop_issuing_a_type(client_as, admin_a, food_type, department_a):
    response = client_as(admin_a).post(
        f"{LIST}types/{food_type.pk}/active/", {"active": "0", "department": str(department_a.pk)}
    )
    assert response.status_code == 302
    food_type.refresh_from_db()
    assert not food_type.is_active


def test_create_and_rotate_keys(client_as, admin_a, department_a):
    client = client_as(admin_a)
    assert client.post(f"{LIST}keys/", {"algorithm": "ed25519"}).status_code == 302
    assert client.post(f"{LIST}keys/", {"algorithm": "ed25519"}).status_code == 409
    assert client.post(f"{LIST}keys/", {"algorithm": "ed25519", "rotate": "1"}).status_code == 302
    assert sorted(SigningKey.objects.values_list("status", flat=True)) == ["active", "retired"]
    page = client.get(f"{LIST}keys/").content.decode()
    assert "PRIVATE" not in page
    assert client.post(f"{LIST}keys/", {"algorithm": "rsa"}).status_code == 400
