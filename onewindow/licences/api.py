"""Public licence API: verification and the published signing keys. No login; both count against the
per-address public look-up budget (the API's default throttle)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params import P, PathEx, QueryEx
from pydantic import Field

from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.schemas import COMMON_ERRORS
from onewindow.licences.models import SigningKey
from onewindow.licences.selectors import (
    VerificationResult,
    licence_verify_answer,
    licences_by_number,
    public_keys,
)

router = Router(tags=["licences"])


class FaceFieldOut(Schema):
    key: str
    label: str
    value: str


class VerifiedLicenceOut(Schema):
    type_code: str
    type_name: str
    number: str
    version: int
    status: str = Field(description="valid | suspended | revoked | expired | superseded (as stored)")
    issuer: str
    issuer_code: str = Field(description="the issuing department's unified social credit code")
    holder: str = Field(description="the holder, a citizen's name and ID number masked")
    holder_type: str = Field(description="111 citizen ID number, 001 unified social credit code")
    face: dict[str, str]
    face_fields: list[FaceFieldOut] = Field(description="the face fields in the type's order, with labels")
    issued_on: dt.date
    valid_from: dt.date
    valid_until: dt.date | None = Field(description="null: long-term (长期有效)")
    key_id: str = Field(description="the signing key; its public key is at /api/v1/licences/keys")
    algorithm: str
    signed_at: dt.datetime
    previous_identifier: str = Field(description="the licence this one renewed or changed, if any")


class VerificationOut(Schema):
    identifier: str
    outcome: str = Field(
        description="valid | expired | revoked | suspended | superseded | not_yet_valid | unknown"
    )
    valid: bool = Field(
        description="the one answer to rely on: true only when the outcome is valid and the signature checks"
    )
    signature_valid: bool = Field(
        description="the signature checks against the data as stored now; false means tampering"
    )
    successor_identifier: str = Field("", description="for a superseded licence, the licence replacing it")
    licence: VerifiedLicenceOut | None = Field(None, description="null when the outcome is unknown")


class PublicKeyOut(Schema):
    key_id: str
    algorithm: str = Field(description="sm2-sm3 (signer ID 1234567812345678) or ed25519")
    department: str
    department_code: str
    status: str = Field(description="active (signs new licences) or retired (verifies earlier ones)")
    public_key_pem: str = Field(description="SubjectPublicKeyInfo PEM")
    created_at: dt.datetime
    retired_at: dt.datetime | None


def _face_fields(result: VerificationResult) -> list[dict[str, str]]:
    assert result.licence is not None
    labels = {
        str(field.get("key")): str(field.get("label") or field.get("key"))
        for field in result.licence.licence_type.face_fields
        if isinstance(field, dict)
    }
    ordered = [key for key in labels if key in result.face] + [
        key for key in result.face if key not in labels
    ]
    return [{"key": key, "label": labels.get(key, key), "value": str(result.face[key])} for key in ordered]


def verification_body(result: VerificationResult) -> dict[str, Any]:
    """The API's answer for a verification (also what the benchmark measures)."""
    body: dict[str, Any] = {
        "identifier": result.identifier,
        "outcome": result.outcome,
        "valid": result.is_valid,
        "signature_valid": result.signature_valid,
        "successor_identifier": result.successor_identifier,
        "licence": None,
    }
    licence = result.licence
    if licence is not None:
        body["licence"] = {
            "type_code": licence.type_code,
            "type_name": licence.type_name,
            "number": licence.number,
            "version": licence.version,
            "status": licence.status,
            "issuer": licence.issuer_name,
            "issuer_code": licence.issuer_code,
            "holder": result.holder_masked,
            "holder_type": licence.holder_type,
            "face": {key: str(value) for key, value in result.face.items()},
            "face_fields": _face_fields(result),
            "issued_on": licence.issued_on,
            "valid_from": licence.valid_from,
            "valid_until": licence.valid_until,
            "key_id": licence.signing_key.key_id,
            "algorithm": licence.signing_key.algorithm,
            "signed_at": licence.signed_at,
            "previous_identifier": licence.previous.identifier
            if licence.previous_id and licence.previous
            else "",
        }
    return body


@router.get(
    "/licences/verify/{identifier}",
    response={200: VerificationOut, **COMMON_ERRORS},
    summary="Verify an e-licence by its identifier (public, rate limited)",
    description="Answers the licence's outcome and whether its signature checks against the stored data, "
    "with the face fields and the holder masked. A well-formed identifier the library does not hold "
    "answers `outcome: unknown`; a malformed one is refused with 400 `licence.identifier_invalid`.",
)
def licence_verify_public(
    request: HttpRequest,
    identifier: PathEx[str, P(max_length=160, description="the GB/T 36904 licence identifier")],
) -> Any:
    return licence_verify_answer(identifier, _verification_body_or_refusal)


def _verification_body_or_refusal(result: VerificationResult) -> dict[str, Any]:
    if result.problems:
        raise DomainError(
            code="licence.identifier_invalid",
            message="证照标识格式不正确：" + "".join(result.problems),
            problems=[
                FieldProblem(field="identifier", code="licence.identifier_invalid", message=problem)
                for problem in result.problems
            ],
        )
    return verification_body(result)


@router.get(
    "/licences/verify-by-number",
    response={200: list[VerificationOut], **COMMON_ERRORS},
    summary="Verify e-licences by their printed number and issuer (public, rate limited)",
    description="For a paper copy without the identifier: the licences with this number (证照编号) issued by "
    "this department (its unified social credit code, or its name as printed), each verified as by "
    "identifier. Numbers are unique per licence type, so a list (usually of one); empty when none matches.",
)
def licence_verify_by_number_public(
    request: HttpRequest,
    number: QueryEx[str, P(min_length=1, max_length=64, description="the licence number printed on it")],
    issuer: QueryEx[
        str, P(min_length=1, max_length=200, description="the issuer's credit code or its printed name")
    ],
) -> Any:
    return [verification_body(result) for result in licences_by_number(number=number, issuer=issuer)]


def _key_body(key: SigningKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "algorithm": key.algorithm,
        "department": key.department.name,
        "department_code": key.department.credit_code,
        "status": key.status,
        "public_key_pem": key.public_key,
        "created_at": key.created_at,
        "retired_at": key.retired_at,
    }


@router.get(
    "/licences/keys",
    response={200: list[PublicKeyOut], **COMMON_ERRORS},
    summary="The public keys licences are signed with, for verifying offline (public, rate limited)",
)
def licence_keys_public(request: HttpRequest) -> Any:
    return [_key_body(key) for key in public_keys()]
