"""Service centres, public: each centre with its comprehensive window, the departments and items stationed
there (进驻) and its share of items stationed (进驻率) — what the centre's public page shows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.halls import selectors
from onewindow.halls.models import ServiceCentre

router = Router(tags=["halls"])


class CentreOut(Schema):
    id: uuid.UUID
    name: str
    kind: str = Field(description="centre 政务服务中心 | township 便民服务中心 | village 便民服务站")
    region_code: str
    region: str
    address: str
    opening_hours: str
    phone: str
    window_department: str = Field(description="the department running the comprehensive window 综合窗口")


class StationedItemOut(Schema):
    implementation_code: str
    name: str
    stationed_on: dt.date


class StationingOut(Schema):
    department: str
    department_code: str = Field(description="the department's unified social credit code")
    mode: str = Field(description="comprehensive (综合窗口受理) | department (部门窗口)")
    stationed_on: dt.date
    items: list[StationedItemOut]


class StationingRateOut(Schema):
    stationed: int
    total: int = Field(description="published items of the departments in the centre's region")
    percent: float


class CentreDetailOut(CentreOut):
    stationings: list[StationingOut]
    stationing_rate: StationingRateOut


def _centre_body(centre: ServiceCentre) -> dict[str, Any]:
    return {
        "id": centre.pk,
        "name": centre.name,
        "kind": centre.kind,
        "region_code": centre.region.code,
        "region": centre.region.name,
        "address": centre.address,
        "opening_hours": centre.opening_hours,
        "phone": centre.phone,
        "window_department": centre.window_department.name,
    }


@router.get("/halls/centres", response={200: list[CentreOut], **COMMON_ERRORS}, summary="Service centres")
def centres(request: HttpRequest) -> Any:
    return [_centre_body(centre) for centre in selectors.centres_list()]


@router.get(
    "/halls/centres/{centre_id}",
    response={200: CentreDetailOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="A service centre with its stationed departments and items and its 进驻率",
)
def centre(request: HttpRequest, centre_id: uuid.UUID) -> Any:
    found = selectors.centre_get(centre_id=centre_id)
    rate = selectors.centre_stationing_rate(centre=found)
    return _centre_body(found) | {
        "stationings": [
            {
                "department": stationing.department.name,
                "department_code": stationing.department.credit_code,
                "mode": stationing.mode,
                "stationed_on": stationing.stationed_on,
                "items": [
                    {
                        "implementation_code": row.item.implementation_code,
                        "name": row.item.published_version.name
                        if row.item.published_version
                        else str(row.item),
                        "stationed_on": row.stationed_on,
                    }
                    for row in stationing.items.all()
                ],
            }
            for stationing in found.stationings.all()
        ],
        "stationing_rate": {"stationed": rate.stationed, "total": rate.total, "percent": rate.percent},
    }
