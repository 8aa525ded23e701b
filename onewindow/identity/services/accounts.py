"""Registration and sign-in: SMS one-time codes, passwords, lockout, password reset and change.

Failures write to the database and then raise, so these services open their own short transactions instead
of wrapping the whole call in one (a rolled-back failure would never count towards the lockout).

No answer tells a stranger whether an account exists: an unknown phone, ID number or user name gets the
same message as a wrong password, and the attempts count against the caller's address (``login`` limit).
"""

from __future__ import annotations

import math
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from onewindow.core import clock, crypto
from onewindow.core.context import client_ip
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.identifiers import mobile_phone_check
from onewindow.core.masking import mask_citizen_id, mask_phone
from onewindow.core.plugins import plugin
from onewindow.core.ratelimit import client_address, rate_limit_hit
from onewindow.core.services import audit_record
from onewindow.identity.models import (
    AssuranceLevel,
    IdentityVerification,
    Person,
    SmsChallenge,
    SmsPurpose,
    TotpDevice,
    VerificationMethod,
)
from onewindow.identity.services.people import person_by_identifier, person_create, phone_hash
from onewindow.identity.services.sessions import session_record, sessions_end_all, sessions_end_others

CODE_PURPOSE = "identity.sms.code"
IDENTIFIER_PURPOSE = "identity.login.identifier"
CODE_LIFETIME = timedelta(minutes=5)
CODE_MAX_ATTEMPTS = 5
# The password step is done, the second factor (TOTP) is not: who, how, and until when, kept in the session.
PENDING_KEY = "identity_pending_login"
PENDING_SECONDS = 5 * 60

LOGIN_INVALID = "用户名或密码不正确，请核对后重试（字母区分大小写）。"
CODE_INVALID = "验证码不正确或已失效，请核对后重试，或重新获取验证码。"
ACCOUNT_INACTIVE = "此账号已停用。如有疑问，请拨打 12345 政务服务热线或联系部门管理员。"

PURPOSE_TEXT: dict[str, str] = {
    SmsPurpose.REGISTER: "注册",
    SmsPurpose.LOGIN: "登录",
    SmsPurpose.PASSWORD_RESET: "重置密码",
    SmsPurpose.PHONE_CHANGE: "更换手机号码",
    SmsPurpose.ASSIST_CONSENT: "同意便民服务站代为办理事项",
}


@dataclass(frozen=True)
class SignIn:
    """The outcome of a correct first factor: signed in (``done``) or a second step still to pass."""

    user: Any
    next_step: str  # "done", "totp" (enter a code) or "totp_enrol" (set up an authenticator first)


# --- SMS codes -------------------------------------------------------------------------------------------


def _phone(phone: str, field: str = "phone") -> str:
    try:
        return mobile_phone_check(phone)
    except DomainError as error:
        raise DomainError(
            code=error.code, message=error.message, problems=[FieldProblem(field, error.code, error.message)]
        ) from None


def _code_hash(*, phone_digest: str, purpose: str, code: str) -> str:
    return crypto.lookup_hash(f"{phone_digest}:{purpose}:{code}", purpose=CODE_PURPOSE)


def sms_code_send(*, phone: str, purpose: str, address: str | None = None) -> SmsChallenge | None:
    """Send a six-digit code valid for five minutes; earlier codes for this phone and purpose stop working.

    Rate limited per phone and per address. For sign-in and password reset an unregistered number gets no
    SMS but the same answer (None is returned), so the form does not reveal who has an account.
    """
    phone = _phone(phone)
    digest = phone_hash(phone)
    rate_limit_hit(scope="sms_send", key=f"phone:{digest}")
    rate_limit_hit(scope="sms_send", key=f"addr:{address or client_ip.get() or 'unknown'}")
    registered = Person.objects.filter(phone_hash=digest).select_related("user").first()
    if purpose == SmsPurpose.REGISTER and registered is not None:
        raise DomainError(
            code="phone.taken",
            message="该手机号码已注册。请直接登录，或使用“忘记密码”找回。",
            status=409,
            problems=[FieldProblem("phone", "phone.taken", "该手机号码已注册。")],
        )
    if (
        purpose in (SmsPurpose.LOGIN, SmsPurpose.PASSWORD_RESET, SmsPurpose.PHONE_CHANGE)
        and registered is None
    ):
        audit_record(actor=None, action="sms.send_skipped", changes={"purpose": purpose})
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    plugin("sms").send(
        phone=phone,
        text=f"您的{PURPOSE_TEXT.get(purpose, '')}验证码为 {code}，{minutes} 分钟内有效。请勿告诉他人。",
    )
    now = clock.now()
    with transaction.atomic():
        SmsChallenge.objects.filter(
            phone_hash=digest, purpose=purpose, consumed_at=None, expires_at__gt=now
        ).update(expires_at=now)
        challenge = SmsChallenge.objects.create(
            purpose=purpose,
            phone_hash=digest,
            code_hash=_code_hash(phone_digest=digest, purpose=purpose, code=code),
            expires_at=now + CODE_LIFETIME,
        )
        audit_record(
            actor=registered.user if registered else None,
            action="sms.send",
            target=challenge,
            changes={"purpose": purpose},
        )
    return challenge


