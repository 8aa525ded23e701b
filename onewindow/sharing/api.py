"""谁查了我的数据 over the API, in the shape of GovStack Digital Registries' ``/data/myPersonalDataUsage``: every
gateway query about the signed-in person (and the company they act for)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from onewindow.core.errors import NotFound
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_or_token
from onewindow.identity.selectors import person_of, principal_for_user
from onewindow.sharing.selectors import data_usage_of

router = Router(tags=["data sharing"])
USAGE_LIMIT = 500


class DataUsageOut(Schema):
    """One query about me: who (department and official), what (resource and fields), why (case, purpose)."""

    reference: str
    at: datetime
    department: str
    official: str
    resource: str
    fields: list[str]
    case: str
    purpose: str
    outcome: str


@router.get(
    "/data/myPersonalDataUsage",
    auth=session_or_token("profile"),
    throttle=[],
    response={200: list[DataUsageOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="Who queried my data through the data-sharing platform (newest first, at most 500)",
)
def my_personal_data_usage(request: HttpRequest) -> list[dict[str, Any]]:
    person = person_of(request.user)
    if person is None:
        raise NotFound("该账号没有自然人身份信息。")
    principal = principal_for_user(request.user)
    company = principal.company if principal.on_behalf_of is None else None
    return [
        {
            "reference": entry.reference,
            "at": entry.at,
            "department": entry.consumer.name,
            "official": entry.official_label,
            "resource": entry.resource.name,
            "fields": entry.field_labels,
            "case": entry.case_label,
            "purpose": entry.purpose,
            "outcome": entry.outcome,
        }
        for entry in data_usage_of(person=person, company=company)[:USAGE_LIMIT]
    ]
