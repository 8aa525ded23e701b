"""Issuing licences: a new licence (01), its renewal (02) and its change (08). Each is a new signed licence;
a renewal or change points at the previous one, which is superseded. The identifier (GB/T 36904) keeps the
serial and raises the version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max

from onewindow.cases.services._common import text_required
from onewindow.core import clock
from onewindow.core.crypto import lookup_hash
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.identity.models import Company, Person
from onewindow.licences.identifiers import (
    MAX_VERSION,
    licence_identifier_build,
    licence_identifier_problems,
)
from onewindow.licences.models import (
    HOLDER_PURPOSE,
    HolderType,
    Licence,
    LicenceEvent,
    LicenceOperation,
    LicenceStatus,
    LicenceType,
)
from onewindow.licences.services._common import (
    licence_lock,
)
from onewindow.licences.services.keys import signing_key_for_issuing
from onewindow.licences.signing import licence_payload, signer_for
from onewindow.organisations.models import Department

SERIAL_DIGITS = 7
# How far a renewal's start may be from today: a little back (a renewal recorded late), up to a year ahead.
RENEW_BACKDATE_DAYS = 30
RENEW_AHEAD_DAYS = 366


def licence_valid_until(licence_type: LicenceType, valid_from: dt.date) -> dt.date | None:
    """The last day of validity: ``validity_years`` after ``valid_from``, less one day; None is long-term."""
    if not licence_type.validity_years:
        return None
    year = valid_from.year + licence_type.validity_years
    if year > dt.MAXYEAR:
        # Past the calendar's end (only a nonsense start date gets here): the last representable day.
        return dt.date.max
    # 29 February has no anniversary in most years: the licence then runs to the end of February.
    day = min(valid_from.day, 28) if valid_from.month == 2 and valid_from.day == 29 else valid_from.day
    return valid_from.replace(year=year, day=day) - dt.timedelta(days=1)


def face_clean(licence_type: LicenceType, face: Any) -> dict[str, str]:
    """The face fields as text, refusing keys the type's face template does not name (when it names any)."""
    if not isinstance(face, dict):
        raise DomainError(code="licence.face_invalid", message="证照照面信息格式不正确。")
    known = {str(field.get("key")) for field in licence_type.face_fields if isinstance(field, dict)}
    problems = [
        FieldProblem(field=str(key), code="licence.face_unknown", message=f"证照类型没有照面项“{key}”。")
        for key in face
        if known and str(key) not in known
    ]
    problems += [
        FieldProblem(field=str(key), code="licence.face_invalid", message=f"照面项“{key}”应为文字或数字。")
        for key, value in face.items()
        if value is not None and not isinstance(value, str | int | float | bool)
    ]
    if problems:
        raise DomainError(
            code="licence.face_invalid", message="证照照面信息有误，请逐项检查。", problems=problems
        )
    return {str(key): "" if value is None else str(value).strip() for key, value in face.items()}


def _holder(
    holder_person: Person | None, holder_company: Company | None
) -> tuple[str, str, str, Person | None, Company | None]:
    if (holder_person is None) == (holder_company is None):
        raise DomainError(
            code="licence.holder_required", message="证照须有且只有一个持证主体（个人或企业）。"
        )
    if holder_company is not None:
        return HolderType.CREDIT_CODE, holder_company.name, holder_company.credit_code, None, holder_company
    assert holder_person is not None
    if not holder_person.id_number:
        raise DomainError(
            code="licence.holder_unverified",
            message="持证人尚未登记经核验的身份证件号码，无法签发证照；请先核验其身份（如在窗口核验）后再办理。",
        )
    name = holder_person.user.name or str(holder_person)
    return HolderType.CITIZEN_ID, name, holder_person.id_number, holder_person, None


def _serial_next(licence_type: LicenceType, year: int) -> str:
    """The next serial of the type this year (``YYYY`` + 7 digits); the caller holds the type's row lock."""
    last = Licence.objects.filter(licence_type=licence_type, serial__startswith=str(year)).aggregate(
        last=Max("serial")
    )["last"]
    sequence = int(last[4:]) + 1 if last and last[4:].isdigit() else 1
    return f"{year}{sequence:0{SERIAL_DIGITS}d}"


