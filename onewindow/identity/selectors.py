"""Reads about people, companies and their authorisations. Every read is scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.identity.models import (
    Agency,
    AgencyScope,
    AssuranceLevel,
    Company,
    IdentityVerification,
    Person,
    PersonAgency,
    PersonalDataView,
)
from onewindow.identity.services.people import person_by_identifier
from onewindow.organisations.selectors import staff_memberships


@dataclass(frozen=True)
class Principal:
    """Who is acting: a person, possibly as the agent of a company under an authorisation."""

    person: Person | None
    company: Company | None = None
    agency: Agency | None = None
    # Acting for another natural person under a 委托代理 (行政许可法 art. 29): ``person`` is the agent.
    on_behalf_of: Person | None = None
    person_agency: PersonAgency | None = None

    @property
    def company_label(self) -> str:
        return f"{self.company.name}（{self.company.credit_code}）" if self.company else ""

    @property
    def acting_label(self) -> str:
        """Whom the signed-in person acts for, for the audit trail: a company or a principal person."""
        if self.on_behalf_of is not None:
            return f"代{self.on_behalf_of}（委托代理）"
        return self.company_label

    @property
    def applicant(self) -> Person | None:
        """The natural person personal applications are made in the name of: the principal when acting for
        one, else the signed-in person."""
        return self.on_behalf_of or self.person

    @property
    def assurance_level(self) -> int:
        return self.person.assurance_level if self.person else 0

    def allows(self, scope: str) -> bool:
        """May this principal do ``scope`` (an AgencyScope)? A person acting for themselves always may;
        a legal representative may do anything for their company; an agent only within a live authorisation."""
        if self.on_behalf_of is not None:
            return self.person_agency is not None and self.person_agency.allows(scope)
        if self.company is None:
            return self.person is not None
        if self.person is not None and self.company.legal_representative_id == self.person.pk:
            return True
        return self.agency is not None and self.agency.allows(scope)


ANONYMOUS = Principal(person=None)


def agency_live(*, person: Person, company: Company) -> Agency | None:
    return (
        Agency.objects.filter(company=company, agent=person, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("company")
        .first()
    )


def principal_for_user(user: Any) -> Principal:
    """The principal for a user: the company they act for only while that authorisation is live."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    person = person_of(user)
    if person is not None and person.acting_for_person is not None:
        person_agency = person_agency_live(agent=person, principal=person.acting_for_person)
        if person_agency is None:
            return Principal(person=person)
        return Principal(person=person, on_behalf_of=person_agency.principal, person_agency=person_agency)
    if person is None or person.acting_for is None:
        return Principal(person=person)
    company = person.acting_for
    if company.legal_representative_id == person.pk:
        return Principal(person=person, company=company)
    agency = agency_live(person=person, company=company)
    if agency is None:
        return Principal(person=person)
    return Principal(person=person, company=company, agency=agency)


def principal_for_request(request: HttpRequest) -> Principal:
    return principal_for_user(getattr(request, "user", None))


# --- assurance levels ----------------------------------------------------------------------------------

# What each level lets a person do, shown on "我的账户" next to the level (domain reference §6).
LEVEL_ALLOWS = {
    AssuranceLevel.L1: _("Look up guides, fill in forms and follow public information."),
    AssuranceLevel.L2: _("Apply for most services online and act for a company as its agent."),
    AssuranceLevel.L3: _("Apply for services that need a face check, such as licences and certificates."),
    AssuranceLevel.L4: _("Everything online, including services that otherwise need a visit to a window."),
}


@dataclass(frozen=True)
class Shortfall:
    """A signed-in person (or an anonymous visitor, ``current`` 0) below the level a service requires."""

    required: int
    current: int
    signed_in: bool


