"""Registration and sign-in services: SMS codes, passwords, lockout, rate limits, password reset and change."""

from __future__ import annotations

import importlib
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.utils import timezone

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.models import AssuranceLevel, Person, SmsChallenge, SmsPurpose, UserSession
from onewindow.identity.services import accounts
from onewindow.identity.services.people import phone_hash
from onewindow.identity.sms import SandboxSmsGateway
from tests.factories import DEFAULT_PASSWORD, UserFactory, valid_citizen_id

pytestmark = pytest.mark.django_db

PHONE = "13900000001"  # person(1)'s number
NEW_PHONE = "13700000077"
NEW_PASSWORD = "Blue-Kettle-Harbour-9"


def _request(address: str = "203.0.113.5"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=address, HTTP_USER_AGENT="pytest")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = AnonymousUser()
    return request


def _send(phone: str, purpose: str = SmsPurpose.LOGIN) -> str:
    accounts.sms_code_send(phone=phone, purpose=purpose, address="203.0.113.5")
    code = SandboxSmsGateway.last_code(phone)
    assert code is not None
    return code


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def lock_after_three(settings):
    settings.ONEWINDOW_LOCKOUT_THRESHOLD = 3
    settings.ONEWINDOW_LOCKOUT_MINUTES = 15


# --- SMS codes -------------------------------------------------------------------------------------------


def test_a_code_is_six_digits_and_stored_only_as_hashes(citizen):
    code = _send(PHONE)
    challenge = SmsChallenge.objects.get()
    assert len(code) == 6 and code.isdigit()
    assert challenge.phone_hash == phone_hash(PHONE)
    assert abs(challenge.expires_at - challenge.created_at - timedelta(minutes=5)) < timedelta(seconds=1)
    stored = " ".join(str(value) for value in SmsChallenge.objects.values_list().get())
    assert PHONE not in stored and code not in stored


def test_a_code_works_once(citizen):
    code = _send(PHONE)
    accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)
    with pytest.raises(DomainError, match=r"sms_code\.invalid"):
        accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)


def test_a_code_expires_after_five_minutes(citizen, monkeypatch):
    code = _send(PHONE)
    later = clock.now() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    with pytest.raises(DomainError, match=r"sms_code\.invalid"):
        accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)


def test_a_new_code_invalidates_the_earlier_one(citizen):
    first = _send(PHONE)
    second = _send(PHONE)
    if first != second:
        with pytest.raises(DomainError):
            accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOGIN, code=first)
    accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOGIN, code=second)
    assert SmsChallenge.objects.filter(expires_at__gt=clock.now(), consumed_at=None).count() == 0


def test_a_code_is_refused_after_five_wrong_attempts_even_when_right(citizen):
    code = _send(PHONE)
    for _ in range(5):
        with pytest.raises(DomainError):
            accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOGIN, code=_wrong(code))
    with pytest.raises(DomainError, match=r"sms_code\.invalid"):
        accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.LOGIN, code=code)
    assert SmsChallenge.objects.get().attempts == 5


def test_a_code_for_one_purpose_does_not_serve_another(citizen):
    code = _send(PHONE, SmsPurpose.LOGIN)
    with pytest.raises(DomainError):
        accounts.sms_code_verify(phone=PHONE, purpose=SmsPurpose.PASSWORD_RESET, code=code)


def test_sending_is_rate_limited_per_phone_with_a_retry_time(citizen, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "sms_send": (2, 10**6)}
    for n in range(2):
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN, address=f"198.51.100.{n}")
    with pytest.raises(DomainError) as refused:
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN, address="198.51.100.9")
    assert refused.value.status == 429
    assert refused.value.retry_after and refused.value.retry_after > 0


def test_sending_is_rate_limited_per_address(citizen, another_citizen, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "sms_send": (1, 10**6)}
    accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.LOGIN, address="198.51.100.1")
    with pytest.raises(DomainError) as refused:
        accounts.sms_code_send(phone="13900000002", purpose=SmsPurpose.LOGIN, address="198.51.100.1")
    assert refused.value.status == 429


