"""Staff TOTP (RFC 6238): the RFC's test vectors, enrolment, the ±1 step window, replay, lockout, reset."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection

from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.models import AuditEntry
from onewindow.identity.models import TotpDevice
from onewindow.identity.services import totp

pytestmark = pytest.mark.django_db

RFC_KEY = b"12345678901234567890"


# RFC 6238 Appendix B, SHA1 column (8 digits).
@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_the_rfc_6238_sha1_vectors(at, expected):
    assert totp.totp_code(RFC_KEY, at, digits=8) == expected


def test_six_digit_codes_are_the_last_six_digits_of_the_vectors():
    assert totp.totp_code(RFC_KEY, 59) == "287082"


@pytest.fixture
def frozen(monkeypatch):
    """Clock set at the start of a 30-second step; ``frozen["now"]`` can be moved."""
    state = {"now": datetime(2026, 11, 27, 2, 0, 0, tzinfo=UTC)}
    monkeypatch.setattr(clock, "now", lambda: state["now"])
    return state


def _code(user, at: datetime) -> str:
    secret = TotpDevice.objects.get(user=user).secret
    return totp.totp_code(base64.b32decode(secret + "=" * (-len(secret) % 8)), at.timestamp())


@pytest.fixture
def enrolled(clerk_a, frozen):
    totp.totp_enrol_start(user=clerk_a)
    totp.totp_enrol_confirm(user=clerk_a, code=_code(clerk_a, frozen["now"]))
    frozen["now"] += timedelta(seconds=60)
    return clerk_a


def test_enrolment_gives_a_secret_and_an_otpauth_uri(clerk_a):
    secret, uri = totp.totp_enrol_start(user=clerk_a)
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert query["secret"] == [secret]
    assert (query["digits"], query["period"], query["algorithm"]) == (["6"], ["30"], ["SHA1"])
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20


def test_starting_again_before_confirming_keeps_the_same_secret(clerk_a):
    assert totp.totp_enrol_start(user=clerk_a)[0] == totp.totp_enrol_start(user=clerk_a)[0]


def test_the_secret_is_encrypted_at_rest(clerk_a):
    secret, _ = totp.totp_enrol_start(user=clerk_a)
    stored = TotpDevice.objects.filter(user=clerk_a).values_list("secret", flat=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM identity_totpdevice")
        [(raw,)] = cursor.fetchall()
    assert stored[0] == secret and secret not in raw


def test_a_wrong_first_code_does_not_confirm(clerk_a, frozen):
    totp.totp_enrol_start(user=clerk_a)
    right = _code(clerk_a, frozen["now"])
    with pytest.raises(DomainError, match=r"totp\.invalid"):
        totp.totp_enrol_confirm(user=clerk_a, code=f"{(int(right) + 1) % 10**6:06d}")
    assert TotpDevice.objects.get(user=clerk_a).confirmed_at is None


def test_a_confirmed_device_cannot_be_enrolled_again(enrolled):
    with pytest.raises(DomainError) as refused:
        totp.totp_enrol_start(user=enrolled)
    assert refused.value.status == 409


def test_the_current_code_and_its_neighbours_are_accepted(enrolled, frozen):
    now = frozen["now"]
    totp.totp_verify(user=enrolled, code=_code(enrolled, now - timedelta(seconds=30)))
    totp.totp_verify(user=enrolled, code=_code(enrolled, now))
    totp.totp_verify(user=enrolled, code=_code(enrolled, now + timedelta(seconds=30)))


def test_a_code_two_steps_away_is_refused(enrolled, frozen):
    with pytest.raises(DomainError, match=r"totp\.invalid"):
        totp.totp_verify(user=enrolled, code=_code(enrolled, frozen["now"] + timedelta(seconds=60)))


def test_a_code_is_never_accepted_twice(enrolled, frozen):
    code = _code(enrolled, frozen["now"])
    totp.totp_verify(user=enrolled, code=code)
    with pytest.raises(DomainError, match=r"totp\.invalid"):
        totp.totp_verify(user=enrolled, code=code)


def test_an_older_step_after_a_newer_one_is_a_replay(enrolled, frozen):
    totp.totp_verify(user=enrolled, code=_code(enrolled, frozen["now"]))
    with pytest.raises(DomainError):
        totp.totp_verify(user=enrolled, code=_code(enrolled, frozen["now"] - timedelta(seconds=30)))


def test_wrong_codes_count_towards_the_lockout(enrolled, frozen, settings):
    settings.ONEWINDOW_LOCKOUT_THRESHOLD = 2
    wrong = f"{(int(_code(enrolled, frozen['now'])) + 1) % 10**6:06d}"
    with pytest.raises(DomainError, match=r"totp\.invalid"):
        totp.totp_verify(user=enrolled, code=wrong)
    with pytest.raises(DomainError) as locked:
        totp.totp_verify(user=enrolled, code=wrong)
    assert locked.value.status == 423
    with pytest.raises(DomainError) as still_locked:
        totp.totp_verify(user=enrolled, code=_code(enrolled, frozen["now"]))
    assert still_locked.value.code == "account_locked"


def test_a_platform_admin_resets_a_lost_authenticator(enrolled, platform_admin):
    totp.totp_reset(user=enrolled, actor=platform_admin)
    assert not TotpDevice.objects.filter(user=enrolled).exists()
    assert AuditEntry.objects.filter(action="totp.reset", actor=platform_admin).exists()


def test_a_clerk_cannot_reset_anyones_authenticator(enrolled, clerk_b):
    with pytest.raises(DomainError) as refused:
        totp.totp_reset(user=enrolled, actor=clerk_b)
    assert refused.value.status == 403
    assert TotpDevice.objects.filter(user=enrolled).exists()


def test_the_current_code_is_shown_only_in_the_sandbox(enrolled, frozen, settings):
    assert totp.totp_current_code(user=enrolled) == _code(enrolled, frozen["now"])
    settings.ONEWINDOW_SANDBOX = False
    assert totp.totp_current_code(user=enrolled) is None


def test_right_after_a_sign_in_the_sandbox_shows_the_next_acceptable_code(enrolled, frozen):
    totp.totp_verify(user=enrolled, code=_code(enrolled, frozen["now"]))
    shown = totp.totp_current_code(user=enrolled)
    assert shown == _code(enrolled, frozen["now"] + timedelta(seconds=30))
    totp.totp_verify(user=enrolled, code=shown)