def person_of(user: Any) -> Person | None:
    """The natural person behind a signed-in user, or None (anonymous, or a staff account without one)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Person.objects.select_related("user", "acting_for", "acting_for_person__user")
        .filter(user=user)
        .first()
    )


def assurance_shortfall(user: Any, required_level: int) -> Shortfall | None:
    """None when ``user`` reaches ``required_level``; otherwise how far short they are, for a step-up prompt."""
    person = person_of(user)
    current = person.assurance_level if person else 0
    if current >= required_level:
        return None
    return Shortfall(
        required=required_level, current=current, signed_in=bool(getattr(user, "is_authenticated", False))
    )


def verifications_of(*, person: Person) -> QuerySet[IdentityVerification]:
    return IdentityVerification.objects.filter(person=person).select_related("performed_by")


# --- companies and agents ------------------------------------------------------------------------------


def companies_represented(*, person: Person) -> QuerySet[Company]:
    """Companies whose legal representative this person is."""
    return Company.objects.filter(legal_representative=person)


def agencies_of(*, person: Person) -> QuerySet[Agency]:
    """Every authorisation this person holds or held as an agent, newest first."""
    return Agency.objects.filter(agent=person).select_related("company", "granted_by")


def agencies_live_of(*, person: Person) -> QuerySet[Agency]:
    return agencies_of(person=person).filter(revoked_at=None, expires_at__gt=timezone.now())


def acting_for_choices(*, person: Person) -> list[Company]:
    """The companies this person may act for now: those they represent, then those with a live agency."""
    companies = list(companies_represented(person=person))
    seen = {company.pk for company in companies}
    for agency in agencies_live_of(person=person).order_by("company__name"):
        if agency.company_id not in seen:
            companies.append(agency.company)
            seen.add(agency.company_id)
    return companies


def agency_latest(*, person: Person, company: Company) -> Agency | None:
    """The person's most recent authorisation for the company, live or not (to say why it no longer works)."""
    return Agency.objects.filter(company=company, agent=person).select_related("company").first()


def company_related_get(*, user: Any, company_id: Any) -> Company:
    """A company the user represents or has (or had) an authorisation for; anyone else gets 404."""
    person = person_of(user)
    company = Company.objects.filter(pk=company_id).select_related("legal_representative__user").first()
    if person is None or company is None:
        raise NotFound("未找到该企业，或您无权查看。")
    if (
        company.legal_representative_id != person.pk
        and not Agency.objects.filter(company=company, agent=person).exists()
    ):
        raise NotFound("未找到该企业，或您无权查看。")
    return company


def company_may_manage_agents(*, person: Person, company: Company) -> bool:
    """The legal representative, or an agent whose live authorisation includes ``manage_agents``."""
    if company.legal_representative_id == person.pk:
        return True
    agency = agency_live(person=person, company=company)
    return agency is not None and agency.allows(AgencyScope.MANAGE_AGENTS)


def company_agents(*, user: Any, company: Company) -> QuerySet[Agency]:
    """The company's authorisations (live first, then the past ones), for those who may manage agents only."""
    person = person_of(user)
    if person is None or not company_may_manage_agents(person=person, company=company):
        raise NotFound("未找到该企业，或您无权查看其经办人。")
    return (
        Agency.objects.filter(company=company)
        .select_related("agent__user", "granted_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-expires_at")
    )


def agency_get_for_actor(*, user: Any, agency_id: Any) -> Agency:
    """An authorisation the user may see: their own, or one of a company whose agents they manage."""
    person = person_of(user)
    agency = Agency.objects.filter(pk=agency_id).select_related("company", "agent__user").first()
    if person is None or agency is None:
        raise NotFound("未找到该授权，或您无权查看。")
    if agency.agent_id != person.pk and not company_may_manage_agents(person=person, company=agency.company):
        raise NotFound("未找到该授权，或您无权查看。")
    return agency


# --- agents of natural persons (委托代理, 行政许可法 art. 29) ---------------------------------------------


def person_agency_live(*, agent: Person, principal: Person) -> PersonAgency | None:
    return (
        PersonAgency.objects.filter(
            agent=agent, principal=principal, revoked_at=None, expires_at__gt=timezone.now()
        )
        .select_related("principal__user", "agent__user")
        .first()
    )


def person_agency_latest(*, agent: Person, principal: Person) -> PersonAgency | None:
    """The agent's most recent authorisation from the principal, live or not (to say why it stopped)."""
    return PersonAgency.objects.filter(agent=agent, principal=principal).first()


