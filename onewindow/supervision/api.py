"""E-supervision over the API (issue #15), for a department system or the provincial 电子监察 system: the alerts
in the caller's scope, acknowledging them and turning them into supervision orders (督办单), the department's
reply and the supervisor's closing, the breach records and the rules in force. Each endpoint calls the same
selector or service as the workbench (``views.py``), so the scoping (another region's or department's record is
403, an unknown id 404), the rules and the audit entries are the same."""

import datetime as dt
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import BeforeValidator

from onewindow.cases.schemas import CodeLabel, DepartmentRef
from onewindow.core.errors import DomainError
from onewindow.core.pagination import Pages
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_or_token
from onewindow.supervision import selectors, services
from onewindow.supervision.models import (
    Alert,
    AlertKind,
    AlertLevel,
    AlertStatus,
    OrderStatus,
    RuleVersion,
    SupervisionOrder,
)
from onewindow.supervision.rules import RULE_FIELDS, rule_version_current

router = Router(tags=["supervision"])
AUTH = session_or_token("supervision")
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}
TEXT_MAX = services.TEXT_MAX


def _iso_day(value: Any) -> Any:
    # Pydantic reads a number as seconds since 1970 ("0" would be 1970-01-01): a day filter is YYYY-MM-DD only.
    if not isinstance(value, dt.date) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
        raise ValueError("日期格式应为 YYYY-MM-DD。")
    return value


IsoDay = Annotated[dt.date, BeforeValidator(_iso_day)]


class SupervisionAlertOut(Schema):
    """A warning, a card or a breach on one watched object."""

    id: uuid.UUID
    kind: CodeLabel
    level: CodeLabel
    status: CodeLabel
    object_type: str
    object_id: str
    reference: str
    case_id: uuid.UUID | None
    department: DepartmentRef
    person: str | None = Field(..., description="the responsible person; null: the department's head")
    due_on: dt.date | None
    detail: str
    rule_version: int
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None
    order_id: uuid.UUID | None


class SupervisionOrderAlertOut(Schema):
    id: uuid.UUID
    kind: CodeLabel
    level: CodeLabel
    reference: str


class SupervisionOrderOut(Schema):
    """A supervision order (督办单): the department replies by ``reply_due_on``, the supervisor closes it."""

    id: uuid.UUID
    number: str
    status: CodeLabel
    alert: SupervisionOrderAlertOut
    department: DepartmentRef
    instruction: str
    issued_at: dt.datetime
    issued_by: str
    reply_due_on: dt.date
    reply: str
    replied_at: dt.datetime | None
    replied_by: str | None
    closed_at: dt.datetime | None
    closing_note: str


class SupervisionRulesOut(Schema):
    """The rules version in force; every alert names the version that raised it."""

    number: int
    warn_percent: int
    red_after_days: int
    correction_days: int
    delivery_days: int
    order_reply_days: int
    max_limit_days: int
    returns_breach: int
    note: str
    created_at: dt.datetime


class SupervisionAlertListFilter(Schema):
    level: AlertLevel | None = Field(None, description="warning, yellow card, red card or breach")
    status: AlertStatus | None = Field(None, description="open, acknowledged, ordered or closed")
    kind: AlertKind | None = Field(None, description="what is watched (case, task, correction, …)")
    department: uuid.UUID | None = Field(None, description="one department of the caller's scope")
    due_from: IsoDay | None = Field(None, description="due on or after this day")
    due_to: IsoDay | None = Field(None, description="due on or before this day")


class SupervisionBreachListFilter(Schema):
    kind: AlertKind | None = None
    status: AlertStatus | None = None
    department: uuid.UUID | None = None


class SupervisionOrderListFilter(Schema):
    view: Literal["supervisor", "department"] | None = Field(
        None,
        description="`supervisor`: the orders of the watched departments; `department`: those addressed to "
        "my departments. Default: `supervisor` for a supervisor, else `department`",
    )
    status: OrderStatus | None = None


class SupervisionInstructionIn(Schema):
    instruction: str = Field(
        ..., min_length=1, max_length=TEXT_MAX, description="what the department must do"
    )


class SupervisionReplyIn(Schema):
    reply: str = Field(..., min_length=1, max_length=TEXT_MAX, description="what the department has done")


class SupervisionCloseIn(Schema):
    note: str = Field("", max_length=TEXT_MAX)