def _challenge_check(*, phone: str, purpose: str, code: str, actor: Any = None) -> SmsChallenge:
    """The live challenge this code answers; a wrong code counts an attempt (committed) and is refused."""
    digest = phone_hash(phone)
    rate_limit_hit(scope="sms_verify", key=f"phone:{digest}")
    challenge = (
        SmsChallenge.objects.filter(
            phone_hash=digest, purpose=purpose, consumed_at=None, expires_at__gt=clock.now()
        )
        .order_by("-created_at")
        .first()
    )
    code = (code or "").strip()
    if challenge is not None and challenge.attempts < CODE_MAX_ATTEMPTS:
        expected = _code_hash(phone_digest=digest, purpose=purpose, code=code)
        if code.isdigit() and crypto.constant_time_equal(expected, challenge.code_hash):
            return challenge
        with transaction.atomic():
            SmsChallenge.objects.filter(pk=challenge.pk).update(attempts=F("attempts") + 1)
            audit_record(
                actor=actor, action="sms.verify_failed", target=challenge, changes={"purpose": purpose}
            )
    else:
        audit_record(
            actor=actor, action="sms.verify_failed", changes={"purpose": purpose, "reason": "no_live_code"}
        )
    raise DomainError(
        code="sms_code.invalid",
        message=CODE_INVALID,
        problems=[FieldProblem("code", "sms_code.invalid", CODE_INVALID)],
    )


def _challenge_consume(challenge: SmsChallenge) -> None:
    # Conditional update: of two requests racing with the same code, only one gets it.
    if not SmsChallenge.objects.filter(pk=challenge.pk, consumed_at=None).update(consumed_at=clock.now()):
        raise DomainError(code="sms_code.invalid", message=CODE_INVALID)


def sms_code_verify(*, phone: str, purpose: str, code: str) -> None:
    """Accept the code once: a right code is used up, a wrong one counts (at most five tries per code)."""
    phone = _phone(phone)
    challenge = _challenge_check(phone=phone, purpose=purpose, code=code)
    with transaction.atomic():
        _challenge_consume(challenge)
        audit_record(actor=None, action="sms.verify", target=challenge, changes={"purpose": purpose})


# --- Lockout ---------------------------------------------------------------------------------------------


def _locked_error(user: Any) -> DomainError:
    retry_after = max(1, math.ceil((user.locked_until - clock.now()).total_seconds()))
    until = timezone.localtime(user.locked_until).strftime("%H:%M")
    return DomainError(
        code="account_locked",
        message=f"密码或验证码连续输错次数过多，账号已暂时锁定，请于 {until} 后再试；也可以通过“忘记密码”重置密码。",
        status=423,
        retry_after=retry_after,
    )


def account_lock_check(user: Any) -> None:
    """Refuse a locked account (423, with the seconds until it opens again)."""
    if user.locked_until and user.locked_until > clock.now():
        raise _locked_error(user)


def account_failure_count(*, user: Any, method: str) -> DomainError | None:
    """Count one wrong password or code; the threshold-th in a row locks the account and returns that error."""
    User = get_user_model()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        if user.failed_logins < settings.ONEWINDOW_LOCKOUT_THRESHOLD:
            return None
        user.locked_until = clock.now() + timedelta(minutes=settings.ONEWINDOW_LOCKOUT_MINUTES)
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
        audit_record(
            actor=user,
            action="auth.locked",
            target=user,
            changes={"method": method, "minutes": settings.ONEWINDOW_LOCKOUT_MINUTES},
        )
    return _locked_error(user)


def account_failures_reset(user: Any) -> None:
    if user.failed_logins or user.locked_until:
        user.failed_logins, user.locked_until = 0, None
        user.save(update_fields=["failed_logins", "locked_until"])