def test_an_unregistered_number_gets_no_sign_in_code_and_the_same_answer(db):
    assert accounts.sms_code_send(phone=NEW_PHONE, purpose=SmsPurpose.LOGIN, address="x") is None
    assert SandboxSmsGateway.last_code(NEW_PHONE) is None
    assert not SmsChallenge.objects.exists()


def test_a_registration_code_for_a_registered_number_is_refused(citizen):
    with pytest.raises(DomainError) as refused:
        accounts.sms_code_send(phone=PHONE, purpose=SmsPurpose.REGISTER, address="x")
    assert refused.value.code == "phone.taken"


def test_a_malformed_number_is_refused_on_the_phone_field(db):
    with pytest.raises(DomainError) as refused:
        accounts.sms_code_send(phone="12345", purpose=SmsPurpose.REGISTER, address="x")
    assert refused.value.problems[0].field == "phone"


# --- Registration ----------------------------------------------------------------------------------------


def test_registration_creates_an_l1_person_with_the_password(db):
    code = _send(NEW_PHONE, SmsPurpose.REGISTER)
    registered = accounts.person_register(name="王五", phone=NEW_PHONE, sms_code=code, password=NEW_PASSWORD)
    assert registered.assurance_level == AssuranceLevel.L1
    assert registered.user.check_password(NEW_PASSWORD)
    assert registered.verifications.get().method == "phone"
    assert SmsChallenge.objects.get().consumed_at is not None


def test_registration_with_a_weak_password_writes_nothing_and_keeps_the_code(db):
    code = _send(NEW_PHONE, SmsPurpose.REGISTER)
    with pytest.raises(DomainError) as refused:
        accounts.person_register(name="王五", phone=NEW_PHONE, sms_code=code, password="12345678")
    assert refused.value.code == "password.weak"
    assert refused.value.problems[0].field == "password"
    assert not Person.objects.exists()
    accounts.person_register(name="王五", phone=NEW_PHONE, sms_code=code, password=NEW_PASSWORD)


def test_registration_with_a_wrong_code_is_refused(db):
    code = _send(NEW_PHONE, SmsPurpose.REGISTER)
    with pytest.raises(DomainError, match=r"sms_code\.invalid"):
        accounts.person_register(name="王五", phone=NEW_PHONE, sms_code=_wrong(code), password=NEW_PASSWORD)
    assert not Person.objects.exists()


