"""Companies and their agents (经办人): a legal representative registers the company, authorises agents within
a scope and until an expiry, and anyone switches between acting for themselves and for a company."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from onewindow.core.errors import DomainError, FieldProblem, NotFound, PermissionDenied
from onewindow.core.identifiers import credit_code_check
from onewindow.core.masking import mask_name
from onewindow.core.plugins import plugin
from onewindow.core.services import audit_record
from onewindow.identity.models import Agency, AgencyScope, AssuranceLevel, Company, Person
from onewindow.identity.selectors import Principal, agency_latest, agency_live, person_of
from onewindow.identity.services.people import person_by_identifier

# An authorisation letter (授权委托书) is renewed at least every three years.
AGENCY_MAX_DAYS = 3 * 365 + 1
MIN_LEVEL_TO_REPRESENT = AssuranceLevel.L2


def _scope_label(scope: str) -> str:
    return str(AgencyScope(scope).label) if scope in AgencyScope.values else scope


def require_scope(principal: Principal, scope: str) -> None:
    """Refuse (403) unless ``principal`` may do ``scope`` for the company it acts for; the message says why:
    not an agent, revoked, expired (with the date) or outside the authorised scope."""
    if principal.allows(scope):
        return
    if principal.person is None:
        raise PermissionDenied("请先登录。")
    company = principal.company
    agency = principal.agency
    if company is not None and agency is None:
        agency = agency_latest(person=principal.person, company=company)
    name = company.name if company else ""
    if agency is None:
        raise PermissionDenied(f"您不是“{name}”的经办人，不能代其办理。请联系该企业的法定代表人授权。")
    if agency.revoked_at is not None:
        raise PermissionDenied(f"您代“{name}”办理的授权已于 {_day(agency.revoked_at)} 撤销。")
    if agency.expires_at <= timezone.now():
        raise PermissionDenied(
            f"您代“{name}”办理的授权已于 {_day(agency.expires_at)} 过期。请联系法定代表人续期后再办理。"
        )
    raise PermissionDenied(
        f"您的授权范围不包括“{_scope_label(scope)}”（{scope}）。请联系“{name}”的法定代表人调整授权。"
    )


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


@transaction.atomic
def company_register(*, person: Person, credit_code: str) -> Company:
    """Register a company for its legal representative, after checking the code against the company registry."""
    try:
        code = credit_code_check(credit_code).code
    except DomainError as error:
        raise DomainError(
            code=error.code,
            message=error.message,
            problems=[FieldProblem("credit_code", error.code, error.message)],
        ) from None
    if person.assurance_level < MIN_LEVEL_TO_REPRESENT:
        raise DomainError(
            code="company.level_too_low",
            message="登记企业须先完成实名核验（L2 及以上）。请先到“提升认证等级”完成身份核验。",
            status=403,
        )
    existing = Company.objects.select_for_update().filter(credit_code=code).first()
    if existing is not None and existing.legal_representative_id is not None:
        if existing.legal_representative_id == person.pk:
            raise DomainError(code="company.already_registered", message="您已登记过该企业。", status=409)
        raise DomainError(
            code="company.taken",
            message="该企业已由其法定代表人登记。如需代企业办事，请联系法定代表人授权您为经办人。",
            status=409,
        )
    record = plugin("company_registry").lookup(credit_code=code)
    if record is None:
        raise DomainError(
            code="company.not_found",
            message=f"企业登记系统中没有统一社会信用代码为 {code} 的企业，请核对代码。",
            problems=[FieldProblem("credit_code", "company.not_found", "企业登记系统中没有该代码。")],
        )
    if not record.is_active:
        raise DomainError(
            code="company.inactive",
            message=f"“{record.name}”在企业登记系统中的状态不是存续（{record.status}），不能登记。",
            status=409,
        )
    if record.legal_representative_name.strip() != person.user.name.strip():
        raise DomainError(
            code="company.not_legal_representative",
            message=(
                f"“{record.name}”的法定代表人登记为 {mask_name(record.legal_representative_name)}，与您的实名信息不一致。"
                "只有法定代表人本人可以登记企业；其他人请由法定代表人授权为经办人。"
            ),
            status=403,
        )
    company = existing or Company(credit_code=code)
    company.name = record.name
    company.legal_representative_name = record.legal_representative_name
    company.legal_representative = person
    company.registry_reference = record.reference[:100]
    company.save()
    audit_record(actor=person.user, action="company.register", target=company, changes={"credit_code": code})
    return company


def _scopes_checked(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(AgencyScope.values))
    if not scopes or unknown:
        message = f"授权范围无效：{'、'.join(unknown)}。" if unknown else "请至少选择一项授权范围。"
        raise DomainError(
            code="agency.scopes", message=message, problems=[FieldProblem("scopes", "agency.scopes", message)]
        )
    return [scope for scope in AgencyScope.values if scope in scopes]


def agency_expiry_checked(expires_at: datetime, limit: datetime | None) -> datetime:
    if timezone.is_naive(expires_at):  # a date-time without an offset means Beijing time
        expires_at = timezone.make_aware(expires_at)
    now = timezone.now()
    problem = ""
    if expires_at <= now:
        problem = "授权有效期须晚于现在。"
    elif expires_at > now + timedelta(days=AGENCY_MAX_DAYS):
        problem = "授权有效期最长 3 年，请选择更早的日期。"
    elif limit is not None and expires_at > limit:
        problem = f"您授予的有效期不能晚于您自己的授权（{_day(limit)} 到期）。"
    if problem:
        raise DomainError(
            code="agency.expiry",
            message=problem,
            problems=[FieldProblem("expires_at", "agency.expiry", problem)],
        )
    return expires_at


def agency_agent_found(agent_identifier: str) -> Person:
    """The registered person a grant names by mobile phone or citizen ID number (a company's agent or a
    person's), or a refusal on the form's ``agent`` field."""
    agent = person_by_identifier(agent_identifier)
    if agent is None:
        raise DomainError(
            code="agency.agent_unknown",
            message="没有找到使用该手机号码或身份证号码注册的用户。请对方先注册并完成实名核验。",
            problems=[FieldProblem("agent", "agency.agent_unknown", "没有找到该用户。")],
        )
    return agent


@transaction.atomic
def agency_grant(
    *, grantor_user: Any, company: Company, agent_identifier: str, scopes: list[str], expires_at: datetime
) -> Agency:
    """Authorise a registered person as the company's agent. An agent already authorised gets the new
    authorisation in place of the old one. Agents who may manage agents grant no more than they hold."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    grantor = person_of(grantor_user)
    if grantor is None:
        raise PermissionDenied("只有企业法定代表人或有“授权其他经办人”权限的经办人可以授权。")
    grantor_agency = None
    if company.legal_representative_id != grantor.pk:
        grantor_agency = agency_latest(person=grantor, company=company)
        require_scope(
            Principal(person=grantor, company=company, agency=grantor_agency), AgencyScope.MANAGE_AGENTS
        )
    scopes = _scopes_checked(scopes)
    if grantor_agency is not None and not set(scopes) <= set(grantor_agency.scopes):
        raise DomainError(
            code="agency.scopes",
            message="您不能授予超出您自己授权范围的权限。",
            status=403,
            problems=[FieldProblem("scopes", "agency.scopes", "超出您自己的授权范围。")],
        )
    expires_at = agency_expiry_checked(expires_at, grantor_agency.expires_at if grantor_agency else None)
    agent = agency_agent_found(agent_identifier)
    if agent.pk == grantor.pk or agent.pk == company.legal_representative_id:
        raise DomainError(
            code="agency.self",
            message="不能授权给法定代表人或您自己。",
            problems=[FieldProblem("agent", "agency.self", "不能授权给法定代表人或您自己。")],
        )
    if agent.assurance_level < AssuranceLevel.L2:
        raise DomainError(
            code="agency.agent_unverified",
            message="经办人须先完成实名核验（L2 及以上）后才能被授权。",
            problems=[FieldProblem("agent", "agency.agent_unverified", "该用户尚未完成实名核验。")],
        )
    now = timezone.now()
    # Not only live ones: an expired authorisation that was never revoked still holds the one-per-agent slot.
    replaced = list(
        Agency.objects.filter(company=company, agent=agent, revoked_at=None).values_list("pk", flat=True)
    )
    Agency.objects.filter(pk__in=replaced).update(revoked_at=now, revoked_by=grantor_user, updated_at=now)
    agency = Agency.objects.create(
        company=company, agent=agent, scopes=scopes, expires_at=expires_at, granted_by=grantor_user
    )
    audit_record(
        actor=grantor_user,
        action="agency.grant",
        target=agency,
        changes={
            "company": company.credit_code,
            "agent": str(agent),
            "scopes": scopes,
            "expires_at": expires_at.isoformat(),
            "replaces": [str(pk) for pk in replaced],
        },
    )
    return agency


@transaction.atomic
def agency_revoke(*, actor: Any, agency: Agency) -> Agency:
    """End an authorisation now: by the legal representative, an agent who manages agents, or the agent."""
    agency = Agency.objects.select_for_update().select_related("company", "agent").get(pk=agency.pk)
    person = person_of(actor)
    if person is None:
        raise PermissionDenied("您无权撤销该授权。")
    if person.pk != agency.agent_id and person.pk != agency.company.legal_representative_id:
        require_scope(
            Principal(
                person=person,
                company=agency.company,
                agency=agency_live(person=person, company=agency.company),
            ),
            AgencyScope.MANAGE_AGENTS,
        )
    if agency.revoked_at is not None:
        raise DomainError(code="agency.already_revoked", message="该授权已经撤销。", status=409)
    agency.revoked_at = timezone.now()
    agency.revoked_by = actor
    agency.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    # The agent stops acting for the company at once (the middleware would drop it too, but keep it tidy).
    Person.objects.filter(pk=agency.agent_id, acting_for=agency.company).update(acting_for=None)
    audit_record(
        actor=actor, action="agency.revoke", target=agency, changes={"company": agency.company.credit_code}
    )
    return agency


@transaction.atomic
def person_act_for(*, person: Person, company: Company | None) -> Person:
    """Switch between acting for oneself (``None``) and for a company one represents or is an agent of."""
    if (
        company is not None
        and company.legal_representative_id != person.pk
        and agency_live(person=person, company=company) is None
    ):
        latest = agency_latest(person=person, company=company)
        if latest is None:
            raise NotFound("未找到该企业，或您无权代其办理。")
        # Refuses, saying whether the authorisation was revoked or when it expired.
        require_scope(Principal(person=person, company=company, agency=latest), AgencyScope.APPLY)
    before = person.acting_for
    person.acting_for = company
    person.acting_for_person = None  # one principal at a time: a company, or a person, or oneself
    person.save(update_fields=["acting_for", "acting_for_person", "updated_at"])
    audit_record(
        actor=person.user,
        action="person.act_for",
        target=person,
        changes={"acting_for": [str(before or ""), str(company or "")]},
    )
    return person
