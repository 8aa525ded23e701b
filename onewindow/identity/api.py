"""The signed-in person's own identity over the API: profile and level, companies, agent authorisations,
whom they act for, their personal data and who viewed it.

Browser (session cookie, CSRF on writes) or a bearer token from the OIDC provider with the ``profile`` scope.
Identifiers are always masked here, except in the person's own data export."""

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from onewindow.core.errors import NotFound
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_only, session_or_token
from onewindow.identity.models import Agency, AgencyScope, AssuranceLevel, Company, Person
from onewindow.identity.selectors import (
    LEVEL_ALLOWS,
    agencies_of,
    agency_get_for_actor,
    companies_represented,
    company_related_get,
    data_views_of,
    person_of,
)
from onewindow.identity.services.companies import agency_grant, agency_revoke, person_act_for
from onewindow.identity.services.personal_data import person_data_export

router = Router(tags=["identity"])
AUTH = session_or_token("profile")
# Changing who acts for a company, granting or revoking agents, and the full export (plain ID and phone
# numbers) are for the person in their own browser, never for a department system's "profile" token.
BROWSER_ONLY = session_only()
SIGNED_IN_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, **COMMON_ERRORS}


class CompanyOut(Schema):
    id: uuid.UUID
    name: str
    credit_code: str = Field(description="unified social credit code (GB 32100)")
    legal_representative_name: str
    i_represent: bool = Field(description="the signed-in person is its legal representative")


class MeOut(Schema):
    name: str
    id_number_masked: str = Field(
        description="citizen ID number, masked (e.g. 1101**********002X); empty if none"
    )
    phone_masked: str = Field(description="mobile phone, masked (e.g. 139****0001)")
    assurance_level: int = Field(description="1–4: L1 phone, L2 registry, L3 face/bank card, L4 in person")
    assurance_level_label: str
    assurance_level_allows: str = Field(description="what this level lets the person do")
    verified_at: datetime | None
    acting_for: CompanyOut | None = Field(
        description="the company the person acts for now; null for themselves"
    )


class AgencyOut(Schema):
    id: uuid.UUID
    company: CompanyOut
    agent_name: str
    agent_phone_masked: str
    scopes: list[str] = Field(description="what the agent may do: " + ", ".join(AgencyScope.values))
    expires_at: datetime
    revoked_at: datetime | None
    active: bool = Field(description="neither revoked nor expired")


class AgencyIn(Schema):
    agent: str = Field(
        min_length=11, max_length=18, description="the agent's registered mobile phone or citizen ID number"
    )
    scopes: list[AgencyScope] = Field(min_length=1, description="what the agent may do")
    expires_at: datetime = Field(description="end of the authorisation; in the future, at most 3 years ahead")


class ActingForIn(Schema):
    company_id: uuid.UUID | None = Field(
        description="a company the person represents or is an agent of; null = myself"
    )


class DataViewOut(Schema):
    at: datetime
    viewer: str = Field(description="the staff member who saw the full identifier")
    department: str
    field: str = Field(description="id_number or phone")
    reason: str


def _person(request: HttpRequest) -> Person:
    person = person_of(request.user)
    if person is None:
        raise NotFound("该账号没有自然人身份信息。")
    return person


def _company(company: Company, person: Person) -> dict[str, Any]:
    return {
        "id": company.pk,
        "name": company.name,
        "credit_code": company.credit_code,
        "legal_representative_name": company.legal_representative_name,
        "i_represent": company.legal_representative_id == person.pk,
    }


def _me(person: Person) -> dict[str, Any]:
    level = AssuranceLevel(person.assurance_level)
    return {
        "name": person.user.name,
        "id_number_masked": person.id_number_masked,
        "phone_masked": person.phone_masked,
        "assurance_level": int(level),
        "assurance_level_label": str(level.label),
        "assurance_level_allows": str(LEVEL_ALLOWS[level]),
        "verified_at": person.verified_at,
        "acting_for": _company(person.acting_for, person) if person.acting_for else None,
    }