def _code_label(value: str, label: Any) -> dict[str, str]:
    return {"code": value, "label": str(label)}


def alert_out(alert: Alert) -> dict[str, Any]:
    order = getattr(alert, "order", None)
    return {
        "id": alert.pk,
        "kind": _code_label(alert.kind, alert.get_kind_display()),
        "level": _code_label(alert.level, alert.get_level_display()),
        "status": _code_label(alert.status, alert.get_status_display()),
        "object_type": alert.object_type,
        "object_id": alert.object_id,
        "reference": alert.reference,
        "case_id": alert.case_id,
        "department": {"id": alert.department_id, "name": alert.department.name},
        "person": str(alert.person) if alert.person is not None else None,
        "due_on": alert.due_on,
        "detail": alert.detail,
        "rule_version": alert.rule_version.number,
        "raised_at": alert.raised_at,
        "acknowledged_at": alert.acknowledged_at,
        "closed_at": alert.closed_at,
        "order_id": order.pk if order is not None else None,
    }


def order_out(order: SupervisionOrder) -> dict[str, Any]:
    alert = order.alert
    return {
        "id": order.pk,
        "number": order.number,
        "status": _code_label(order.status, order.get_status_display()),
        "alert": {
            "id": alert.pk,
            "kind": _code_label(alert.kind, alert.get_kind_display()),
            "level": _code_label(alert.level, alert.get_level_display()),
            "reference": alert.reference,
        },
        "department": {"id": order.department_id, "name": order.department.name},
        "instruction": order.instruction,
        "issued_at": order.issued_at,
        "issued_by": str(order.issued_by),
        "reply_due_on": order.reply_due_on,
        "reply": order.reply,
        "replied_at": order.replied_at,
        "replied_by": str(order.replied_by) if order.replied_by is not None else None,
        "closed_at": order.closed_at,
        "closing_note": order.closing_note,
    }


def rules_out(rules: RuleVersion) -> dict[str, Any]:
    return {
        "number": rules.number,
        **{field: getattr(rules, field) for field in RULE_FIELDS},
        "note": rules.note,
        "created_at": rules.created_at,
    }


class Rows:
    """A queryset as rows for the pagination, which counts and slices it in the database."""

    def __init__(self, found: Any, out: Callable[[Any], dict[str, Any]]) -> None:
        self.found, self.out = found, out

    def __len__(self) -> int:
        return int(self.found.count())

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [self.out(row) for row in self.found[page]]


def _alert(request: HttpRequest, alert_id: uuid.UUID) -> Alert:
    return selectors.alert_get_visible(user=request.user, alert_id=alert_id)


def _order(request: HttpRequest, order_id: uuid.UUID) -> SupervisionOrder:
    return selectors.order_get(user=request.user, order_id=order_id)


@router.get(
    "/supervision/alerts",
    auth=AUTH,
    throttle=[],
    response={200: list[SupervisionAlertOut], **ERRORS},
    summary="Alerts and cards of the departments I supervise or work in, newest first",
)
@paginate(Pages, page_size=25)
def alerts_list(request: HttpRequest, filters: Query[SupervisionAlertListFilter]) -> Rows:
    if filters.due_from and filters.due_to and filters.due_from > filters.due_to:
        raise DomainError(code="due_range_invalid", message="到期日期范围有误：开始日期不能晚于结束日期。")
    found = selectors.alerts_visible(
        user=request.user,
        status=filters.status or "",
        level=filters.level or "",
        kind=filters.kind or "",
        department_id=filters.department,
        due_from=filters.due_from,
        due_to=filters.due_to,
    )
    return Rows(found, alert_out)


@router.get(
    "/supervision/alerts/{alert_id}",
    auth=AUTH,
    throttle=[],
    response={200: SupervisionAlertOut, **ERRORS},
    summary="One alert",
)
def alert_detail(request: HttpRequest, alert_id: uuid.UUID) -> dict[str, Any]:
    return alert_out(_alert(request, alert_id))


@router.post(
    "/supervision/alerts/{alert_id}/acknowledge",
    auth=AUTH,
    throttle=[],
    response={200: SupervisionAlertOut, **ERRORS},
    summary="Acknowledge an open alert (签收; supervisors in scope)",
)
def alert_acknowledge(request: HttpRequest, alert_id: uuid.UUID) -> dict[str, Any]:
    alert = services.alert_acknowledge(alert=_alert(request, alert_id), actor=request.user)
    return alert_out(_alert(request, alert.pk))


