"""Verification (status, dates, signature over the stored columns — tampering caught), the QR short code,
the published keys and the holder's wallet scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string

from onewindow.core import clock
from onewindow.licences import selectors, services
from onewindow.licences.api import verification_body
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.licences.selectors import licence_get_by_short, licence_short_code, licence_verify
from onewindow.licences.tests.factories import FACE, licence_issued, licence_type


@pytest.fixture
def licence(citizen, department_a):
    return licence_issued(holder_person=citizen.person, licence_type=licence_type(department_a))


def test_a_fresh_licence_verifies_valid_with_the_holder_masked(licence, citizen):
    result = licence_verify(licence.identifier)
    assert result.outcome == "valid" and result.signature_valid and result.is_valid
    assert result.licence == licence and result.face == FACE
    assert citizen.person.id_number not in result.holder_masked
    assert result.holder_masked.startswith("张*（") and "****" in result.holder_masked


def test_lowercase_and_spaces_around_the_identifier_are_forgiven(licence):
    assert licence_verify(f"  {licence.identifier.lower()} ").outcome == "valid"


def test_unknown_and_malformed_identifiers(licence):
    other = licence.identifier[:-3] + "9." + licence.identifier[-1]
    assert licence_verify(other).outcome == "unknown"
    result = licence_verify("hello")
    assert result.outcome == "unknown" and result.problems and not result.signature_valid


def test_a_changed_face_field_is_detected(licence):
    Licence.objects.filter(pk=licence.pk).update(face=FACE | {"business_scope": "药品零售"})
    result = licence_verify(licence.identifier)
    assert result.outcome == "valid" and not result.signature_valid and not result.is_valid


@pytest.mark.parametrize(
    "change",
    [
        {"holder_name": "王五"},
        {"valid_until": dt.date(2099, 12, 31)},
        {"number": "X1"},
    ],
)
def test_changed_signed_columns_are_detected(licence, change):
    Licence.objects.filter(pk=licence.pk).update(**change)
    assert not licence_verify(licence.identifier).signature_valid


def test_a_changed_signature_is_detected(licence):
    import base64

    raw = bytearray(base64.b64decode(licence.signature))
    raw[10] ^= 0xFF
    Licence.objects.filter(pk=licence.pk).update(signature=base64.b64encode(bytes(raw)).decode())
    assert not licence_verify(licence.identifier).signature_valid
    Licence.objects.filter(pk=licence.pk).update(signature="garbage")
    assert not licence_verify(licence.identifier).signature_valid


def test_a_signature_from_another_licence_is_detected(licence, citizen, department_a):
    other = licence_issued(holder_person=citizen.person, licence_type=licence.licence_type)
    Licence.objects.filter(pk=licence.pk).update(signature=other.signature)
    assert not licence_verify(licence.identifier).signature_valid


def test_the_status_is_not_signed_and_answers_each_outcome(licence):
    for status, outcome in [
        (LicenceStatus.SUSPENDED, "suspended"),
        (LicenceStatus.REVOKED, "revoked"),
        (LicenceStatus.EXPIRED, "expired"),
        (LicenceStatus.SUPERSEDED, "superseded"),
    ]:
        Licence.objects.filter(pk=licence.pk).update(status=status)
        result = licence_verify(licence.identifier)
        assert result.outcome == outcome and result.signature_valid


def test_a_licence_past_its_end_date_is_expired_before_the_job_runs(licence, monkeypatch):
    assert licence.valid_until is not None
    monkeypatch.setattr(clock, "today", lambda: licence.valid_until + dt.timedelta(days=1))
    assert licence_verify(licence.identifier).outcome == "expired"


def test_a_licence_valid_from_a_later_date_is_not_yet_valid(citizen, department_a):
    later = services.licence_issue(
        licence_type=licence_type(department_a),
        holder_person=citizen.person,
        face=FACE,
        actor=None,
        valid_from=clock.today() + dt.timedelta(days=3),
    )
    assert licence_verify(later.identifier).outcome == "not_yet_valid"


def test_short_code_round_trip(licence):
    code = licence_short_code(licence)
    assert 1 <= len(code) <= 22 and code.isalnum() and not set(code) & set("0OIl")
    assert licence_get_by_short(code) == licence
    assert licence_get_by_short("") is None
    assert licence_get_by_short("0OIl") is None
    assert licence_get_by_short("z" * 30) is None
    assert licence_get_by_short("zzzzzzzzzzzzzzzzzzzzzz") is None


def test_verify_runs_in_one_query_without_loading_the_private_key(licence, django_assert_max_num_queries):
    """The look-up reads only the columns it shows or checks: the API's answer and the page need no other."""
    with django_assert_max_num_queries(1):
        result = licence_verify(licence.identifier)
        body = verification_body(result)
        page = render_to_string("licences/verify_result.html", {"result": result, "licence": result.licence})
    assert result.signature_valid and body["valid"] and body["licence"]["key_id"] in page
    assert "private_key" in result.licence.signing_key.get_deferred_fields()


def test_public_keys_lists_retired_keys_without_private_halves(licence, department_a):
    services.signing_key_rotate(department=department_a, algorithm="sm2-sm3", actor=None)
    keys = list(selectors.public_keys())
    assert {key.status for key in keys} == {"active", "retired"}
    assert all("private_key" in key.get_deferred_fields() for key in keys)


def test_the_wallet_shows_the_holders_own_licences_only(licence, citizen, another_citizen):
    assert list(selectors.licences_of_holder(user=citizen)) == [licence]
    assert list(selectors.licences_of_holder(user=another_citizen)) == []


def test_a_company_wallet_needs_the_licences_scope(citizen, another_citizen, department_a):
    from onewindow.cases.tests.factories import agency, company_of

    company = company_of(citizen.person)
    held = licence_issued(holder_company=company, licence_type=licence_type(department_a))
    agency(company, another_citizen.person, scopes=["apply"])
    assert list(selectors.licences_of_holder(user=another_citizen)) == []
    agency_row = company.agencies.get()
    agency_row.scopes = ["apply", "licences"]
    agency_row.save()
    assert list(selectors.licences_of_holder(user=another_citizen)) == [held]
