"""Demo e-licences: a licence type for every licence the demo catalogue's items produce (issued by the
department of the item that most often produces it, face fields taken from that item's application form), a
signing key for each issuing department, and a few licences for the demo people and company — one revoked, one
expiring within 30 days — so the wallet, verification and reuse can be tried at once.

Everything goes through the licence services (signed, audited, lifecycle events) and only where missing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.demo.catalogue_import import demo_item_keys
from onewindow.demo.identity import DEMO_COMPANY_CREDIT_CODE
from onewindow.identity.models import Company, Person
from onewindow.identity.services.people import person_by_identifier
from onewindow.licences.models import (
    KeyStatus,
    Licence,
    LicenceStatus,
    LicenceType,
    SignatureAlgorithm,
    SigningKey,
)
from onewindow.licences.services import licence_issue, licence_revoke, licence_type_create, signing_key_create
from onewindow.organisations.models import Department, Role

# The demo catalogue's e-licence type codes (GB/T 36904: the issuing ministry's credit code + a 3-digit
# sequence) that this module names; the items carry them in their 证照类型代码.
LICENCE = {
    "business-licence": "11100000000013127D001",
    "id-card": "11100000MB0148400N001",
    "driving-licence": "11100000MB0148400N010",
    "vehicle-licence": "11100000MB0148400N011",
    "passport": "11100000MB0148400N020",
    "food-business-licence": "11100000000013127D010",
    "drug-retail-licence": "11100000000013127D020",
    "social-security-card": "11100000MB0172520T001",
    "road-transport-licence": "11100000000019713D001",
    "pollutant-permit": "11100000MB1592543U001",
}
# The applicant's own fields every demo application form starts with (not face fields of a licence).
APPLICANT_FIELDS = {
    "applicant_name",
    "id_number",
    "mobile",
    "address",
    "company_name",
    "credit_code",
    "legal_representative",
    "contact_name",
    "contact_mobile",
}
# Years of validity per licence (the law's terms); a licence not listed is long-term (长期有效).
VALIDITY_YEARS = {
    LICENCE["food-business-licence"]: 5,  # 食品经营许可管理办法 第五十三条
    LICENCE["drug-retail-licence"]: 5,  # 药品管理法实施条例 第十六条
    LICENCE["driving-licence"]: 6,  # 机动车驾驶证申领和使用规定 第二十五条 (first licence)
    LICENCE["passport"]: 10,
    LICENCE["id-card"]: 20,
    LICENCE["road-transport-licence"]: 4,
    LICENCE["pollutant-permit"]: 5,
    "11100000000013127D011": 5,  # 食品生产许可证
}
# The item's result name is sometimes a bundle of papers; the licence is one of them.
NAMES = {LICENCE["vehicle-licence"]: "机动车行驶证"}
# Form fields about the procedure (how to collect, when to come), not about the licence.
PROCEDURE_FIELDS = {
    "delivery",
    "appointment",
    "plate_choice",
    "home_assessment",
    "has_children",
    "transfer_reason",
}
MAX_FACE_FIELDS = 6


@dataclass(frozen=True)
class DemoLicence:
    licence: str  # key in LICENCE
    holder: str  # a demo citizen's phone, or "company"
    # Days before today the validity started (None: today); lets one licence expire soon.
    started_days_ago: int | None = None
    revoked: bool = False


DEMO_LICENCES = [
    DemoLicence("business-licence", "company", started_days_ago=400),
    # Five years less 20 days ago: expires in about 20 days, inside the 30-day reminder window.
    DemoLicence("food-business-licence", "company", started_days_ago=5 * 365 - 20),
    DemoLicence("drug-retail-licence", "company", started_days_ago=200, revoked=True),
    DemoLicence("driving-licence", "13900000002", started_days_ago=30),
    DemoLicence("social-security-card", "13900000003", started_days_ago=90),
]


def _demo_specs() -> list[dict[str, Any]]:
    """The demo items' published guides (department, popularity, licence, form), in the catalogue's order."""
    codes = list(demo_item_keys().values())
    items = {
        item.implementation_code: item
        for item in Item.objects.filter(implementation_code__in=codes)
        .exclude(published_version=None)
        .select_related("published_version", "department")
    }
    specs = []
    for code in codes:
        if (item := items.get(code)) is not None and (version := item.published_version) is not None:
            guide = {
                "licence_type_code": version.licence_type_code,
                "form_schema": version.form_schema,
                "form_ui": version.form_ui,
                "result_name": version.result_name,
            }
            specs.append({"department": item.department, "popularity": item.popularity, "guide": guide})
    return specs


def _primary_specs() -> dict[str, dict[str, Any]]:
    """For each licence code, the demo item that most often produces it (highest popularity)."""
    primary: dict[str, dict[str, Any]] = {}
    for spec in _demo_specs():
        code = spec["guide"].get("licence_type_code")
        if code and (code not in primary or spec["popularity"] > primary[code]["popularity"]):
            primary[code] = spec
    return primary


def _face_fields(spec: dict[str, Any]) -> list[dict[str, str]]:
    """The item's own form fields that describe the licence (not the applicant's details, not procedure)."""
    applicant_fields = APPLICANT_FIELDS
    properties = spec["guide"]["form_schema"].get("properties", {})
    # The form's display order (its UI hints): a JSON object's key order is not kept by every database.
    order = [key for key in spec["guide"]["form_ui"].get("order", []) if key in properties]
    fields = []
    for key in order + [key for key in properties if key not in order]:
        schema = properties[key]
        if key in applicant_fields or key in PROCEDURE_FIELDS:
            continue
        kind = schema.get("type")
        scalar = kind in ("string", "number", "integer", "boolean")
        choices = kind == "array" and "enum" in schema.get("items", {})
        if scalar or choices:
            fields.append({"key": key, "label": schema.get("title") or key, "source": f"form.{key}"})
    return fields[:MAX_FACE_FIELDS]


def _face_values(spec: dict[str, Any], face_fields: list[dict[str, str]]) -> dict[str, str]:
    """Face values from the form's own examples (the sample the guide shows)."""
    properties = spec["guide"]["form_schema"].get("properties", {})
    face = {}
    for field in face_fields:
        example = (properties[field["key"]].get("examples") or [""])[0]
        if isinstance(example, bool):
            example = "是" if example else "否"
        elif isinstance(example, list):
            example = "、".join(str(value) for value in example)
        face[field["key"]] = str(example)
    return face