def _login_failed(request: HttpRequest | None, *, label: str, method: str, reason: str) -> None:
    # Through Django's signal, so the one receiver (accounts.signals) audits every failed sign-in alike.
    user_login_failed.send(
        sender=__name__, credentials={"username": label, "method": method, "reason": reason}, request=request
    )


def _identifier_label(identifier: str, user: Any | None) -> str:
    """How an attempt is named in the audit trail: a staff user name as typed, a phone or ID number masked."""
    if user is not None and user.is_staff and user.get_username() == identifier:
        return identifier
    text = identifier.strip()
    if re.fullmatch(r"\d{17}[\dXx]", text):
        return mask_citizen_id(text.upper())
    if re.fullmatch(r"\+?[\d\s-]{7,20}", text):
        return mask_phone(re.sub(r"\D", "", text))
    return text[:150]


# --- Sign-in ---------------------------------------------------------------------------------------------


def _account_for(identifier: str) -> Any | None:
    person = person_by_identifier(identifier)
    if person is not None:
        return person.user
    # Only staff sign in by user name; citizens' user names are random and never shown to them.
    return get_user_model().objects.filter(username=identifier.strip(), is_staff=True).first()


def _second_factor(user: Any) -> str | None:
    if not user.is_staff:
        return None
    has_device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    if has_device:
        return "totp"
    return "totp_enrol" if settings.ONEWINDOW_STAFF_TOTP_REQUIRED else None