def test_argon2_hashes_passwords_in_production():
    production = importlib.import_module("onewindow.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


# --- Password sign-in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", [PHONE, valid_citizen_id(1), valid_citizen_id(1).lower()])
def test_a_citizen_signs_in_with_phone_or_id_number(citizen, identifier):
    request = _request()
    signed_in = accounts.login_with_password(
        request=request, identifier=identifier, password=DEFAULT_PASSWORD
    )
    assert signed_in.next_step == "done"
    assert request.session["_auth_user_id"] == str(citizen.pk)


def test_staff_sign_in_with_their_user_name(clerk_a):
    request = _request()
    assert (
        accounts.login_with_password(request=request, identifier="clerk_a", password=DEFAULT_PASSWORD).user
        == clerk_a
    )


def test_a_citizen_cannot_sign_in_with_their_internal_user_name(citizen):
    with pytest.raises(DomainError, match=r"login\.invalid"):
        accounts.login_with_password(
            request=_request(), identifier=citizen.username, password=DEFAULT_PASSWORD
        )


def test_an_unknown_identifier_gets_the_same_answer_as_a_wrong_password(citizen):
    with pytest.raises(DomainError) as wrong_password:
        accounts.login_with_password(request=_request(), identifier=PHONE, password="nope")
    with pytest.raises(DomainError) as unknown:
        accounts.login_with_password(request=_request(), identifier=NEW_PHONE, password="nope")
    assert (unknown.value.code, unknown.value.message, unknown.value.status) == (
        wrong_password.value.code,
        wrong_password.value.message,
        wrong_password.value.status,
    )


def test_failures_are_audited_with_a_masked_phone_and_without_the_password(citizen):
    with pytest.raises(DomainError):
        accounts.login_with_password(request=_request(), identifier=PHONE, password="secret-guess")
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor_label == "139****0001"
    assert entry.changes == {"method": "password", "reason": "wrong_password"}
    assert "secret-guess" not in str(entry.changes)


def test_unknown_identifiers_are_rate_limited_per_address(db, settings):
    settings.ONEWINDOW_RATE_LIMITS = {**settings.ONEWINDOW_RATE_LIMITS, "login": (3, 10**6)}
    for n in range(3):
        with pytest.raises(DomainError, match=r"login\.invalid"):
            accounts.login_with_password(request=_request(), identifier=f"1370000000{n}", password="x")
    with pytest.raises(DomainError) as refused:
        accounts.login_with_password(request=_request(), identifier="13700000009", password="x")
    assert refused.value.status == 429
    assert refused.value.retry_after


def test_repeated_wrong_passwords_lock_the_account_with_a_retry_time(citizen, lock_after_three):
    for _ in range(2):
        with pytest.raises(DomainError, match=r"login\.invalid"):
            accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")
    with pytest.raises(DomainError) as locked:
        accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")
    assert (locked.value.status, locked.value.code) == (423, "account_locked")
    assert 14 * 60 < locked.value.retry_after <= 15 * 60
    citizen.refresh_from_db()
    assert f"请于 {timezone.localtime(citizen.locked_until):%H:%M} 后再试" in locked.value.message
    assert AuditEntry.objects.filter(action="auth.locked").count() == 1


def test_a_locked_account_refuses_even_the_right_password(citizen, lock_after_three):
    for _ in range(3):
        with pytest.raises(DomainError):
            accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")
    with pytest.raises(DomainError) as locked:
        accounts.login_with_password(request=_request(), identifier=PHONE, password=DEFAULT_PASSWORD)
    assert locked.value.status == 423


def test_the_lock_opens_after_the_lockout_minutes(citizen, lock_after_three, monkeypatch):
    for _ in range(3):
        with pytest.raises(DomainError):
            accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")
    later = clock.now() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert (
        accounts.login_with_password(request=_request(), identifier=PHONE, password=DEFAULT_PASSWORD).user
        == citizen
    )


def test_a_success_resets_the_failure_count(citizen, lock_after_three):
    for _ in range(2):
        with pytest.raises(DomainError):
            accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")
    accounts.login_with_password(request=_request(), identifier=PHONE, password=DEFAULT_PASSWORD)
    citizen.refresh_from_db()
    assert citizen.failed_logins == 0
    with pytest.raises(DomainError, match=r"login\.invalid"):
        accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")


def test_a_disabled_account_is_refused_after_the_right_password(citizen):
    citizen.is_active = False
    citizen.save()
    with pytest.raises(DomainError, match=r"login\.inactive"):
        accounts.login_with_password(request=_request(), identifier=PHONE, password=DEFAULT_PASSWORD)


def test_staff_with_totp_required_must_pass_a_second_step_before_the_session_exists(clerk_a, settings):
    settings.ONEWINDOW_STAFF_TOTP_REQUIRED = True
    request = _request()
    signed_in = accounts.login_with_password(request=request, identifier="clerk_a", password=DEFAULT_PASSWORD)
    assert signed_in.next_step == "totp_enrol"
    assert "_auth_user_id" not in request.session
    assert accounts.login_pending_user(request) == (clerk_a, "password")


def test_a_pending_sign_in_expires(clerk_a, settings, monkeypatch):
    settings.ONEWINDOW_STAFF_TOTP_REQUIRED = True
    request = _request()
    accounts.login_with_password(request=request, identifier="clerk_a", password=DEFAULT_PASSWORD)
    request.session[accounts.PENDING_KEY]["expires"] = 0
    assert accounts.login_pending_user(request) is None
    with pytest.raises(DomainError, match=r"login\.expired"):
        accounts.login_pending_complete(request=request)


# --- SMS sign-in -----------------------------------------------------------------------------------------


def test_a_citizen_signs_in_with_an_sms_code_and_the_session_is_listed(citizen):
    code = _send(PHONE)
    request = _request()
    assert accounts.login_with_sms(request=request, phone=PHONE, code=code).user == citizen
    assert UserSession.objects.get().method == "sms"


def test_wrong_sms_codes_count_towards_the_lockout(citizen, lock_after_three):
    code = _send(PHONE)
    for _ in range(2):
        with pytest.raises(DomainError, match=r"sms_code\.invalid"):
            accounts.login_with_sms(request=_request(), phone=PHONE, code=_wrong(code))
    with pytest.raises(DomainError) as locked:
        accounts.login_with_sms(request=_request(), phone=PHONE, code=_wrong(code))
    assert locked.value.status == 423


def test_an_sms_sign_in_for_an_unknown_number_gets_the_code_refusal(db):
    with pytest.raises(DomainError) as refused:
        accounts.login_with_sms(request=_request(), phone=NEW_PHONE, code="123456")
    assert refused.value.code == "sms_code.invalid"


# --- Passwords -------------------------------------------------------------------------------------------


def test_a_password_reset_sets_the_password_unlocks_and_signs_out_everywhere(citizen, lock_after_three):
    request = _request()
    accounts.login_with_password(request=request, identifier=PHONE, password=DEFAULT_PASSWORD)
    for _ in range(3):
        with pytest.raises(DomainError):
            accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")
    code = _send(PHONE, SmsPurpose.PASSWORD_RESET)
    accounts.password_reset(phone=PHONE, sms_code=code, new_password=NEW_PASSWORD)
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD) and citizen.locked_until is None
    assert not Session.objects.filter(session_key=request.session.session_key).exists()
    assert UserSession.objects.get().ended_at is not None