@router.post(
    "/supervision/alerts/{alert_id}/close",
    auth=AUTH,
    throttle=[],
    response={200: SupervisionAlertOut, **ERRORS},
    summary="Close an alert that needs no order, or whose order is closed (supervisors in scope)",
)
def alert_close(request: HttpRequest, alert_id: uuid.UUID) -> dict[str, Any]:
    alert = services.alert_close(alert=_alert(request, alert_id), actor=request.user)
    return alert_out(_alert(request, alert.pk))


@router.post(
    "/supervision/alerts/{alert_id}/order",
    auth=AUTH,
    throttle=[],
    response={201: SupervisionOrderOut, **ERRORS},
    summary="Turn the alert into a supervision order (督办单) with the rules' reply deadline",
)
def order_issue(request: HttpRequest, alert_id: uuid.UUID, payload: SupervisionInstructionIn) -> Status:
    order = services.order_issue(
        alert=_alert(request, alert_id), actor=request.user, instruction=payload.instruction
    )
    return Status(201, order_out(_order(request, order.pk)))


@router.get(
    "/supervision/orders",
    auth=AUTH,
    throttle=[],
    response={200: list[SupervisionOrderOut], **ERRORS},
    summary="Supervision orders I watch (view=supervisor) or addressed to my departments (view=department)",
)
@paginate(Pages, page_size=25)
def orders_list(request: HttpRequest, filters: Query[SupervisionOrderListFilter]) -> Rows:
    supervisor = selectors.supervisor_is(user=request.user)
    view = filters.view or ("supervisor" if supervisor else "department")
    if view == "supervisor":
        found = selectors.orders_for_supervisor(user=request.user)
    else:
        found = selectors.orders_for_department_staff(user=request.user)
    if filters.status:
        found = found.filter(status=filters.status)
    return Rows(found.order_by("-issued_at", "number"), order_out)


@router.get(
    "/supervision/orders/{order_id}",
    auth=AUTH,
    throttle=[],
    response={200: SupervisionOrderOut, **ERRORS},
    summary="One supervision order",
)
def order_detail(request: HttpRequest, order_id: uuid.UUID) -> dict[str, Any]:
    return order_out(_order(request, order_id))


@router.post(
    "/supervision/orders/{order_id}/reply",
    auth=AUTH,
    throttle=[],
    response={200: SupervisionOrderOut, **ERRORS},
    summary="The supervised department's reply (整改落实情况)",
)
def order_reply(request: HttpRequest, order_id: uuid.UUID, payload: SupervisionReplyIn) -> dict[str, Any]:
    order = services.order_reply(order=_order(request, order_id), actor=request.user, reply=payload.reply)
    return order_out(_order(request, order.pk))


@router.post(
    "/supervision/orders/{order_id}/close",
    auth=AUTH,
    throttle=[],
    response={200: SupervisionOrderOut, **ERRORS},
    summary="Accept the reply and close the order and its alert (办结; supervisors in scope)",
)
def order_close(request: HttpRequest, order_id: uuid.UUID, payload: SupervisionCloseIn) -> dict[str, Any]:
    order = services.order_close(order=_order(request, order_id), actor=request.user, note=payload.note)
    return order_out(_order(request, order.pk))


@router.get(
    "/supervision/breaches",
    auth=AUTH,
    throttle=[],
    response={200: list[SupervisionAlertOut], **ERRORS},
    summary="Breach records (违规记录) of the departments I supervise or work in",
)
@paginate(Pages, page_size=25)
def breaches_list(request: HttpRequest, filters: Query[SupervisionBreachListFilter]) -> Rows:
    found = selectors.alerts_visible(
        user=request.user,
        level=AlertLevel.BREACH,
        kind=filters.kind or "",
        status=filters.status or "",
        department_id=filters.department,
    )
    return Rows(found, alert_out)


@router.get(
    "/supervision/rules",
    auth=AUTH,
    throttle=[],
    response={200: SupervisionRulesOut, **ERRORS},
    summary="The supervision rules version in force",
)
def rules_current(request: HttpRequest) -> dict[str, Any]:
    selectors.supervisor_required(user=request.user)
    return rules_out(rule_version_current())
