"""Raising assurance levels: online (L2), face (L3), at a window (L4); every attempt kept; never down."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.core.plugins import plugins_reset
from onewindow.identity.models import AssuranceLevel, IdentityVerification, VerificationMethod
from onewindow.identity.selectors import assurance_shortfall
from onewindow.identity.services.verification import (
    person_verify_at_counter,
    person_verify_face,
    person_verify_online,
)
from onewindow.identity.verifiers import SandboxIdentityVerifier
from tests.factories import person, valid_citizen_id

TOKEN = SandboxIdentityVerifier.FACE_TOKEN


@pytest.fixture
def newcomer(db):
    """A citizen who registered with a phone only (L1)."""
    return person(10, level=1, name="王五")


def test_online_verification_raises_to_l2_and_binds_the_id_number(newcomer):
    number = valid_citizen_id(10)
    verification = person_verify_online(person=newcomer, name="王五", id_number=number)
    newcomer.refresh_from_db()
    assert (newcomer.assurance_level, newcomer.id_number) == (AssuranceLevel.L2, number)
    assert verification.succeeded and verification.method == VerificationMethod.REGISTRY
    assert AuditEntry.objects.filter(action="person.verify", target_id=str(newcomer.pk)).exists()


def test_online_verification_takes_the_verified_name(newcomer):
    person_verify_online(person=newcomer, name="王小五", id_number=valid_citizen_id(10))
    newcomer.user.refresh_from_db()
    assert newcomer.user.name == "王小五"


def test_a_registry_refusal_is_kept_and_changes_nothing(newcomer):
    with pytest.raises(DomainError) as caught:
        person_verify_online(person=newcomer, name="王五测试不通过", id_number=valid_citizen_id(10))
    newcomer.refresh_from_db()
    assert caught.value.code == "identity.registry_refused"
    assert (newcomer.assurance_level, newcomer.id_number) == (AssuranceLevel.L1, "")
    assert IdentityVerification.objects.get(person=newcomer).succeeded is False
    assert AuditEntry.objects.filter(action="person.verify", changes__succeeded=False).exists()


def test_an_invalid_id_number_is_refused_naming_the_problem(newcomer):
    with pytest.raises(DomainError) as caught:
        person_verify_online(person=newcomer, name="王五", id_number="110105194902300021")
    assert caught.value.code == "citizen_id.birth_date"
    assert caught.value.problems[0].field == "id_number"
    assert not IdentityVerification.objects.exists()


def test_an_id_number_bound_to_another_account_is_refused(newcomer):
    other = person(11, level=2)
    with pytest.raises(DomainError) as caught:
        person_verify_online(person=newcomer, name="王五", id_number=other.id_number)
    assert (caught.value.code, caught.value.status) == ("id_number.taken", 409)


def test_a_different_number_from_the_bound_one_is_refused(db):
    citizen = person(12, level=2)
    with pytest.raises(DomainError) as caught:
        person_verify_online(person=citizen, name=citizen.user.name, id_number=valid_citizen_id(13))
    assert caught.value.code == "id_number.mismatch"


def test_online_verification_is_rate_limited(newcomer):
    with override_settings(ONEWINDOW_RATE_LIMITS={"identity_verify": (2, 3600)}):
        for _ in range(2):
            with pytest.raises(DomainError):
                person_verify_online(person=newcomer, name="测试不通过", id_number=valid_citizen_id(10))
        with pytest.raises(DomainError) as caught:
            person_verify_online(person=newcomer, name="王五", id_number=valid_citizen_id(10))
    assert caught.value.status == 429 and caught.value.retry_after


def test_a_verifier_outage_is_kept_as_a_failed_attempt(newcomer, settings):
    settings.ONEWINDOW_PLUGINS = {
        **settings.ONEWINDOW_PLUGINS,
        "identity_verifier": {
            "class": "onewindow.identity.verifiers.HttpIdentityVerifier",
            "options": {"url": "http://127.0.0.1:9/", "timeout": 0.5},
        },
    }
    plugins_reset()
    try:
        with pytest.raises(DomainError) as caught:
            person_verify_online(person=newcomer, name="王五", id_number=valid_citizen_id(10))
    finally:
        plugins_reset()
    assert caught.value.code == "verifier.unavailable"
    assert IdentityVerification.objects.get(person=newcomer).detail == "verifier.unavailable"


def test_face_verification_needs_l2_first(newcomer):
    with pytest.raises(DomainError) as caught:
        person_verify_face(person=newcomer, evidence=TOKEN)
    assert caught.value.code == "identity.needs_l2" and "L2" in caught.value.message


def test_face_verification_raises_to_l3(db):
    citizen = person(14, level=2)
    person_verify_face(person=citizen, evidence=TOKEN)
    citizen.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.L3


def test_a_failed_face_check_is_kept(db):
    citizen = person(15, level=2)
    with pytest.raises(DomainError) as caught:
        person_verify_face(person=citizen, evidence="someone else")
    assert caught.value.code == "identity.face_refused"
    assert IdentityVerification.objects.get(person=citizen, method=VerificationMethod.FACE).succeeded is False


def test_a_window_clerk_raises_a_person_to_l4(clerk_a):
    citizen = person(16, level=2)
    verification = person_verify_at_counter(
        clerk=clerk_a, person=citizen, id_number=citizen.id_number.lower(), document_checked=True
    )
    citizen.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.L4
    assert verification.performed_by == clerk_a
    assert AuditEntry.objects.filter(action="person.verify", actor=clerk_a).exists()


def test_counter_verification_binds_the_number_of_an_l1_person(clerk_a, newcomer):
    person_verify_at_counter(
        clerk=clerk_a, person=newcomer, id_number=valid_citizen_id(10), document_checked=True
    )
    newcomer.refresh_from_db()
    assert (newcomer.assurance_level, newcomer.id_number) == (AssuranceLevel.L4, valid_citizen_id(10))


def test_only_a_window_clerk_may_verify_at_the_counter(supervisor):
    citizen = person(17, level=2)
    with pytest.raises(DomainError) as caught:
        person_verify_at_counter(
            clerk=supervisor, person=citizen, id_number=citizen.id_number, document_checked=True
        )
    assert caught.value.status == 403
    assert not IdentityVerification.objects.filter(method=VerificationMethod.COUNTER).exists()


def test_the_clerk_must_confirm_the_document_was_checked(clerk_a):
    citizen = person(18, level=2)
    with pytest.raises(DomainError) as caught:
        person_verify_at_counter(
            clerk=clerk_a, person=citizen, id_number=citizen.id_number, document_checked=False
        )
    assert caught.value.code == "identity.document_unchecked"


def test_a_card_number_that_is_not_the_persons_is_refused_and_kept(clerk_a):
    citizen = person(19, level=2)
    with pytest.raises(DomainError) as caught:
        person_verify_at_counter(
            clerk=clerk_a, person=citizen, id_number=valid_citizen_id(20), document_checked=True
        )
    citizen.refresh_from_db()
    assert caught.value.code == "id_number.mismatch" and citizen.assurance_level == AssuranceLevel.L2
    assert IdentityVerification.objects.get(method=VerificationMethod.COUNTER).succeeded is False


def test_a_level_never_goes_down(clerk_a):
    citizen = person(21, level=2)
    person_verify_at_counter(
        clerk=clerk_a, person=citizen, id_number=citizen.id_number, document_checked=True
    )
    person_verify_face(person=citizen, evidence=TOKEN)
    citizen.refresh_from_db()
    assert citizen.assurance_level == AssuranceLevel.L4


def test_no_shortfall_at_or_above_the_required_level(db):
    assert assurance_shortfall(person(22, level=2).user, AssuranceLevel.L2) is None


def test_a_shortfall_names_both_levels(db):
    shortfall = assurance_shortfall(person(23, level=2).user, AssuranceLevel.L3)
    assert shortfall is not None and (shortfall.required, shortfall.current, shortfall.signed_in) == (
        3,
        2,
        True,
    )


def test_an_anonymous_visitor_falls_short_and_is_not_signed_in(db):
    shortfall = assurance_shortfall(AnonymousUser(), AssuranceLevel.L1)
    assert shortfall is not None and (shortfall.current, shortfall.signed_in) == (0, False)
