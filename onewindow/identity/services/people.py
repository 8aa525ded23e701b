"""Creating people and finding them by an identifier they typed (through the keyed hashes)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from onewindow.core import crypto
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.identifiers import citizen_id_check, mobile_phone_check
from onewindow.core.services import audit_record
from onewindow.identity.models import AssuranceLevel, Person

ID_PURPOSE = "identity.person.id_number"
PHONE_PURPOSE = "identity.person.phone"


def id_number_hash(number: str) -> str:
    return crypto.lookup_hash(number, purpose=ID_PURPOSE)


def phone_hash(phone: str) -> str:
    return crypto.lookup_hash(phone, purpose=PHONE_PURPOSE)


def person_by_identifier(identifier: str) -> Person | None:
    """The person whose phone number or citizen ID number this is (as typed at sign-in), or None."""
    text = (identifier or "").strip().upper()
    try:
        if len(text) == 18:
            return Person.objects.select_related("user").filter(id_number_hash=id_number_hash(text)).first()
        return (
            Person.objects.select_related("user")
            .filter(phone_hash=phone_hash(mobile_phone_check(text)))
            .first()
        )
    except DomainError:
        return None


def _new_username() -> str:
    # Never the phone or ID number: user names appear in the admin and in logs.
    return f"p{secrets.token_hex(6)}"


@transaction.atomic
def person_create(
    *,
    name: str,
    phone: str,
    id_number: str = "",
    password: str | None = None,
    email: str = "",
    assurance_level: int = AssuranceLevel.L1,
    actor: object | None = None,
) -> Person:
    """Create a user account and its natural person. Identifiers are validated and must be unused."""
    problems = []
    name = (name or "").strip()
    if not name or len(name) > 100:
        problems.append(FieldProblem("name", "name.invalid", "请填写姓名（不超过 100 个字）。"))
    try:
        phone = mobile_phone_check(phone)
    except DomainError as error:
        problems.append(FieldProblem("phone", error.code, error.message))
    if id_number:
        try:
            id_number = citizen_id_check(id_number)
        except DomainError as error:
            problems.append(FieldProblem("id_number", error.code, error.message))
    if problems:
        raise DomainError(code="invalid_person", message=problems[0].message, problems=problems)
    if Person.objects.filter(phone_hash=phone_hash(phone)).exists():
        raise DomainError(
            code="phone.taken",
            message="该手机号码已注册。请直接登录，或使用“忘记密码”找回。",
            status=409,
            problems=[FieldProblem("phone", "phone.taken", "该手机号码已注册。")],
        )
    if id_number and Person.objects.filter(id_number_hash=id_number_hash(id_number)).exists():
        raise DomainError(
            code="id_number.taken",
            message="该身份证号码已绑定其他账号。如非本人操作，请到政务服务窗口核实。",
            status=409,
            problems=[FieldProblem("id_number", "id_number.taken", "该身份证号码已绑定其他账号。")],
        )
    user = get_user_model()(username=_new_username(), name=name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    try:
        with transaction.atomic():
            person = Person.objects.create(
                user=user,
                phone=phone,
                phone_hash=phone_hash(phone),
                id_number=id_number,
                id_number_hash=id_number_hash(id_number) if id_number else None,
                assurance_level=assurance_level,
                verified_at=timezone.now() if assurance_level > AssuranceLevel.L1 else None,
            )
    except IntegrityError:  # registered by a concurrent request a moment ago
        raise DomainError(code="phone.taken", message="该手机号码已注册。", status=409) from None
    audit_record(
        actor=actor or user, action="person.create", target=person, changes={"level": assurance_level}
    )
    return person
