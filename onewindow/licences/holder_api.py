"""Department systems' look-up of a holder's licences (OIDC bearer token with the ``licences`` scope), logged
and shown to the holder."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_or_token
from onewindow.licences.models import Licence
from onewindow.licences.selectors import holder_code_masked, holder_name_masked
from onewindow.licences.services.reuse import licence_query_for_case
from onewindow.licences.wallet_selectors import face_rows

router = Router(tags=["licences"])
AUTH = session_or_token("licences")
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, **COMMON_ERRORS}


class LicenceQueryIn(Schema):
    case_number: str = Field(..., max_length=64, description="the case the licences are needed for")
    # Required, but checked by the service so a missing purpose is the same clear 400 as an empty one.
    purpose: str = Field(
        "", max_length=200, description="why the department looks them up (shown to the holder); required"
    )


class HolderOut(Schema):
    type: str = Field(
        ..., description="holder code type: 111 citizen ID number, 001 unified social credit code"
    )
    name: str = Field(..., description="masked for persons")
    code: str = Field(..., description="a citizen ID number masked; a credit code in full")


class FaceFieldOut(Schema):
    label: str
    value: str


class QueriedLicenceOut(Schema):
    identifier: str
    type_code: str
    type_name: str
    number: str
    issuer: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None = Field(..., description="null: long-term")
    status: str
    holder: HolderOut
    face: list[FaceFieldOut]


class LicenceQueryOut(Schema):
    access_id: uuid.UUID = Field(..., description="the look-up record the holder sees")
    case_number: str
    licences: list[QueriedLicenceOut]


def _licence_out(licence: Licence) -> dict[str, Any]:
    return {
        "identifier": licence.identifier,
        "type_code": licence.type_code,
        "type_name": licence.type_name,
        "number": licence.number,
        "issuer": licence.issuer_name,
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "status": licence.status,
        "holder": {
            "type": licence.holder_type,
            "name": holder_name_masked(licence),
            "code": holder_code_masked(licence),
        },
        "face": [{"label": label, "value": str(value)} for label, value in face_rows(licence)],
    }


@router.post(
    "/licences/query",
    auth=AUTH,
    throttle=[],
    response={200: LicenceQueryOut, **ERRORS},
    summary="A case applicant's valid licences, for the department handling the case",
    description=(
        "For department systems (bearer token with the `licences` scope) and staff: the caller must hold a "
        "handling role (window clerk, reviewer, approver) in the department handling the case. Only licences "
        "of the types the case needs are returned: those its item's materials take from the library, and the "
        "type the item itself issues (a renewal or change concerns the holder's current licence of it). "
        "Every call is logged and shown to the holder under 用证记录. 400 `licence.query_purpose_required` "
        "without a purpose; 404 for an unknown case number; 403 for another department's case or a role "
        "that does not handle cases; 409 `licence.query_case_closed` for a case concluded, delivered, "
        "withdrawn or not accepted."
    ),
)
def licence_query(request: HttpRequest, body: LicenceQueryIn) -> dict[str, Any]:
    token = getattr(request, "access_token", None)
    application = getattr(token, "application", None)
    access, licences = licence_query_for_case(
        user=request.user,
        case_number=body.case_number,
        purpose=body.purpose,
        client_id=getattr(application, "client_id", "") or "",
        client_name=getattr(application, "name", "") or "",
    )
    return {
        "access_id": access.pk,
        "case_number": access.case_number,
        "licences": [_licence_out(licence) for licence in licences],
    }
