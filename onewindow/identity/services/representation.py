"""Agents of natural persons (委托代理, 行政许可法 art. 29): a person authorises another to apply in their name
within a scope and until an expiry, may revoke it at any time, and sees everything done in their name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.core.errors import DomainError, FieldProblem, NotFound, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.identity.models import (
    PERSON_AGENCY_SCOPES,
    AssuranceLevel,
    Person,
    PersonAgency,
    PersonAgencyUse,
)
from onewindow.identity.selectors import person_agency_latest, person_agency_live, person_of
from onewindow.identity.services.companies import agency_agent_found, agency_expiry_checked


def _scopes_checked(scopes: list[str]) -> list[str]:
    allowed = [str(scope) for scope in PERSON_AGENCY_SCOPES]
    unknown = sorted(set(scopes) - set(allowed))
    if not scopes or unknown:
        message = f"委托范围无效：{'、'.join(unknown)}。" if unknown else "请至少选择一项委托范围。"
        raise DomainError(
            code="agency.scopes", message=message, problems=[FieldProblem("scopes", "agency.scopes", message)]
        )
    return [scope for scope in allowed if scope in scopes]


@transaction.atomic
def person_agency_grant(
    *, principal_user: Any, agent_identifier: str, scopes: list[str], expires_at: datetime
) -> PersonAgency:
    """Authorise a registered, identity-verified person to act in the principal's name. An agent already
    authorised gets the new authorisation in place of the old one."""
    principal = person_of(principal_user)
    if principal is None:
        raise PermissionDenied("请先以个人实名账户登录后再委托代理人。")
    if principal.assurance_level < AssuranceLevel.L2:
        raise DomainError(
            code="agency.principal_unverified",
            message="委托他人办事前，请先完成实名核验（L2 及以上）。",
            status=403,
        )
    scopes = _scopes_checked(scopes)
    expires_at = agency_expiry_checked(expires_at, None)
    agent = agency_agent_found(agent_identifier)
    if agent.pk == principal.pk:
        raise DomainError(
            code="agency.self",
            message="不能委托您自己。",
            problems=[FieldProblem("agent", "agency.self", "不能委托您自己。")],
        )
    if agent.assurance_level < AssuranceLevel.L2:
        raise DomainError(
            code="agency.agent_unverified",
            message="代理人须先完成实名核验（L2 及以上）后才能接受委托。",
            problems=[FieldProblem("agent", "agency.agent_unverified", "该用户尚未完成实名核验。")],
        )
    now = timezone.now()
    replaced = list(
        PersonAgency.objects.select_for_update()
        .filter(principal=principal, agent=agent, revoked_at=None)
        .values_list("pk", flat=True)
    )
    PersonAgency.objects.filter(pk__in=replaced).update(
        revoked_at=now, revoked_by=principal_user, updated_at=now
    )
    agency = PersonAgency.objects.create(
        principal=principal, agent=agent, scopes=scopes, expires_at=expires_at
    )
    audit_record(
        actor=principal_user,
        action="person_agency.grant",
        target=agency,
        changes={
            "agent": str(agent),
            "scopes": scopes,
            "expires_at": expires_at.isoformat(),
            "replaces": [str(pk) for pk in replaced],
        },
    )
    return agency


@transaction.atomic
def person_agency_revoke(*, actor: Any, agency: PersonAgency) -> PersonAgency:
    """End an authorisation now: by the principal, or by the agent declining it."""
    agency = PersonAgency.objects.select_for_update().get(pk=agency.pk)
    person = person_of(actor)
    if person is None or person.pk not in (agency.principal_id, agency.agent_id):
        raise NotFound("未找到该委托，或您无权撤销。")
    if agency.revoked_at is not None:
        raise DomainError(code="agency.already_revoked", message="该委托已经撤销。", status=409)
    agency.revoked_at = timezone.now()
    agency.revoked_by = actor
    agency.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    # The agent stops acting in the principal's name at once.
    Person.objects.filter(pk=agency.agent_id, acting_for_person_id=agency.principal_id).update(
        acting_for_person=None
    )
    audit_record(actor=actor, action="person_agency.revoke", target=agency)
    return agency


@transaction.atomic
def person_act_for_person(*, person: Person, principal: Person | None) -> Person:
    """Switch between acting for oneself (``None``) and in the name of a person who authorised one."""
    if principal is not None and person_agency_live(agent=person, principal=principal) is None:
        latest = person_agency_latest(agent=person, principal=principal)
        if latest is None:
            raise NotFound("未找到该委托人，或您无权代其办理。")
        when = timezone.localtime(latest.revoked_at or latest.expires_at).strftime("%Y-%m-%d")
        raise PermissionDenied(
            f"{principal}对您的委托已于 {when} {'撤销' if latest.revoked_at else '到期'}，不能再代其办理。"
        )
    before = person.acting_for_person
    person.acting_for_person = principal
    person.acting_for = None  # one principal at a time: a person, or a company, or oneself
    person.save(update_fields=["acting_for_person", "acting_for", "updated_at"])
    audit_record(
        actor=person.user,
        action="person.act_for_person",
        target=person,
        changes={"acting_for_person": [str(before or ""), str(principal or "")]},
    )
    return person


def person_agency_use_record(*, agency: PersonAgency, action: str, description: str, target: Any) -> None:
    """Record what an agent did in the principal's name, for the principal to see under 我的账户 (the caller
    writes the audit entry of the action itself)."""
    PersonAgencyUse.objects.create(
        agency=agency, action=action[:60], description=description[:300], target_id=str(target.pk)[:64]
    )
