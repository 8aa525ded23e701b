"""Reads about people, companies and their authorisations. Every read is scoped to the person asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from onewindow.identity.models import Agency, Company, Person


@dataclass(frozen=True)
class Principal:
    """Who is acting: a person, possibly as the agent of a company under an authorisation."""

    person: Person | None
    company: Company | None = None
    agency: Agency | None = None

    @property
    def company_label(self) -> str:
        return f"{self.company.name}（{self.company.credit_code}）" if self.company else ""

    @property
    def assurance_level(self) -> int:
        return self.person.assurance_level if self.person else 0

    def allows(self, scope: str) -> bool:
        """May this principal do ``scope`` (an AgencyScope)? A person acting for themselves always may;
        a legal representative may do anything for their company; an agent only within a live authorisation."""
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
    person = Person.objects.select_related("acting_for").filter(user=user).first()
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
