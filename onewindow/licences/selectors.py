"""Reads of the e-licence library: verification (anyone, no login), the QR short code, the published keys,
the holder's wallet and the issuing department's lists. Each read that takes a user scopes by it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Q, QuerySet

from onewindow.core import clock
from onewindow.core.crypto import lookup_hash
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.masking import mask_citizen_id, mask_name, mask_phone
from onewindow.core.replica import primary_reads
from onewindow.identity.models import AgencyScope
from onewindow.identity.selectors import Principal, principal_for_user
from onewindow.licences.identifiers import licence_identifier_problems
from onewindow.licences.models import (
    HOLDER_PURPOSE,
    HolderType,
    Licence,
    LicenceStatus,
    LicenceType,
    SigningKey,
)
from onewindow.licences.services._common import ADMIN_ROLES, LIFECYCLE_ROLES, VIEWER_ROLES
from onewindow.licences.signing import SignatureError, licence_payload, signature_verify_cached
from onewindow.organisations.models import Department
from onewindow.organisations.selectors import staff_memberships

# Bitcoin's alphabet: no 0/O or I/l to misread when a short link is typed from paper.
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class Outcome:
    """What a verification answers (the first that applies, in this order)."""

    UNKNOWN = "unknown"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    VALID = "valid"


@dataclass
class VerificationResult:
    """The answer to “is this licence genuine and in force?”, with what may be shown to anyone."""

    outcome: str  # valid | expired | revoked | suspended | superseded | not_yet_valid | unknown
    signature_valid: bool
    licence: Licence | None
    face: dict[str, Any] = field(default_factory=dict)  # masked for the public (``face_public``)
    holder_masked: str = ""
    identifier: str = ""
    problems: list[str] = field(default_factory=list)  # why an identifier is malformed (outcome unknown)
    successor_identifier: str = ""

    @property
    def is_valid(self) -> bool:
        return self.outcome == Outcome.VALID and self.signature_valid


def holder_code_hash(code: str) -> str:
    """The keyed look-up hash stored in ``Licence.holder_code_hash`` for a citizen ID or credit code."""
    return lookup_hash(code, purpose=HOLDER_PURPOSE)


def holder_code_masked(licence: Licence) -> str:
    """A citizen ID masked; a credit code is public and shown in full."""
    if licence.holder_type == HolderType.CITIZEN_ID:
        return mask_citizen_id(licence.holder_code)
    return licence.holder_code


def holder_name_masked(licence: Licence) -> str:
    """A citizen's name masked (``张*丰``); a company's name is public and shown in full."""
    if licence.holder_type == HolderType.CITIZEN_ID:
        return mask_name(licence.holder_name)
    return licence.holder_name


def holder_display_masked(licence: Licence) -> str:
    """The holder as the public may see it: ``张*丰（1101**********002X）`` or the company in full."""
    return f"{holder_name_masked(licence)}（{holder_code_masked(licence)}）"


# Personal identifiers that may sit inside any face value (a form field typed by the applicant): an 18-digit
# citizen ID number and a mainland mobile number. Longer digit runs (a credit code's digits) do not match.
_CITIZEN_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
# Face fields whose label says they hold an identifier, a phone number or a person's name, masked whole.
_ID_LABELS = ("身份证", "身份号码", "证件号")
_PHONE_LABELS = ("电话", "手机", "联系方式")
_NAME_LABELS = ("姓名",)


def _face_value_public(text: str, *, label: str, source: str, person: bool) -> str:
    if source.startswith("holder.") and person:
        return mask_citizen_id(text) if _CITIZEN_ID_RE.fullmatch(text) else mask_name(text)
    if any(word in label for word in _ID_LABELS):
        return mask_citizen_id(text)
    if any(word in label for word in _PHONE_LABELS):
        return mask_phone(text)
    if any(word in label for word in _NAME_LABELS):
        return mask_name(text)
    text = _CITIZEN_ID_RE.sub(lambda match: mask_citizen_id(match.group()), text)
    return _MOBILE_RE.sub(lambda match: mask_phone(match.group()), text)


def face_public(licence: Licence) -> dict[str, str]:
    """The face as anyone verifying may see it: fields from the holder (``holder.*``) and personal
    identifiers masked like the holder line (a company's name is public, as on the holder line). The holder
    sees the full face in the wallet and on the PDF."""
    specs = {
        str(spec.get("key")): spec
        for spec in licence.licence_type.face_fields or []
        if isinstance(spec, dict) and spec.get("key")
    }
    person = licence.holder_type == HolderType.CITIZEN_ID
    face = {}
    for key, value in (licence.face or {}).items():
        spec = specs.get(str(key), {})
        face[str(key)] = _face_value_public(
            "" if value is None else str(value),
            label=f"{spec.get('label') or ''} {key}",
            source=str(spec.get("source") or f"form.{key}"),
            person=person,
        )
    return face


def licence_signature_valid(licence: Licence) -> bool:
    """Recompute the signed payload from the stored columns and check it with the key's public key."""
    key = licence.signing_key
    try:
        return signature_verify_cached(
            algorithm=key.algorithm,
            public_key_pem=key.public_key,
            data=licence_payload(licence),
            signature=licence.signature,
        )
    except (SignatureError, ValueError):
        return False


def _outcome(licence: Licence) -> str:
    status = licence.status
    if status == LicenceStatus.REVOKED:
        return Outcome.REVOKED
    if status == LicenceStatus.SUPERSEDED:
        return Outcome.SUPERSEDED
    if status == LicenceStatus.SUSPENDED:
        return Outcome.SUSPENDED
    today = clock.today()
    # The scheduler expires licences once a day: the date decides in between.
    if status == LicenceStatus.EXPIRED or (licence.valid_until is not None and licence.valid_until < today):
        return Outcome.EXPIRED
    if licence.valid_from > today:
        return Outcome.NOT_YET_VALID
    return Outcome.VALID


# What a verification reads (the signed payload, the status and dates, the answer and the page), and no more:
# compiling every column of the licence, its type, issuer, key and previous licence (some 90) was half of a
# look-up's time (issue #18's profile). The private key is never read: that also spares an SM4 decryption.
_VERIFIED_COLUMNS = (
    "identifier", "type_code", "type_name", "number", "version", "status", "issuer_name", "issuer_code",
    "holder_type", "holder_name", "holder_code", "face", "issued_on", "valid_from", "valid_until",
    "signature", "signed_at", "licence_type__face_fields", "signing_key__key_id", "signing_key__algorithm",
    "signing_key__public_key", "previous__identifier",
)  # fmt: skip


def _verifiable() -> QuerySet[Licence]:
    return Licence.objects.select_related("licence_type", "signing_key", "previous").only(*_VERIFIED_COLUMNS)


def verification_of(licence: Licence) -> VerificationResult:
    """The verification answer for a licence already loaded (with ``_verifiable``'s relations)."""
    successor = ""
    if licence.status == LicenceStatus.SUPERSEDED:
        newer = licence.successors.order_by("-version").only("identifier").first()
        successor = newer.identifier if newer is not None else ""
    return VerificationResult(
        outcome=_outcome(licence),
        signature_valid=licence_signature_valid(licence),
        licence=licence,
        face=face_public(licence),
        holder_masked=holder_display_masked(licence),
        identifier=licence.identifier,
        successor_identifier=successor,
    )


# A verification's public answer is kept for a while (the same licence is checked again and again: at a
# counter, by each party to a deal), under a generation per licence that every saved change of the licence
# renews once its transaction has committed (licences.services.verification_generation_renew). A stored
# answer counts only under the generation it was made under, so an answer computed from the state before a
# change can never be served after it, whatever the order of the requests; and the day is in the key, as the
# outcome turns on the date (expired, not yet valid). The answer holds only what anyone verifying may see.
VERIFICATION_TTL_SECONDS = 300
_ANSWER_KEY = "licences:verify:answer:{identifier}:{day}"
_GENERATION_KEY = "licences:verify:generation:{identifier}"

Answer = TypeVar("Answer")


def verification_generation_key(identifier: str) -> str:
    return _GENERATION_KEY.format(identifier=identifier.strip().upper())


def licence_verify_answer(identifier: str, answer: Callable[[VerificationResult], Answer]) -> Answer:
    """``answer(licence_verify(identifier))``, from the shared cache when this licence has not changed since
    it was stored (one round trip to the cache instead of the look-up, the signature check and the unsealing
    of the face). ``answer`` may refuse (a malformed identifier): nothing is stored then."""
    identifier = (identifier or "").strip().upper()
    answer_key = _ANSWER_KEY.format(identifier=identifier, day=clock.today().isoformat())
    generation_key = verification_generation_key(identifier)
    found = cache.get_many([answer_key, generation_key])
    generation, stored = found.get(generation_key), found.get(answer_key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == generation:
        return stored[1]
    with primary_reads():  # a lagging replica's state, once stored, would outlive the lag
        made = answer(licence_verify(identifier))
    cache.set(answer_key, (generation, made), VERIFICATION_TTL_SECONDS)
    return made


def licence_verify(identifier: str) -> VerificationResult:
    """Verify a licence by its identifier: its status and dates, and its signature over the stored data —
    a changed face field, holder, date or signature makes ``signature_valid`` false."""
    identifier = (identifier or "").strip().upper()
    problems = licence_identifier_problems(identifier)
    if problems:
        return VerificationResult(
            outcome=Outcome.UNKNOWN,
            signature_valid=False,
            licence=None,
            identifier=identifier,
            problems=problems,
        )
    # get(), not first(): the identifier is unique, and first()'s ORDER BY (the model's ordering over the
    # joined relations) took as long to compile as the rest of the look-up (issue #18's profile).
    try:
        licence = _verifiable().get(identifier=identifier)
    except Licence.DoesNotExist:
        licence = None
    if licence is None:
        return VerificationResult(
            outcome=Outcome.UNKNOWN, signature_valid=False, licence=None, identifier=identifier
        )
    return verification_of(licence)


# Licence numbers are unique per type, not across types: one issuer may print the same number on two types.
BY_NUMBER_MAX = 5


def licences_by_number(*, number: str, issuer: str) -> list[VerificationResult]:
    """Verify the licences with this printed number (证照编号) from this issuer — its unified social credit
    code, or its name as printed on the licence — for someone holding a paper copy without the identifier."""
    number = "".join((number or "").split())
    issuer = (issuer or "").strip()
    if not number or not issuer or len(number) > 64 or len(issuer) > 200:
        return []
    licences = (
        _verifiable()
        .filter(Q(issuer_code=issuer.upper()) | Q(issuer_name=issuer), number=number)
        .order_by("-issued_on", "-version")[:BY_NUMBER_MAX]
    )
    return [verification_of(licence) for licence in licences]


def licence_issuers() -> QuerySet[Department]:
    """The departments that sign licences (hold a signing key), for the verification form's choice."""
    return Department.objects.filter(signing_keys__isnull=False).distinct().order_by("name")


def licence_short_code(licence: Licence) -> str:
    """The QR short-link token: the licence's UUID in base58 (at most 22 characters)."""
    number = licence.pk.int if isinstance(licence.pk, uuid.UUID) else uuid.UUID(str(licence.pk)).int
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "".join(reversed(digits)) or BASE58_ALPHABET[0]


def _short_code_uuid(code: str) -> uuid.UUID | None:
    if not code or len(code) > 23:
        return None
    number = 0
    for char in code:
        index = BASE58_ALPHABET.find(char)
        if index < 0:
            return None
        number = number * 58 + index
    if number >= 1 << 128:
        return None
    return uuid.UUID(int=number)


def licence_get_by_short(code: str) -> Licence | None:
    """The licence behind a QR short code, with the relations verification needs; None if none."""
    pk = _short_code_uuid((code or "").strip())
    if pk is None:
        return None
    return _verifiable().filter(pk=pk).first()


def public_keys() -> QuerySet[SigningKey]:
    """Every signing key's public half (active and retired: retired keys still verify what they signed)."""
    return (
        SigningKey.objects.select_related("department")
        .defer("private_key")
        .order_by("department__name", "algorithm", "-created_at")
    )


def licences_of_holder(*, user: Any) -> QuerySet[Licence]:
    """The wallet: licences held by the signed-in person, or by the company or person they act for with the
    ``licences`` scope. Empty for anyone else (and for a person without a verified ID number)."""
    principal = principal_for_user(user)
    if principal.on_behalf_of is not None:
        # 委托代理 (行政许可法 art. 29): the principal's licences, only with the ``licences`` scope.
        if not principal.allows(AgencyScope.LICENCES):
            return Licence.objects.none()
        principal = Principal(person=principal.on_behalf_of)
    if principal.company is not None:
        if not principal.allows(AgencyScope.LICENCES):
            return Licence.objects.none()
        scope = Q(holder_company=principal.company) | Q(
            holder_type=HolderType.CREDIT_CODE,
            holder_code_hash=holder_code_hash(principal.company.credit_code),
        )
    elif principal.person is not None:
        scope = Q(holder_person=principal.person)
        if principal.person.id_number:
            scope |= Q(
                holder_type=HolderType.CITIZEN_ID,
                holder_code_hash=holder_code_hash(principal.person.id_number),
            )
    else:
        return Licence.objects.none()
    return (
        Licence.objects.filter(scope)
        .select_related("licence_type", "issuer", "signing_key")
        .defer("signing_key__private_key")
        .order_by("-issued_on", "-created_at")
    )


# --- the issuing department's side ------------------------------------------------------------------------


def staff_departments(*, user: Any, roles: tuple[str, ...] = LIFECYCLE_ROLES) -> QuerySet[Department]:
    """Departments where the user holds one of ``roles``."""
    ids = staff_memberships(user=user).filter(role__in=list(roles)).values("department_id")
    return Department.objects.filter(pk__in=ids, is_active=True).order_by("name")


def staff_licence_departments(*, user: Any) -> QuerySet[Department]:
    """Departments whose licences the user may see: any staff role there (the workbench menu shows the link
    for the same ``VIEWER_ROLES``)."""
    ids = staff_memberships(user=user).filter(role__in=list(VIEWER_ROLES)).values("department_id")
    return Department.objects.filter(pk__in=ids, is_active=True).order_by("name")


def department_licences(
    *, user: Any, department: Department, q: str = "", status: str = ""
) -> QuerySet[Licence]:
    """The licences a department issued, for its staff; searched by number, identifier or holder name."""
    if not staff_licence_departments(user=user).filter(pk=department.pk).exists():
        raise PermissionDenied("只能查看本部门签发的证照。")
    licences = Licence.objects.filter(issuer=department).select_related("licence_type")
    q = (q or "").strip()
    if q:
        licences = licences.filter(
            Q(number__icontains=q) | Q(identifier__icontains=q.upper()) | Q(holder_name__icontains=q)
        )
    if status in LicenceStatus.values:
        licences = licences.filter(status=status)
    return licences.order_by("-issued_on", "-created_at")


def staff_licence_get(*, user: Any, licence_id: uuid.UUID | str) -> Licence:
    """One licence for the issuing department's staff: 404 if none, 403 for another department's."""
    licence = (
        Licence.objects.select_related(
            "licence_type",
            "issuer",
            "signing_key",
            "previous",
            "case",
            "holder_person__user",
            "holder_company",
        )
        .defer("signing_key__private_key")
        .filter(pk=licence_id)
        .first()
    )
    if licence is None:
        raise NotFound("未找到该证照。")
    if not staff_licence_departments(user=user).filter(pk=licence.issuer_id).exists():
        raise PermissionDenied("只能查看本部门签发的证照。")
    return licence


def department_licence_types(*, department: Department) -> QuerySet[LicenceType]:
    return LicenceType.objects.filter(issuer=department).order_by("name")


def department_signing_keys(*, department: Department) -> QuerySet[SigningKey]:
    return SigningKey.objects.filter(department=department).defer("private_key").order_by("-created_at")


def user_may_manage(*, user: Any, department: Department) -> bool:
    """Department administrators manage licence types and signing keys."""
    return staff_memberships(user=user).filter(department=department, role__in=list(ADMIN_ROLES)).exists()


def user_may_act(*, user: Any, department: Department) -> bool:
    """Approvers and department administrators run the lifecycle of the department's licences."""
    return staff_memberships(user=user).filter(department=department, role__in=list(LIFECYCLE_ROLES)).exists()