def _type_name(code: str, spec: dict[str, Any]) -> str:
    # 居民户口簿（增加新生儿户口页）→ 居民户口簿: the note says what the case adds, not what the paper is.
    return NAMES.get(code) or re.sub(r"（[^）]*）$", "", spec["guide"]["result_name"])


def _licence_types(departments: dict[str, Department], created: dict[str, int]) -> dict[str, LicenceType]:
    types = {t.code: t for t in LicenceType.objects.select_related("issuer")}
    for code, spec in _primary_specs().items():
        if code in types:
            continue
        types[code] = licence_type_create(
            department=spec["department"],
            code=code,
            name=_type_name(code, spec),
            face_fields=_face_fields(spec),
            validity_years=VALIDITY_YEARS.get(code),
            actor=None,
        )
        created["licence_types"] += 1
    return types


def _signing_keys(types: dict[str, LicenceType], created: dict[str, int]) -> None:
    issuers = {t.issuer_id: t.issuer for t in types.values()}
    with_keys = set(
        SigningKey.objects.filter(status=KeyStatus.ACTIVE, department_id__in=issuers).values_list(
            "department_id", flat=True
        )
    )
    for department_id, department in issuers.items():
        if department_id not in with_keys:
            signing_key_create(department=department, algorithm=SignatureAlgorithm.SM2_SM3, actor=None)
            created["signing_keys"] += 1


def _holder(demo: DemoLicence) -> tuple[Person | None, Company | None]:
    if demo.holder == "company":
        return None, Company.objects.get(credit_code=DEMO_COMPANY_CREDIT_CODE)
    return person_by_identifier(demo.holder), None


def _lifecycle_actor(department: Department) -> Any:
    """A demo approver or department administrator of the issuing department (revocation needs one)."""
    return (
        get_user_model()
        .objects.filter(
            memberships__department=department, memberships__role__in=[Role.APPROVER, Role.DEPARTMENT_ADMIN]
        )
        .order_by("username")
        .first()
    )


def licences_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create whatever part of the licence demo is missing; return how many of each thing were created."""
    created = {"licence_types": 0, "signing_keys": 0, "licences": 0}
    types = _licence_types(departments, created)
    _signing_keys(types, created)
    primary = _primary_specs()
    for demo in DEMO_LICENCES:
        code = LICENCE[demo.licence]
        licence_type = types[code]
        holder_person, holder_company = _holder(demo)
        if holder_person is None and holder_company is None:
            continue
        held = Licence.objects.filter(
            licence_type=licence_type, holder_person=holder_person, holder_company=holder_company
        )
        if held.exists():
            continue
        started = None
        if demo.started_days_ago is not None:
            started = clock.today() - dt.timedelta(days=demo.started_days_ago)
        licence = licence_issue(
            licence_type=licence_type,
            holder_person=holder_person,
            holder_company=holder_company,
            face=_face_values(primary[code], licence_type.face_fields),
            actor=None,
            valid_from=started,
        )
        created["licences"] += 1
        actor = _lifecycle_actor(licence_type.issuer)
        if demo.revoked and actor is not None and licence.status == LicenceStatus.VALID:
            licence_revoke(
                licence=licence,
                actor=actor,
                reason="经营场所不符合药品经营质量管理规范，逾期未改正",
                basis="《中华人民共和国药品管理法》第一百二十六条",
            )
    return created
