"""Personal data: staff reveal an identifier only with a reason (kept for the person); the person's export."""

from __future__ import annotations

import json

import pytest

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.models import PersonalDataView
from onewindow.identity.services.companies import company_register
from onewindow.identity.services.personal_data import person_data_export, person_identifier_reveal
from onewindow.identity.services.verification import person_verify_face
from onewindow.identity.verifiers import SandboxIdentityVerifier
from tests.factories import UserFactory, person


@pytest.fixture
def someone(db):
    return person(50, name="张三")


def test_a_clerk_sees_the_id_number_with_a_reason(clerk_a, someone):
    value = person_identifier_reveal(
        viewer=clerk_a, person=someone, field="id_number", reason="窗口受理核对身份"
    )
    assert value == someone.id_number
    view = PersonalDataView.objects.get(person=someone)
    assert (view.viewer, view.field, view.viewer_department) == (clerk_a, "id_number", "福州市市场监督管理局")
    entry = AuditEntry.objects.get(action="person.identifier_reveal")
    assert entry.changes["reason"] == "窗口受理核对身份" and someone.id_number not in json.dumps(
        entry.changes
    )


def test_a_clerk_sees_the_phone(clerk_a, someone):
    assert (
        person_identifier_reveal(viewer=clerk_a, person=someone, field="phone", reason="电话回访确认")
        == someone.phone
    )


@pytest.mark.parametrize("reason", ["", "  ", "核对"])
def test_a_reason_of_at_least_four_characters_is_required(clerk_a, someone, reason):
    with pytest.raises(DomainError) as caught:
        person_identifier_reveal(viewer=clerk_a, person=someone, field="id_number", reason=reason)
    assert caught.value.code == "reveal.reason" and caught.value.problems[0].field == "reason"
    assert not PersonalDataView.objects.exists()


def test_staff_without_a_department_cannot_reveal(someone):
    with pytest.raises(DomainError) as caught:
        person_identifier_reveal(
            viewer=UserFactory(is_staff=True), person=someone, field="phone", reason="随便看看看"
        )
    assert caught.value.status == 403


def test_a_citizen_cannot_reveal_another_citizen(someone):
    with pytest.raises(DomainError) as caught:
        person_identifier_reveal(viewer=person(51).user, person=someone, field="phone", reason="想看一下号码")
    assert caught.value.status == 403


def test_only_id_number_or_phone_may_be_revealed(clerk_a, someone):
    with pytest.raises(DomainError) as caught:
        person_identifier_reveal(
            viewer=clerk_a, person=someone, field="postal_address", reason="窗口受理核对"
        )
    assert caught.value.code == "reveal.field"


def test_the_export_holds_everything_about_the_person_in_full(clerk_a, someone):
    person_verify_face(person=someone, evidence=SandboxIdentityVerifier.FACE_TOKEN)
    company_register(person=someone, credit_code="91350100M000100Y43")
    person_identifier_reveal(viewer=clerk_a, person=someone, field="phone", reason="电话回访确认")
    export = person_data_export(person=someone)
    assert export["person"]["id_number"] == someone.id_number and export["person"]["phone"] == someone.phone
    assert export["account"]["name"] == "张三"
    assert [v["method"] for v in export["verifications"]] == ["face"]
    assert export["companies_represented"][0]["credit_code"] == "91350100M000100Y43"
    assert export["personal_data_views"][0]["reason"] == "电话回访确认"
    actions = {entry["action"] for entry in export["audit_trail"]}
    assert {"person.create", "person.verify", "company.register", "person.identifier_reveal"} <= actions
    json.dumps(export)


def test_the_export_is_logged(someone):
    person_data_export(person=someone)
    assert AuditEntry.objects.filter(action="person.data_export", target_id=str(someone.pk)).exists()


def test_the_export_leaves_out_other_peoples_records(clerk_a, someone):
    other = person(52)
    person_identifier_reveal(viewer=clerk_a, person=other, field="phone", reason="电话回访确认")
    export = person_data_export(person=someone)
    assert export["personal_data_views"] == []
    assert other.phone not in json.dumps(export)
