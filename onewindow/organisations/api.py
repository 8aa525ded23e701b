"""Regions and departments: public reads; platform administrators register departments."""

import uuid

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from onewindow.core.errors import DomainError, PermissionDenied
from onewindow.core.identifiers import credit_code_check
from onewindow.core.pagination import Pages
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.core.session_auth import BrowserSessionAuth
from onewindow.organisations.models import BodyNature, Department, ExerciseLevel, Region
from onewindow.organisations.selectors import (
    department_get,
    departments_list,
    region_find,
    regions_list,
    staff_is_platform_admin,
)
from onewindow.organisations.services import department_create

router = Router(tags=["organisations"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None = Field(None, alias="parent.code")


class RegionFilter(Schema):
    parent: str | None = Field(None, max_length=12, description="parent division code")
    level: int | None = Field(None, ge=1, le=5, description="1 province … 5 village")


class DepartmentOut(Schema):
    id: uuid.UUID
    name: str
    short_name: str
    credit_code: str
    region_code: str = Field(alias="region.code")
    region_name: str = Field(alias="region.name")
    level: int
    nature: int
    parent_id: uuid.UUID | None = None


class DepartmentFilter(Schema):
    region: str | None = Field(None, max_length=12, description="division code; includes sub-regions")
    q: str | None = Field(None, max_length=100, description="name, short name or credit code")


class DepartmentIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    short_name: str = Field("", max_length=50)
    credit_code: str = Field(min_length=1, max_length=32)
    region_code: str = Field(min_length=6, max_length=12)
    level: ExerciseLevel
    nature: BodyNature = BodyNature.STATUTORY
    parent_id: uuid.UUID | None = None
    override_reason: str = Field(
        "", max_length=300, description="required when the credit code fails its checksum"
    )


class CreditCodeOut(Schema):
    code: str
    checksum_ok: bool
    warnings: list[str]


@router.get(
    "/regions", response={200: list[RegionOut], **COMMON_ERRORS}, summary="The administrative division tree"
)
@paginate(Pages, page_size=100)
def regions(request: HttpRequest, filters: Query[RegionFilter]) -> list[Region]:
    return regions_list(parent_code=filters.parent, level=filters.level)  # type: ignore[return-value]


@router.get(
    "/departments",
    response={200: list[DepartmentOut], **COMMON_ERRORS},
    summary="Departments (implementing bodies)",
)
@paginate(Pages, page_size=50)
def departments(request: HttpRequest, filters: Query[DepartmentFilter]) -> list[Department]:
    return departments_list(region_code=filters.region, q=filters.q)  # type: ignore[return-value]


@router.get(
    "/departments/{department_id}",
    response={200: DepartmentOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="One department",
)
def department(request: HttpRequest, department_id: uuid.UUID) -> Department:
    return department_get(department_id=department_id)


@router.post(
    "/departments",
    auth=BrowserSessionAuth(),
    response={201: DepartmentOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="Register a department (platform administrators)",
    throttle=[],
)
def department_register(request: HttpRequest, payload: DepartmentIn) -> Status:
    if not staff_is_platform_admin(user=request.user):
        raise PermissionDenied("只有平台管理员可以登记部门。")
    region = region_find(code=payload.region_code)
    if region is None:
        raise DomainError(
            code="department.region_unknown", message=f"行政区划代码“{payload.region_code}”不存在。"
        )
    parent = None
    if payload.parent_id is not None:
        parent = department_get(department_id=payload.parent_id)
    created = department_create(
        actor=request.user,
        name=payload.name,
        short_name=payload.short_name,
        credit_code=payload.credit_code,
        region=region,
        level=int(payload.level),
        nature=int(payload.nature),
        parent=parent,
        override_reason=payload.override_reason,
    )
    return Status(201, created)


@router.get(
    "/credit-codes/{code}",
    response={200: CreditCodeOut, **COMMON_ERRORS},
    summary="Check a unified social credit code",
)
def credit_code(request: HttpRequest, code: str) -> CreditCodeOut:
    check = credit_code_check(code[:32])
    return CreditCodeOut(code=check.code, checksum_ok=check.checksum_ok, warnings=list(check.warnings))
