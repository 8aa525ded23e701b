"""Licence factories: types, keys and licences made through the real services, so every licence is signed
and has its 01 event and audit entry."""

from __future__ import annotations

import itertools
from typing import Any

from onewindow.identity.models import Company, Person
from onewindow.licences import services
from onewindow.licences.models import Licence, LicenceType, SignatureAlgorithm, SigningKey
from onewindow.organisations.models import Department
from tests.factories import DepartmentFactory, person

_codes = itertools.count(1)
_people = itertools.count(500)

FACE_FIELDS = [
    {"key": "business_scope", "label": "经营范围", "source": "form.business_scope"},
    {"key": "address", "label": "经营场所", "source": "form.address"},
]
FACE = {"business_scope": "预包装食品销售", "address": "福州市鼓楼区五四路1号"}


def licence_type(
    department: Department | None = None,
    *,
    code: str | None = None,
    name: str = "食品经营许可证",
    face_fields: list[dict[str, Any]] | None = None,
    validity_years: int | None = 5,
    reminder_days: int = 30,
) -> LicenceType:
    """An active licence type of ``department`` (a new one if None) with the two face fields above."""
    return services.licence_type_create(
        department=department or DepartmentFactory(),
        code=code or f"1110000000001T{next(_codes):04d}",
        name=name,
        face_fields=FACE_FIELDS if face_fields is None else face_fields,
        validity_years=validity_years,
        reminder_days=reminder_days,
        actor=None,
    )


_default_type = licence_type


def signing_key(department: Department, algorithm: str = SignatureAlgorithm.SM2_SM3) -> SigningKey:
    """The department's active key for ``algorithm`` (created if it has none)."""
    existing = SigningKey.objects.filter(department=department, algorithm=algorithm, status="active").first()
    return existing or services.signing_key_create(department=department, algorithm=algorithm, actor=None)


def licence_issued(
    *,
    holder_person: Person | None = None,
    holder_company: Company | None = None,
    licence_type: LicenceType | None = None,
    case: Any = None,
    face: dict[str, Any] | None = None,
    algorithm: str | None = None,
    **overrides: Any,
) -> Licence:
    """A valid signed licence. Without a holder: a new verified citizen. ``algorithm`` makes sure the issuer
    has a key for it; the issuer signs with its SM2 key when it has one, else Ed25519."""
    licence_type = licence_type or _default_type()
    if holder_person is None and holder_company is None:
        holder_person = person(next(_people))
    if algorithm is not None:
        signing_key(licence_type.issuer, algorithm)
    return services.licence_issue(
        licence_type=licence_type,
        holder_person=holder_person,
        holder_company=holder_company,
        face=dict(FACE) if face is None else face,
        actor=None,
        case=case,
        **overrides,
    )
