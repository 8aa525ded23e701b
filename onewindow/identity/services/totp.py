"""Staff second factor: time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), HMAC-SHA1, 30-second
steps, 6 digits, the step before and after also accepted (clock drift), and no step accepted twice."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction

from onewindow.core import clock, crypto
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.identity.models import TotpDevice
from onewindow.identity.services.accounts import (
    account_failure_count,
    account_failures_reset,
    account_lock_check,
)
from onewindow.organisations.selectors import staff_is_platform_admin

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 block-friendly length RFC 4226 §4 recommends

CODE_WRONG = "动态验证码不正确或已使用，请输入验证器应用中当前显示的 6 位数字。"


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC the big-endian counter, take 31 bits at the offset the last nibble says."""
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def totp_step(at: float) -> int:
    return int(at // STEP_SECONDS)


def totp_code(key: bytes, at: float, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238 §4: HOTP over the number of 30-second steps since the Unix epoch."""
    return hotp(key, totp_step(at), digits, digest)


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _wrong(field: str = "code") -> DomainError:
    return DomainError(
        code="totp.invalid", message=CODE_WRONG, problems=[FieldProblem(field, "totp.invalid", CODE_WRONG)]
    )


def _matching_step(device: TotpDevice, code: str) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    key, now_step = _key(device.secret), totp_step(clock.now().timestamp())
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        # A step at or before the last accepted one is a replay (RFC 6238 §5.2).
        if step > device.last_step and crypto.constant_time_equal(hotp(key, step), code):
            return step
    return None


def totp_uri(*, user: Any, secret: str) -> str:
    issuer = settings.ONEWINDOW_SITE_NAME
    label = quote(f"{issuer}:{user.get_username()}")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


@transaction.atomic
def totp_enrol_start(*, user: Any) -> tuple[str, str]:
    """Give the user a secret for their authenticator app (kept until confirmed) and its otpauth:// URI."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise DomainError(
            code="totp.enrolled",
            message="您已绑定验证器应用。如需更换，请联系平台管理员重置。",
            status=409,
        )
    if device is None:
        secret = base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")
        device = TotpDevice.objects.create(user=user, secret=secret)
        audit_record(actor=user, action="totp.enrol_start", target=device)
    return device.secret, totp_uri(user=user, secret=device.secret)


def totp_enrol_confirm(*, user: Any, code: str) -> TotpDevice:
    """Confirm the authenticator with its first code; from now on sign-in asks for a code."""
    device = TotpDevice.objects.filter(user=user, confirmed_at=None).first()
    if device is None:
        raise DomainError(code="totp.not_started", message="请先扫描二维码绑定验证器应用。", status=409)
    step = _matching_step(device, code)
    if step is None:
        audit_record(actor=user, action="totp.enrol_failed", target=device)
        raise _wrong()
    with transaction.atomic():
        device.confirmed_at, device.last_step = clock.now(), step
        device.save(update_fields=["confirmed_at", "last_step", "updated_at"])
        audit_record(actor=user, action="totp.enrol_confirm", target=device)
    return device


def totp_verify(*, user: Any, code: str) -> None:
    """Check a sign-in code. A wrong code counts towards the account lockout, like a wrong password."""
    account_lock_check(user)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise DomainError(code="totp.not_enrolled", message="您尚未绑定验证器应用。", status=409)
    step = _matching_step(device, code)
    if step is None:
        audit_record(actor=user, action="auth.totp_failed", target=user)
        if locked := account_failure_count(user=user, method="totp"):
            raise locked
        raise _wrong()
    with transaction.atomic():
        # Conditional on the old step: two requests racing with one code cannot both pass.
        if not TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step):
            raise _wrong()
        account_failures_reset(user)
        audit_record(actor=user, action="auth.totp", target=user)


@transaction.atomic
def totp_reset(*, user: Any, actor: Any) -> None:
    """A platform administrator removes a staff member's authenticator (lost phone); they enrol again at
    their next sign-in."""
    if not staff_is_platform_admin(user=actor):
        raise PermissionDenied("只有平台管理员可以重置动态验证码。")
    deleted, _ = TotpDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="totp.reset", target=user, changes={"removed": bool(deleted)})


def totp_current_code(*, user: Any) -> str | None:
    """The code an authenticator would show now: only for the sandbox hint (settings.ONEWINDOW_SANDBOX)."""
    if not settings.ONEWINDOW_SANDBOX:
        return None
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        return None
    # Right after a code was used, the next step's code is the one that will be accepted.
    step = max(totp_step(clock.now().timestamp()), device.last_step + 1)
    return hotp(_key(device.secret), step)
