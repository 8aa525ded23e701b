"""好差评 over the API: the applicant's rating of an ended case, the operator's gateway posting SMS replies and
keypad answers, and the month's public statistics (never a rater's identity)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from onewindow.cases.api_shapes import AUTH, ERRORS
from onewindow.core.errors import NotFound
from onewindow.core.plugins import plugin
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.ratings import selectors, services
from onewindow.ratings.models import Channel

router = Router(tags=["ratings"])


class RatingIn(Schema):
    level: int = Field(ge=1, le=5, description="1 非常满意 … 5 非常不满意 (4 and 5 are 差评)")
    channel: str = Field("web", description="web | mobile | qr")
    indicators: dict[str, int] = Field(
        default_factory=dict,
        description="online: efficiency, guide_accuracy, convenience, usability; offline (walk-in): "
        "efficiency, service_level, attitude — each 1–5, all optional",
    )
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    id: uuid.UUID
    level: int
    channel: str
    rated_at: dt.datetime
    bad: bool = Field(description="差评: a rectification work item was opened for the handling department")


class InboundOut(Schema):
    rating_id: uuid.UUID
    level: int


class FiguresOut(Schema):
    ratings: int
    positive_rate: float | None = Field(description="好评率 %: levels 1–3 ÷ all")
    bad: int
    rectified_in_time: int
    rectification_rate: float | None = Field(
        description="差评整改率 %: bad ratings fixed in time ÷ bad ratings"
    )


class ChannelOut(Schema):
    channel: str
    counts: list[int] = Field(description="ratings per level, 1 … 5")
    total: int
    positive_rate: float | None


class DepartmentFiguresOut(FiguresOut):
    department: str


class ItemFiguresOut(FiguresOut):
    implementation_code: str
    item: str
    department: str


class ReportOut(Schema):
    month: str
    overall: FiguresOut
    by_channel: list[ChannelOut]
    departments: list[DepartmentFiguresOut]
    items: list[ItemFiguresOut]


def _figures(f: selectors.Figures) -> dict[str, Any]:
    return {
        "ratings": f.total,
        "positive_rate": f.good_rate,
        "bad": f.bad,
        "rectified_in_time": f.rectified,
        "rectification_rate": f.rectify_rate,
    }


@router.post(
    "/cases/{case_id}/rating",
    auth=AUTH,
    response={201: RatingOut, **ERRORS},
    summary="Rate the handling of my ended case (once per handling; staff cannot rate for the applicant)",
)
def rating_create(request: HttpRequest, case_id: uuid.UUID, payload: RatingIn) -> Any:
    case = selectors.rateable_case_get(user=request.user, case_id=case_id)
    rating = services.rating_submit(
        case=case,
        rater=request.user,
        channel=payload.channel,
        level=payload.level,
        indicators=dict(payload.indicators),
        comment=payload.comment,
    )
    return Status(
        201,
        {
            "id": rating.pk,
            "level": rating.level,
            "channel": rating.channel,
            "rated_at": rating.rated_at,
            "bad": rating.is_bad,
        },
    )


@router.post(
    "/ratings/inbound/{channel}",
    auth=None,
    response={201: InboundOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS},
    summary="The operator's gateway posts an SMS reply or a phone keypad answer (`sms` | `phone`)",
)
def rating_inbound(request: HttpRequest, channel: str) -> Any:
    if channel not in (Channel.SMS, Channel.PHONE):
        raise NotFound()
    message = plugin("ratings_inbound").parse(
        body=request.body, signature=request.headers.get("X-Signature", "")
    )
    rating = services.rating_inbound_submit(phone=message.phone, text=message.text, channel=channel)
    return Status(201, {"rating_id": rating.pk, "level": rating.level})


@router.get(
    "/ratings/report/{month}",
    response={200: ReportOut, 404: ErrorOut, **COMMON_ERRORS},
    summary="The month's public 好差评 statistics (YYYY-MM)",
)
def ratings_report(request: HttpRequest, month: str) -> Any:
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise NotFound("月份格式应为 YYYY-MM。") from None
    report = selectors.report_month(month=first)
    return {
        "month": f"{first:%Y-%m}",
        "overall": _figures(report.overall),
        "by_channel": [
            {
                "channel": row["channel"],
                "counts": row["counts"],
                "total": row["total"],
                "positive_rate": row["good_rate"],
            }
            for row in report.by_channel
        ],
        "departments": [
            {"department": row["name"], **_figures(row["figures"])} for row in report.departments
        ],
        "items": [
            {
                "implementation_code": row["code"],
                "item": row["name"],
                "department": row["department"],
                **_figures(row["figures"]),
            }
            for row in report.items
        ],
    }