def _agency(agency: Agency, person: Person) -> dict[str, Any]:
    return {
        "id": agency.pk,
        "company": _company(agency.company, person),
        "agent_name": agency.agent.user.name,
        "agent_phone_masked": agency.agent.phone_masked,
        "scopes": agency.scopes,
        "expires_at": agency.expires_at,
        "revoked_at": agency.revoked_at,
        "active": agency.is_active(),
    }


@router.get("/me", auth=AUTH, throttle=[], response={200: MeOut, **SIGNED_IN_ERRORS}, summary="My profile")
def me(request: HttpRequest) -> dict[str, Any]:
    return _me(_person(request))


@router.get(
    "/me/companies",
    auth=AUTH,
    throttle=[],
    response={200: list[CompanyOut], **SIGNED_IN_ERRORS},
    summary="Companies I represent",
)
def my_companies(request: HttpRequest) -> list[dict[str, Any]]:
    person = _person(request)
    return [_company(company, person) for company in companies_represented(person=person)]


@router.get(
    "/me/agencies",
    auth=AUTH,
    throttle=[],
    response={200: list[AgencyOut], **SIGNED_IN_ERRORS},
    summary="My authorisations as an agent (经办人)",
)
def my_agencies(request: HttpRequest) -> list[dict[str, Any]]:
    person = _person(request)
    return [_agency(agency, person) for agency in agencies_of(person=person).select_related("agent__user")]


@router.post(
    "/companies/{company_id}/agencies",
    auth=BROWSER_ONLY,
    throttle=[],
    response={201: AgencyOut, 409: ErrorOut, **SIGNED_IN_ERRORS},
    summary="Authorise an agent for a company (legal representative, or an agent who may manage agents)",
)
def company_agency_grant(request: HttpRequest, company_id: uuid.UUID, payload: AgencyIn) -> Status:
    person = _person(request)
    company = company_related_get(user=request.user, company_id=company_id)
    agency = agency_grant(
        grantor_user=request.user,
        company=company,
        agent_identifier=payload.agent,
        scopes=[scope.value for scope in payload.scopes],
        expires_at=payload.expires_at,
    )
    return Status(201, _agency(agency, person))


@router.delete(
    "/agencies/{agency_id}",
    auth=BROWSER_ONLY,
    throttle=[],
    response={200: AgencyOut, 409: ErrorOut, **SIGNED_IN_ERRORS},
    summary="Revoke an authorisation (the company's managers, or the agent)",
)
def agency_delete(request: HttpRequest, agency_id: uuid.UUID) -> dict[str, Any]:
    person = _person(request)
    agency = agency_revoke(
        actor=request.user, agency=agency_get_for_actor(user=request.user, agency_id=agency_id)
    )
    return _agency(agency, person)


@router.post(
    "/me/acting-for",
    auth=BROWSER_ONLY,
    throttle=[],
    response={200: MeOut, **SIGNED_IN_ERRORS},
    summary="Act for myself or for a company",
)
def acting_for_set(request: HttpRequest, payload: ActingForIn) -> dict[str, Any]:
    person = _person(request)
    company = None
    if payload.company_id is not None:
        company = company_related_get(user=request.user, company_id=payload.company_id)
    return _me(person_act_for(person=person, company=company))


@router.get(
    "/me/data-export",
    auth=BROWSER_ONLY,
    throttle=[],
    response={200: dict[str, Any], **SIGNED_IN_ERRORS},
    summary="Everything the platform holds about me (identifiers in full)",
)
def my_data_export(request: HttpRequest) -> dict[str, Any]:
    return person_data_export(person=_person(request))


@router.get(
    "/me/data-views",
    auth=AUTH,
    throttle=[],
    response={200: list[DataViewOut], **SIGNED_IN_ERRORS},
    summary="Who viewed my full ID number or phone number",
)
def my_data_views(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "at": view.created_at,
            "viewer": view.viewer.name or view.viewer.get_username(),
            "department": view.viewer_department,
            "field": view.field,
            "reason": view.reason,
        }
        for view in data_views_of(person=_person(request))
    ]
