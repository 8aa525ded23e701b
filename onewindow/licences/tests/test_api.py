"""The public licence API: verify by identifier (each outcome, tampering, bad input, rate limit) and the
published keys."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from onewindow.licences import services
from onewindow.licences.models import Licence
from onewindow.licences.signing import public_signer
from onewindow.licences.tests.factories import FACE, licence_issued, licence_type

URL = "/api/v1/licences/verify/"


@pytest.fixture
def licence(citizen, department_a):
    return licence_issued(holder_person=citizen.person, licence_type=licence_type(department_a))


def test_verify_answers_valid_with_the_face_and_the_holder_masked(client: Client, licence, citizen):
    response = client.get(URL + licence.identifier)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "valid" and body["signature_valid"] is True and body["valid"] is True
    assert body["identifier"] == licence.identifier
    data = body["licence"]
    assert data["face"] == FACE and data["number"] == licence.number
    assert [field["label"] for field in data["face_fields"]] == ["经营范围", "经营场所"]
    assert data["issuer_code"] == licence.issuer.credit_code
    assert data["key_id"] == licence.signing_key.key_id and data["algorithm"] == "sm2-sm3"
    assert citizen.person.id_number not in response.content.decode()
    assert data["holder"].startswith("张*")


def test_verify_needs_no_login_and_no_csrf(licence):
    assert Client(enforce_csrf_checks=True).get(URL + licence.identifier).status_code == 200


def test_verify_answers_revoked_after_revocation(client, licence, department_a):
    from tests.factories import MembershipFactory

    approver = MembershipFactory(department=department_a, role="approver").user
    services.licence_revoke(licence=licence, actor=approver, reason="吊销", basis="食品安全法")
    body = client.get(URL + licence.identifier).json()
    assert body["outcome"] == "revoked" and body["signature_valid"] is True and body["valid"] is False
    assert body["licence"]["status"] == "revoked"


def test_a_repeated_verification_is_answered_from_the_cache_without_the_database(
    client, licence, django_assert_num_queries
):
    first = client.get(URL + licence.identifier).json()

    with django_assert_num_queries(0):
        again = client.get(URL + licence.identifier).json()
    assert again == first and again["outcome"] == "valid"


def test_a_cached_verification_answers_revoked_as_soon_as_the_revocation_commits(
    client, licence, department_a, django_capture_on_commit_callbacks
):
    from tests.factories import MembershipFactory

    assert client.get(URL + licence.identifier).json()["outcome"] == "valid"  # now in the cache
    approver = MembershipFactory(department=department_a, role="approver").user
    with django_capture_on_commit_callbacks(execute=True):
        services.licence_revoke(licence=licence, actor=approver, reason="吊销", basis="食品安全法")

    assert client.get(URL + licence.identifier).json()["outcome"] == "revoked"


def test_an_answer_made_from_the_state_before_a_change_is_never_served_after_it(
    licence, department_a, django_capture_on_commit_callbacks
):
    from onewindow.licences.selectors import licence_verify_answer
    from tests.factories import MembershipFactory

    approver = MembershipFactory(department=department_a, role="approver").user

    def outcome_then_revoked_meanwhile(result):
        # The licence was read as valid; the revocation commits before this answer is stored.
        with django_capture_on_commit_callbacks(execute=True):
            services.licence_revoke(licence=licence, actor=approver, reason="吊销", basis="食品安全法")
        return result.outcome

    assert licence_verify_answer(licence.identifier, outcome_then_revoked_meanwhile) == "valid"
    assert licence_verify_answer(licence.identifier, lambda result: result.outcome) == "revoked"


def test_a_cached_verification_follows_the_date(client, citizen, department_a, at):
    at("2026-09-29")
    starts_tomorrow = licence_issued(
        holder_person=citizen.person,
        licence_type=licence_type(department_a),
        valid_from=dt.date(2026, 9, 30),
    )
    assert client.get(URL + starts_tomorrow.identifier).json()["outcome"] == "not_yet_valid"

    at("2026-09-30")
    assert client.get(URL + starts_tomorrow.identifier).json()["outcome"] == "valid"


def test_verify_detects_a_tampered_face_field(client, licence):
    Licence.objects.filter(pk=licence.pk).update(face=FACE | {"address": "别处"})
    body = client.get(URL + licence.identifier).json()
    assert body["signature_valid"] is False
    # Still in force by its status, but tampered with: not valid.
    assert body["outcome"] == "valid" and body["valid"] is False


def test_an_unknown_identifier_answers_unknown(client, licence):
    other = licence.identifier.replace(".001.", ".002.")[:-1]
    from onewindow.licences.identifiers import licence_check_character

    parts = other.split(".")
    other += licence_check_character("".join(parts[5:9]))
    body = client.get(URL + other).json()
    assert body == {
        "identifier": other,
        "outcome": "unknown",
        "valid": False,
        "signature_valid": False,
        "successor_identifier": "",
        "licence": None,
    }


@pytest.mark.parametrize(
    "bad", ["hello", "1.2.156.3005.2.A.B.C.001.X", "1.2.156.3005.2.ABC.11430000006122244L.1.001.Z"]
)
def test_a_malformed_identifier_is_a_400_with_the_reason(client, bad):
    response = client.get(URL + bad)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "licence.identifier_invalid" and body["problems"]


def test_an_overlong_identifier_is_refused(client):
    assert client.get(URL + "1" * 200).status_code == 422


def test_verify_is_rate_limited_per_address(client, licence, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "public_lookup": (2, 60)}
    assert client.get(URL + licence.identifier).status_code == 200
    assert client.get(URL + licence.identifier).status_code == 200
    limited = client.get(URL + licence.identifier)
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert limited.headers["Retry-After"]


def test_keys_lists_every_public_key_and_none_of_the_private_ones(client, licence, department_a):
    services.signing_key_rotate(department=department_a, algorithm="sm2-sm3", actor=None)
    services.signing_key_create(department=department_a, algorithm="ed25519", actor=None)
    response = client.get("/api/v1/licences/keys")
    assert response.status_code == 200
    keys = response.json()
    assert sorted(key["status"] for key in keys) == ["active", "active", "retired"]
    assert "PRIVATE" not in response.content.decode()
    retired = next(key for key in keys if key["status"] == "retired")
    assert retired["key_id"] == licence.signing_key.key_id and retired["retired_at"]
    # The published key alone verifies the licence offline.
    from onewindow.licences.signing import licence_payload

    verifier = public_signer(algorithm=retired["algorithm"], public_key_pem=retired["public_key_pem"])
    assert verifier.verify(licence_payload(licence), licence.signature)


def test_keys_answer_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, department_a, department_b
):
    for department in (department_a, department_b):
        services.signing_key_create(department=department, algorithm="sm2-sm3", actor=None)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/licences/keys").json()) == 2
