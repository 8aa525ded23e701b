"""Personal data (个人信息保护法): staff see a full identifier only with a stated reason, which the person can
read later; a person downloads everything the platform holds about them (art. 45)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q

from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.models import AuditEntry
from onewindow.core.services import audit_record
from onewindow.identity.models import Agency, Company, Person, PersonalDataView, UserSession
from onewindow.identity.selectors import data_views_of, verifications_of
from onewindow.organisations.selectors import staff_memberships

REVEALABLE = {"id_number": "身份证号码", "phone": "手机号码"}
REASON_MIN_LENGTH = 4


@transaction.atomic
def person_identifier_reveal(*, viewer: Any, person: Person, field: str, reason: str) -> str:
    """The plain ID number or phone of ``person`` for a staff member who states why; kept for the person."""
    membership = staff_memberships(user=viewer).first()
    if membership is None:
        raise PermissionDenied("只有在部门任职的工作人员可以查看完整的个人身份信息。")
    if field not in REVEALABLE:
        raise DomainError(code="reveal.field", message="只能查看身份证号码或手机号码。")
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        message = (
            f"请填写查看理由（至少 {REASON_MIN_LENGTH} 个字），例如“窗口受理核对身份”。该理由会告知本人。"
        )
        raise DomainError(
            code="reveal.reason", message=message, problems=[FieldProblem("reason", "reveal.reason", message)]
        )
    value = getattr(person, field)
    if not value:
        raise DomainError(code="reveal.empty", message=f"该账号没有登记{REVEALABLE[field]}。", status=409)
    PersonalDataView.objects.create(
        person=person,
        viewer=viewer,
        viewer_department=membership.department.name,
        field=field,
        reason=reason[:300],
    )
    audit_record(
        actor=viewer,
        action="person.identifier_reveal",
        target=person,
        changes={"field": field, "reason": reason[:300], "department": membership.department.name},
    )
    return str(value)


def _at(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def _agency(agency: Agency) -> dict[str, Any]:
    return {
        "id": str(agency.pk),
        "company": agency.company.name,
        "credit_code": agency.company.credit_code,
        "scopes": agency.scopes,
        "expires_at": _at(agency.expires_at),
        "granted_at": _at(agency.created_at),
        "revoked_at": _at(agency.revoked_at),
    }


@transaction.atomic
def person_data_export(*, person: Person) -> dict[str, Any]:
    """Everything the platform holds about the person, identifiers in full (it is their own data). The
    download itself goes into the audit trail. Later apps add their records (cases) under their own keys."""
    user = person.user
    audit = AuditEntry.objects.filter(
        Q(actor=user)
        | Q(target_type="identity.person", target_id=str(person.pk))
        | Q(target_type="accounts.user", target_id=str(user.pk))
    ).order_by("seq")
    export = {
        "exported_at": _at(clock.now()),
        "account": {
            "username": user.get_username(),
            "name": user.name,
            "email": user.email,
            "date_joined": _at(user.date_joined),
            "last_login": _at(user.last_login),
        },
        "person": {
            "id": str(person.pk),
            "id_number": person.id_number,
            "phone": person.phone,
            "postal_address": person.postal_address,
            "assurance_level": person.assurance_level,
            "verified_at": _at(person.verified_at),
            "acting_for": person.acting_for.name if person.acting_for else None,
        },
        "verifications": [
            {
                "at": _at(v.created_at),
                "method": v.method,
                "level": v.level,
                "succeeded": v.succeeded,
                "verifier": v.verifier,
                "reference": v.reference,
                "detail": v.detail,
                "performed_by": v.performed_by.name if v.performed_by else None,
            }
            for v in verifications_of(person=person)
        ],
        "companies_represented": [
            {"name": c.name, "credit_code": c.credit_code, "registered_at": _at(c.created_at)}
            for c in Company.objects.filter(legal_representative=person)
        ],
        "agencies": [_agency(a) for a in Agency.objects.filter(agent=person).select_related("company")],
        "agencies_granted": [
            _agency(a) | {"agent": str(a.agent)}
            for a in Agency.objects.filter(granted_by=user).select_related("company", "agent__user")
        ],
        "sessions": [
            {
                "started_at": _at(s.created_at),
                "last_seen_at": _at(s.last_seen_at),
                "ended_at": _at(s.ended_at),
                "ip": s.ip,
                "user_agent": s.user_agent,
                "method": s.method,
            }
            for s in UserSession.objects.filter(user=user)
        ],
        "personal_data_views": [
            {
                "at": _at(v.created_at),
                "viewer": v.viewer.name or v.viewer.get_username(),
                "department": v.viewer_department,
                "field": v.field,
                "reason": v.reason,
            }
            for v in data_views_of(person=person)
        ],
        "audit_trail": [
            {
                "seq": e.seq,
                "at": _at(e.at),
                "actor": e.actor_label,
                "action": e.action,
                "target": e.target_label,
                "changes": e.changes,
                "ip": e.ip,
            }
            for e in audit
        ],
    }
    audit_record(actor=user, action="person.data_export", target=person)
    return export