def _identifier(licence_type: LicenceType, issuer: Department, serial: str, version: int) -> str:
    issuer_code = issuer.credit_code
    try:
        identifier = licence_identifier_build(
            type_code=licence_type.code, issuer_code=issuer_code, serial=serial, version=version
        )
    except ValueError:
        identifier = f"1.2.156.3005.2.{licence_type.code}.{issuer_code}.{serial}.{version:03d}.?"
    problems = licence_identifier_problems(identifier)
    if problems:
        raise DomainError(
            code="licence.identifier_invalid",
            message="按证照类型代码和发证部门代码生成的证照标识不符合 GB/T 36904，不能签发："
            + "".join(problems),
            problems=[
                FieldProblem(field="identifier", code="licence.identifier_invalid", message=p)
                for p in problems
            ],
            status=409,
        )
    return identifier


def _issue(
    *,
    licence_type: LicenceType,
    holder_person: Person | None,
    holder_company: Company | None,
    face: dict[str, Any],
    actor: Any | None,
    case: Any | None,
    valid_from: dt.date | None,
    previous: Licence | None,
    operation: str,
    reason: str = "",
    basis: str = "",
    keep_validity_of: Licence | None = None,
    issuer: Department | None = None,
) -> Licence:
    licence_type = (
        LicenceType.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=licence_type.pk)
    )
    if not licence_type.is_active:
        raise DomainError(code="licence_type.inactive", message="该证照类型已停用，不能签发。", status=409)
    holder_type, holder_name, holder_code, person, company = _holder(holder_person, holder_company)
    clean_face = face_clean(licence_type, face)
    today = clock.today()
    if keep_validity_of is not None:
        valid_from, valid_until = keep_validity_of.valid_from, keep_validity_of.valid_until
    else:
        valid_from = valid_from or today
        valid_until = licence_valid_until(licence_type, valid_from)
    if previous is not None:
        if previous.successors.exists():
            raise DomainError(
                code="licence.already_superseded",
                message="该证照已有新版本，请在最新版本上操作。",
                status=409,
            )
        if previous.version >= MAX_VERSION:
            raise DomainError(code="licence.version_exhausted", message="该证照版本号已用尽。", status=409)
        serial, version = previous.serial, previous.version + 1
    else:
        serial, version = _serial_next(licence_type, today.year), 1
    # The type's department defines the licence; the department that decided signs it (a district bureau
    # issues the 营业执照 its city bureau defines). A successor keeps its predecessor's issuer.
    issuer = previous.issuer if previous is not None else (issuer or licence_type.issuer)
    key = signing_key_for_issuing(department=issuer)
    licence = Licence(
        identifier=_identifier(licence_type, issuer, serial, version),
        licence_type=licence_type,
        number=serial if version == 1 else f"{serial}-{version}",
        serial=serial,
        version=version,
        issuer=issuer,
        type_code=licence_type.code,
        type_name=licence_type.name,
        issuer_name=issuer.name,
        issuer_code=issuer.credit_code,
        holder_type=holder_type,
        holder_name=holder_name,
        holder_code=holder_code,
        holder_code_hash=lookup_hash(holder_code, purpose=HOLDER_PURPOSE),
        holder_person=person,
        holder_company=company,
        face=clean_face,
        issued_on=today,
        valid_from=valid_from,
        valid_until=valid_until,
        status=LicenceStatus.VALID,
        case=case,
        previous=previous,
        signing_key=key,
        signed_at=clock.now(),
    )
    licence.signature = signer_for(key).sign(licence_payload(licence))
    licence.save(force_insert=True)
    LicenceEvent.objects.create(
        licence=licence, operation=operation, at=licence.signed_at, actor=actor, reason=reason, basis=basis
    )
    if previous is not None:
        old_status = previous.status
        previous.status = LicenceStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        LicenceEvent.objects.create(
            licence=previous,
            operation=operation,
            at=licence.signed_at,
            actor=actor,
            reason=f"由新版本 {licence.identifier} 替代。{reason}",
            basis=basis,
        )
        audit_record(
            actor=actor,
            action="licence.supersede",
            target=previous,
            changes={"status": [old_status, LicenceStatus.SUPERSEDED], "successor": licence.identifier},
        )
    audit_record(
        actor=actor,
        action={
            LicenceOperation.ISSUED: "licence.issue",
            LicenceOperation.RENEWED: "licence.renew",
            LicenceOperation.CHANGED: "licence.change",
        }[LicenceOperation(operation)],
        target=licence,
        changes={
            "identifier": licence.identifier,
            "key_id": key.key_id,
            "previous": previous.identifier if previous is not None else "",
            "case": str(case.pk) if case is not None else "",
        },
    )
    return licence