def login_complete(*, request: HttpRequest, user: Any, method: str) -> None:
    """Create the Django session (audited by accounts.signals) and list it among the user's sessions."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    session_record(request=request, user=user, method=method)


def _first_factor_passed(request: HttpRequest, user: Any, method: str) -> SignIn:
    step = _second_factor(user)
    if step is None:
        login_complete(request=request, user=user, method=method)
        return SignIn(user=user, next_step="done")
    # A new session key at each step, as at login(): a session planted beforehand learns nothing.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": str(user.pk),
        "method": method,
        "expires": int(time.time()) + PENDING_SECONDS,
    }
    return SignIn(user=user, next_step=step)


def login_pending_user(request: HttpRequest) -> tuple[Any, str] | None:
    """The user (and first-factor method) half-way through signing in on this browser, if not expired."""
    pending = request.session.get(PENDING_KEY)
    if not pending or pending.get("expires", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    return (user, pending["method"]) if user is not None else None


def login_pending_complete(*, request: HttpRequest) -> Any:
    """Finish a sign-in whose second factor was just checked."""
    pending = login_pending_user(request)
    if pending is None:
        raise DomainError(code="login.expired", message="登录已超时，请重新输入密码。")
    user, method = pending
    login_complete(request=request, user=user, method=f"{method}+totp")
    return user


def login_with_password(*, request: HttpRequest, identifier: str, password: str) -> SignIn:
    """Sign in with a phone number, citizen ID number or (staff) user name and the password."""
    identifier = (identifier or "").strip()[:150]
    address = client_address(request)
    rate_limit_hit(scope="login", key=f"addr:{address}")
    rate_limit_hit(
        scope="login", key="id:" + crypto.lookup_hash(identifier.lower(), purpose=IDENTIFIER_PURPOSE)
    )
    user = _account_for(identifier) if identifier else None
    label = _identifier_label(identifier, user)
    if user is None:
        # Hash anyway, so the answer for an unknown account takes as long as a wrong password's.
        make_password(password or "")
        _login_failed(request, label=label or "unknown", method="password", reason="unknown")
        raise DomainError(code="login.invalid", message=LOGIN_INVALID)
    try:
        account_lock_check(user)
    except DomainError:
        _login_failed(request, label=label, method="password", reason="locked")
        raise
    if not user.check_password(password or ""):
        _login_failed(request, label=label, method="password", reason="wrong_password")
        if locked := account_failure_count(user=user, method="password"):
            raise locked from None
        raise DomainError(code="login.invalid", message=LOGIN_INVALID)
    if not user.is_active:
        _login_failed(request, label=label, method="password", reason="inactive")
        raise DomainError(code="login.inactive", message=ACCOUNT_INACTIVE, status=403)
    account_failures_reset(user)
    return _first_factor_passed(request, user, "password")


def login_with_sms(*, request: HttpRequest, phone: str, code: str) -> SignIn:
    """Sign in with the phone number and the code just sent to it."""
    phone = _phone(phone)
    rate_limit_hit(scope="login", key=f"addr:{client_address(request)}")
    person = Person.objects.filter(phone_hash=phone_hash(phone)).select_related("user").first()
    label = mask_phone(phone)
    if person is None:
        _login_failed(request, label=label, method="sms", reason="unknown")
        raise DomainError(
            code="sms_code.invalid",
            message=CODE_INVALID,
            problems=[FieldProblem("code", "sms_code.invalid", CODE_INVALID)],
        )
    user = person.user
    try:
        account_lock_check(user)
        challenge = _challenge_check(phone=phone, purpose=SmsPurpose.LOGIN, code=code, actor=user)
    except DomainError as error:
        _login_failed(request, label=label, method="sms", reason=error.code)
        if error.code == "sms_code.invalid" and (locked := account_failure_count(user=user, method="sms")):
            raise locked from None
        raise
    if not user.is_active:
        _login_failed(request, label=label, method="sms", reason="inactive")
        raise DomainError(code="login.inactive", message=ACCOUNT_INACTIVE, status=403)
    with transaction.atomic():
        _challenge_consume(challenge)
        account_failures_reset(user)
    return _first_factor_passed(request, user, "sms")


# --- Registration and passwords -------------------------------------------------------------------------


def _password_check(password: str, *, user: Any, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        message = " ".join(str(m) for m in error.messages)
        raise DomainError(
            code="password.weak",
            message=message,
            problems=[FieldProblem(field, "password.weak", str(m)) for m in error.messages],
        ) from None


def person_register(
    *, name: str, phone: str, sms_code: str, password: str, email: str = "", address: str | None = None
) -> Person:
    """Register a citizen with a confirmed phone number (assurance level L1) and a password."""
    rate_limit_hit(scope="register", key=f"addr:{address or client_ip.get() or 'unknown'}")
    phone = _phone(phone)
    if Person.objects.filter(phone_hash=phone_hash(phone)).exists():
        raise DomainError(
            code="phone.taken",
            message="该手机号码已注册。请直接登录，或使用“忘记密码”找回。",
            status=409,
            problems=[FieldProblem("phone", "phone.taken", "该手机号码已注册。")],
        )
    _password_check(password, user=get_user_model()(name=name, email=email))
    challenge = _challenge_check(phone=phone, purpose=SmsPurpose.REGISTER, code=sms_code)
    with transaction.atomic():
        _challenge_consume(challenge)
        person = person_create(
            name=name, phone=phone, password=password, email=email, assurance_level=AssuranceLevel.L1
        )
        IdentityVerification.objects.create(
            person=person,
            method=VerificationMethod.PHONE,
            level=AssuranceLevel.L1,
            succeeded=True,
            verifier="sms",
        )
    return person


def password_reset(*, phone: str, sms_code: str, new_password: str) -> Any:
    """Set a new password with a code sent to the registered phone; unlocks the account and signs out
    every browser."""
    phone = _phone(phone)
    person = Person.objects.filter(phone_hash=phone_hash(phone)).select_related("user").first()
    if person is None:
        audit_record(actor=None, action="auth.password_reset_failed", changes={"reason": "unknown"})
        raise DomainError(
            code="sms_code.invalid",
            message=CODE_INVALID,
            problems=[FieldProblem("code", "sms_code.invalid", CODE_INVALID)],
        )
    user = person.user
    _password_check(new_password, user=user, field="new_password")
    challenge = _challenge_check(phone=phone, purpose=SmsPurpose.PASSWORD_RESET, code=sms_code, actor=user)
    with transaction.atomic():
        _challenge_consume(challenge)
        user.set_password(new_password)
        user.failed_logins, user.locked_until = 0, None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
        sessions_end_all(user=user)
        audit_record(actor=user, action="auth.password_reset", target=user)
    return user


def password_change(*, user: Any, old_password: str, new_password: str, keep_session_key: str = "") -> None:
    """Change the password after checking the current one; every other browser is signed out."""
    account_lock_check(user)
    if not user.check_password(old_password or ""):
        audit_record(actor=user, action="auth.password_change_failed", target=user)
        if locked := account_failure_count(user=user, method="password_change"):
            raise locked
        message = "当前密码不正确，请重新输入。"
        raise DomainError(
            code="password.wrong",
            message=message,
            problems=[FieldProblem("old_password", "password.wrong", message)],
        )
    if old_password == new_password:
        message = "新密码不能与当前密码相同。"
        raise DomainError(
            code="password.unchanged",
            message=message,
            problems=[FieldProblem("new_password", "password.unchanged", message)],
        )
    _password_check(new_password, user=user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.failed_logins = 0
        user.save(update_fields=["password", "failed_logins"])
        sessions_end_others(user=user, keep_session_key=keep_session_key)
        audit_record(actor=user, action="auth.password_change", target=user)
