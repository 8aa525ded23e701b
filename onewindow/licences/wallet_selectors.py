"""Reads for the holder's side of the library: share codes, the look-up log (用证记录), reuse consent, the
licences a case may use, and the case a department system asks about. Each is scoped to who asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services._common import HANDLING_ROLES
from onewindow.catalogue.models import Material, MaterialSource
from onewindow.core import clock
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.identity.models import AgencyScope, Company, Person
from onewindow.identity.selectors import principal_for_user
from onewindow.licences.models import (
    Licence,
    LicenceAccess,
    LicenceShare,
    LicenceStatus,
    ReuseConsent,
)
from onewindow.licences.selectors import holder_code_hash
from onewindow.organisations.selectors import staff_memberships

SHARE_PURPOSE = "licences.share_code"


@dataclass(frozen=True)
class Holder:
    """Whose licences the signed-in user sees: themselves, or the company they act for with ``licences``."""

    person: Person | None
    company: Company | None
    code_hash: str
    name: str


def holder_of(*, person: Person | None = None, company: Company | None = None) -> Holder | None:
    """The holder behind a person or a company; None for a person without a verified ID number."""
    if company is not None:
        return Holder(
            person=None, company=company, code_hash=holder_code_hash(company.credit_code), name=company.name
        )
    if person is None or not person.id_number:
        return None
    return Holder(person=person, company=None, code_hash=holder_code_hash(person.id_number), name=str(person))


def holder_for_user(user: Any) -> Holder | None:
    """The holder the user acts as now; a company only with the ``licences`` scope (otherwise none)."""
    principal = principal_for_user(user)
    if principal.on_behalf_of is not None:
        # 委托代理: the principal's wallet, only with the ``licences`` scope.
        return holder_of(person=principal.on_behalf_of) if principal.allows(AgencyScope.LICENCES) else None
    if principal.company is not None:
        return holder_of(company=principal.company) if principal.allows(AgencyScope.LICENCES) else None
    return holder_of(person=principal.person)


def holder_of_case(case: Case) -> Holder | None:
    """The holder an application is made for: the company if it has one, else the applicant."""
    return holder_of(company=case.company) if case.company_id else holder_of(person=case.applicant)


def holder_may_use(*, user: Any, case: Case) -> bool:
    """May the user pick licences for this application? Only the holder's own (an agent needs the
    ``licences`` scope; without it they upload the material)."""
    holder, case_holder = holder_for_user(user), holder_of_case(case)
    return holder is not None and case_holder is not None and holder.code_hash == case_holder.code_hash


def face_rows(licence: Licence, face: dict[str, Any] | None = None) -> list[tuple[str, Any]]:
    """The face fields in the type's order with their labels; fields the template does not name come last.
    ``face`` replaces the licence's own values (the masked public face on the verification page)."""
    face = dict(licence.face or {}) if face is None else dict(face)
    rows = []
    for spec in licence.licence_type.face_fields or []:
        key = spec.get("key")
        if key in face:
            rows.append((str(spec.get("label") or key), face.pop(key)))
    rows.extend((str(key), value) for key, value in face.items())
    return rows


def licence_usable(licence: Licence, today: dt.date | None = None) -> bool:
    """Valid now: not suspended, revoked, expired or replaced, and inside its validity period."""
    today = today or clock.today()
    return (
        licence.status == LicenceStatus.VALID
        and licence.valid_from <= today
        and (licence.valid_until is None or licence.valid_until >= today)
    )


def licences_usable_for_case(*, case: Case, material: Material) -> QuerySet[Licence]:
    """The case holder's licences that can answer ``material`` now, newest first."""
    today = clock.today()
    holder = (
        Q(holder_company=case.company)
        if case.company_id
        else Q(holder_person=case.applicant, holder_company=None)
    )
    return (
        Licence.objects.filter(
            holder,
            licence_type__code=material.licence_type_code,
            status=LicenceStatus.VALID,
            valid_from__lte=today,
        )
        .filter(Q(valid_until=None) | Q(valid_until__gte=today))
        # The copy printed on attaching shows the signing key; its private half is never needed.
        .select_related("licence_type", "issuer", "signing_key")
        .defer("signing_key__private_key")
        .order_by("-issued_on", "-created_at")
    )


def licence_shares_live(*, licence: Licence) -> QuerySet[LicenceShare]:
    """The licence's share codes that still open it."""
    return LicenceShare.objects.filter(licence=licence, revoked_at=None, expires_at__gt=clock.now())


def licence_share_get(*, share_id: Any, licence: Licence) -> LicenceShare:
    share = LicenceShare.objects.filter(pk=share_id, licence=licence).first()
    if share is None:
        raise NotFound("未找到该亮证码。")
    return share


def licence_accesses_for(*, holder: Holder) -> QuerySet[LicenceAccess]:
    """用证记录: who looked up or used the holder's licences, newest first."""
    return (
        LicenceAccess.objects.filter(holder_code_hash=holder.code_hash)
        .select_related("department")
        .prefetch_related("licences__licence_type")
    )


def reuse_consent_active(*, holder: Holder) -> ReuseConsent | None:
    return ReuseConsent.objects.filter(holder_code_hash=holder.code_hash, withdrawn_at=None).first()


def case_for_licence_query(*, user: Any, case_number: str) -> Case:
    """A case by its number for a department's look-up: unknown (or not yet received) is 404, a case of
    another department 403."""
    number = (case_number or "").strip()[:64]
    case = (
        Case.objects.filter(number=number, bundle=None)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("applicant", "company", "department", "item_version")
        .first()
        if number
        else None
    )
    if case is None:
        raise NotFound("未找到该办件编号。")
    memberships = staff_memberships(user=user).filter(department_id=case.department_id)
    if not memberships.exists():
        raise PermissionDenied("该办件不属于您所在的部门，不能查询其申请人的电子证照。")
    # Only those who handle applications (window, review, approval) look up an applicant's licences.
    if not memberships.filter(role__in=list(HANDLING_ROLES)).exists():
        raise PermissionDenied("只有本部门的窗口受理、审查或审批人员可以查询申请人的电子证照。")
    return case


def licence_type_codes_for_case(case: Case) -> set[str]:
    """The licence types a case may look up: those its materials take from the library and the type the
    item itself issues. The latter because a renewal or change item (延续、变更) is about the holder's
    licence of that very type, which the handling department needs to see; nothing else is disclosed."""
    codes = set(
        case.item_version.materials.filter(source=MaterialSource.ELICENCE)
        .exclude(licence_type_code="")
        .values_list("licence_type_code", flat=True)
    )
    if case.item_version.licence_type_code:
        codes.add(case.item_version.licence_type_code)
    return codes