@transaction.atomic
def licence_issue(
    *,
    licence_type: LicenceType,
    holder_person: Person | None = None,
    holder_company: Company | None = None,
    face: dict[str, Any],
    actor: Any | None,
    case: Any | None = None,
    valid_from: dt.date | None = None,
    previous: Licence | None = None,
    issuer: Department | None = None,
) -> Licence:
    """Issue and sign a licence (operation 01) to a person or a company, signed by ``issuer`` (by default the
    type's department). Refused when its identifier would not validate (a type or issuer code outside 0-9A-Z)."""
    if previous is not None:
        previous = Licence.objects.select_for_update().get(pk=previous.pk)
    return _issue(
        licence_type=licence_type,
        holder_person=holder_person,
        holder_company=holder_company,
        face=face,
        actor=actor,
        case=case,
        valid_from=valid_from,
        previous=previous,
        issuer=issuer,
        operation=LicenceOperation.ISSUED,
    )


@transaction.atomic
def licence_renew(
    *, licence: Licence, actor: Any, valid_from: dt.date | None = None, reason: str = ""
) -> Licence:
    """Renew (延续, operation 02): a new version with the same face, valid anew from ``valid_from`` (today by
    default) for the type's validity; the old licence is superseded."""
    if valid_from is not None:
        today = clock.today()
        earliest = today - dt.timedelta(days=RENEW_BACKDATE_DAYS)
        latest = today + dt.timedelta(days=RENEW_AHEAD_DAYS)
        if not earliest <= valid_from <= latest:
            message = (
                f"延续后的有效期起始日须在 {earliest:%Y年%m月%d日} 至 {latest:%Y年%m月%d日} 之间"
                f"（最早 {RENEW_BACKDATE_DAYS} 天前，最晚 {RENEW_AHEAD_DAYS} 天后）。"
            )
            raise DomainError(
                code="licence.valid_from_out_of_range",
                message=message,
                problems=[
                    FieldProblem(field="valid_from", code="licence.valid_from_out_of_range", message=message)
                ],
            )
    old = licence_lock(
        licence, actor=actor, doing="延续", allowed={LicenceStatus.VALID, LicenceStatus.EXPIRED}
    )
    return _issue(
        licence_type=old.licence_type,
        holder_person=old.holder_person,
        holder_company=old.holder_company,
        face=old.face,
        actor=actor,
        case=None,
        valid_from=valid_from,
        previous=old,
        operation=LicenceOperation.RENEWED,
        reason=reason.strip(),
    )


@transaction.atomic
def licence_change(*, licence: Licence, actor: Any, face: dict[str, Any], reason: str) -> Licence:
    """Change (变更, operation 08): a new version with the changed face fields and the same validity; the old
    licence is superseded. A reason is required."""
    reason = text_required(reason, code="licence.reason_required", message="请填写变更原因。")
    old = licence_lock(licence, actor=actor, doing="变更", allowed={LicenceStatus.VALID})
    changed = dict(old.face) | face_clean(old.licence_type, face)
    if changed == old.face:
        raise DomainError(code="licence.change_empty", message="照面信息没有变化，无需变更。")
    return _issue(
        licence_type=old.licence_type,
        holder_person=old.holder_person,
        holder_company=old.holder_company,
        face=changed,
        actor=actor,
        case=None,
        valid_from=None,
        keep_validity_of=old,
        previous=old,
        operation=LicenceOperation.CHANGED,
        reason=reason,
    )