def test_a_password_reset_for_an_unknown_number_is_refused_like_a_wrong_code(db):
    with pytest.raises(DomainError) as refused:
        accounts.password_reset(phone=NEW_PHONE, sms_code="123456", new_password=NEW_PASSWORD)
    assert refused.value.code == "sms_code.invalid"


def test_a_password_change_needs_the_current_password(citizen):
    with pytest.raises(DomainError) as refused:
        accounts.password_change(user=citizen, old_password="wrong", new_password=NEW_PASSWORD)
    assert refused.value.problems[0].field == "old_password"
    citizen.refresh_from_db()
    assert citizen.check_password(DEFAULT_PASSWORD)


def test_a_password_change_signs_out_the_other_browsers_only(citizen):
    here, elsewhere = _request(), _request("198.51.100.20")
    for request in (here, elsewhere):
        accounts.login_with_password(request=request, identifier=PHONE, password=DEFAULT_PASSWORD)
    accounts.password_change(
        user=citizen,
        old_password=DEFAULT_PASSWORD,
        new_password=NEW_PASSWORD,
        keep_session_key=here.session.session_key,
    )
    assert Session.objects.filter(session_key=here.session.session_key).exists()
    assert not Session.objects.filter(session_key=elsewhere.session.session_key).exists()


def test_a_weak_new_password_is_refused_on_its_field(citizen):
    with pytest.raises(DomainError) as refused:
        accounts.password_change(user=citizen, old_password=DEFAULT_PASSWORD, new_password="password")
    assert refused.value.problems[0].field == "new_password"


def test_no_plaintext_phone_reaches_the_audit_trail(db, citizen):
    code = _send(PHONE)
    accounts.login_with_sms(request=_request(), phone=PHONE, code=code)
    with pytest.raises(DomainError):
        accounts.login_with_password(request=_request(), identifier=PHONE, password="wrong")
    for label, changes, target in AuditEntry.objects.values_list("actor_label", "changes", "target_label"):
        assert PHONE not in f"{label} {changes} {target}"


def test_a_staff_user_without_a_person_is_found_only_by_user_name(db):
    UserFactory(username="13900000099", is_staff=False)
    with pytest.raises(DomainError, match=r"login\.invalid"):
        accounts.login_with_password(request=_request(), identifier="13900000099", password=DEFAULT_PASSWORD)
