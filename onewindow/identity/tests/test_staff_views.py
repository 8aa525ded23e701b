"""身份核验 page for window staff: exact look-up, masked display, reasoned reveal, counter verification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.identity.models import AssuranceLevel, PersonalDataView
from tests.factories import UserFactory, person

URL = reverse("identity_staff:lookup")


@pytest.fixture
def wang(db):
    return person(80, name="王小明")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("identity:login") in response["Location"]


def test_a_citizen_is_forbidden(client_as, wang):
    assert client_as(wang.user).get(URL).status_code == 403


def test_staff_without_a_department_are_forbidden(client_as, db):
    assert client_as(UserFactory(is_staff=True)).get(URL).status_code == 403


@pytest.mark.parametrize("identifier", ["phone", "id_number"])
def test_a_clerk_finds_a_person_by_exact_identifier_and_sees_it_masked(client_as, clerk_a, wang, identifier):
    client = client_as(clerk_a)
    found = client.post(URL, {"action": "find", "q": getattr(wang, identifier)})
    assert found.status_code == 302 and getattr(wang, identifier) not in found["Location"]
    response = client.get(found["Location"])
    page = response.content.decode()
    assert "王小明" in page and wang.id_number_masked in page and wang.phone_masked in page
    assert wang.id_number not in page and wang.phone not in page
    assert response["Cache-Control"] == "no-store"


def test_a_partial_identifier_finds_nobody(client_as, clerk_a, wang):
    response = client_as(clerk_a).post(URL, {"action": "find", "q": wang.phone[:7]})
    assert response.status_code == 200 and "王小明" not in response.content.decode()


def test_revealing_needs_a_reason(client_as, clerk_a, wang):
    response = client_as(clerk_a).post(
        URL, {"action": "reveal", "person": wang.pk, "field": "id_number", "reason": "看"}
    )
    assert response.status_code == 400 and wang.id_number not in response.content.decode()
    assert not PersonalDataView.objects.exists()


def test_revealing_with_a_reason_shows_the_number_once_and_records_it(client_as, clerk_a, wang):
    client = client_as(clerk_a)
    response = client.post(
        URL, {"action": "reveal", "person": wang.pk, "field": "id_number", "reason": "窗口受理核对身份"}
    )
    assert response.status_code == 200 and wang.id_number in response.content.decode()
    assert PersonalDataView.objects.get(person=wang).reason == "窗口受理核对身份"
    assert wang.id_number not in client.get(URL, {"person": wang.pk}).content.decode()


def test_a_window_clerk_verifies_at_the_counter(client_as, clerk_a, wang):
    response = client_as(clerk_a).post(
        URL, {"action": "counter", "person": wang.pk, "id_number": wang.id_number, "document_checked": "on"}
    )
    wang.refresh_from_db()
    assert response.status_code == 302 and wang.assurance_level == AssuranceLevel.L4


def test_counter_verification_without_the_document_check_is_refused(client_as, clerk_a, wang):
    response = client_as(clerk_a).post(
        URL, {"action": "counter", "person": wang.pk, "id_number": wang.id_number}
    )
    wang.refresh_from_db()
    assert response.status_code == 400 and wang.assurance_level == AssuranceLevel.L2


def test_staff_who_are_not_window_clerks_cannot_verify_at_the_counter(client_as, supervisor, wang):
    client = client_as(supervisor)
    assert "document_checked" not in client.get(URL, {"person": wang.pk}).content.decode()
    response = client.post(
        URL, {"action": "counter", "person": wang.pk, "id_number": wang.id_number, "document_checked": "on"}
    )
    wang.refresh_from_db()
    assert response.status_code == 403 and wang.assurance_level == AssuranceLevel.L2