def person_agents_of(*, person: Person) -> QuerySet[PersonAgency]:
    """Everyone this person authorised (live first), with what each did in their name prefetched."""
    return (
        PersonAgency.objects.filter(principal=person)
        .select_related("agent__user", "revoked_by")
        .prefetch_related("uses")
        .order_by(F("revoked_at").desc(nulls_first=True), "-expires_at")
    )


def person_principals_of(*, person: Person) -> QuerySet[PersonAgency]:
    """The live authorisations this person holds from other persons (whom they may act for)."""
    return (
        PersonAgency.objects.filter(agent=person, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("principal__user")
        .order_by("principal__user__name")
    )


def person_agency_get_for_actor(*, user: Any, agency_id: Any) -> PersonAgency:
    """An authorisation the user granted or holds; anyone else's is 404."""
    person = person_of(user)
    agency = (
        PersonAgency.objects.filter(pk=agency_id).select_related("principal__user", "agent__user").first()
    )
    if person is None or agency is None or person.pk not in (agency.principal_id, agency.agent_id):
        raise NotFound("未找到该委托，或您无权查看。")
    return agency


# --- personal data -------------------------------------------------------------------------------------


def data_views_of(*, person: Person) -> QuerySet[PersonalDataView]:
    """Who saw this person's unmasked identifiers, newest first (shown to the person themselves)."""
    return PersonalDataView.objects.filter(person=person).select_related("viewer")


def staff_may_look_up(*, user: Any) -> bool:
    """Staff holding a role in a department may look people up (and, with a reason, see full identifiers)."""
    return staff_memberships(user=user).exists()


def person_find_for_staff(*, user: Any, identifier: str) -> Person | None:
    """The person with exactly this phone or ID number (through the keyed hashes), for staff only."""
    if not staff_may_look_up(user=user):
        raise PermissionDenied("只有在部门任职的工作人员可以查询个人身份信息。")
    return person_by_identifier(identifier)


def person_get_for_staff(*, user: Any, person_id: Any) -> Person:
    if not staff_may_look_up(user=user):
        raise PermissionDenied("只有在部门任职的工作人员可以查询个人身份信息。")
    person = Person.objects.select_related("user").filter(pk=person_id).first()
    if person is None:
        raise NotFound("未找到该人员。")
    return person


# --- Signed-in sessions (views_auth "我的登录设备"; written by identity.services.sessions) ----------------


@dataclass(frozen=True)
class SessionRow:
    """One signed-in browser as its user sees it."""

    id: Any
    device: str
    ip: str
    method: str
    signed_in_at: Any
    last_seen_at: Any
    is_current: bool


_BROWSERS = (
    ("Edg/", "Edge"),
    ("MicroMessenger", "微信"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
_METHODS = {
    "password": "密码",
    "sms": "短信验证码",
    "register": "注册",
    "password+totp": "密码 + 动态验证码",
    "sms+totp": "短信验证码 + 动态验证码",
}


def user_agent_label(user_agent: str) -> str:
    """``Chrome · Windows`` from a User-Agent header; enough to recognise one's own browser."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), "")
    system = next((name for token, name in _SYSTEMS if token in user_agent), "")
    return " · ".join(part for part in (browser, system) if part) or "未知设备"


def session_rows(*, user: Any, current_key: str) -> list[SessionRow]:
    """The user's browsers still signed in (their Django session exists and has not expired), newest first."""
    from django.contrib.sessions.models import Session

    from onewindow.identity.models import UserSession

    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    records = UserSession.objects.filter(user=user, ended_at=None, session_key__in=live).order_by(
        "-last_seen_at"
    )
    return [
        SessionRow(
            id=record.pk,
            device=user_agent_label(record.user_agent),
            ip=record.ip or "",
            method=_METHODS.get(record.method, record.method),
            signed_in_at=record.created_at,
            last_seen_at=record.last_seen_at,
            is_current=record.session_key == current_key,
        )
        for record in records
    ]
