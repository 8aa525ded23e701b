"""The cases workbench: the department queue, one case with the actions its state and the clerk's role
allow (pre-review, correction, acceptance, special procedures, extension, conclusion, delivery) and the dated
notices as PDFs. Walk-in filing at the window (双轨) is in ``walk_in_views``."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onewindow.cases import selectors, services
from onewindow.cases.hooks import case_notes
from onewindow.cases.models import OPEN_STATUSES, Case, CaseStatus, ExtensionStatus, ProcedureKind
from onewindow.cases.notices import notice_filename, notice_links, notice_pdf
from onewindow.cases.notifications import case_notifications
from onewindow.cases.staff_forms import (
    AcceptForm,
    CaseActionForm,
    ConcludeForm,
    CorrectionForm,
    DeliverForm,
    ExtendForm,
    ExtensionDecideForm,
    ProcessStartForm,
    RefuseForm,
    ResumeForm,
    SuspendForm,
)
from onewindow.catalogue.forms_render import schema_to_fields
from onewindow.catalogue.models import Material
from onewindow.catalogue.pdf import pdf_response
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.errors import PermissionDenied as DomainPermissionDenied
from onewindow.core.masking import mask_name
from onewindow.core.view_helpers import refusals_as_http
from onewindow.halls.selectors import (
    collection_centre,
    comprehensive_window_serves,
)
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_memberships
from onewindow.workdays.calendar import WorkCalendar

CASES_PER_PAGE = 25
# Amber once this share of the time limit is left (and at least one working day).
WARN_SHARE = 0.2
PRE_REVIEW_DAYS = 5


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    statuses: tuple[str, ...]
    # Every clock past its date, whatever the state: pre-review, decision or licence delivery (e-supervision).
    overdue: bool = False


TABS = (
    Tab("submitted", _("Awaiting pre-review"), (CaseStatus.SUBMITTED,)),
    Tab("correction", _("Awaiting correction"), (CaseStatus.CORRECTION_REQUESTED,)),
    Tab("open", _("Accepted / in process"), (CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS)),
    Tab("suspended", _("Suspended"), (CaseStatus.SUSPENDED,)),
    Tab("to_deliver", _("To deliver"), (CaseStatus.CONCLUDED,)),
    Tab("concluded", _("Concluded"), (CaseStatus.CONCLUDED, CaseStatus.DELIVERED)),
    Tab("overdue", _("Overdue"), (), overdue=True),
    Tab("all", _("All"), ()),
)


def staff_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in staff holding a role in some department; domain refusals become 403 / 404 pages."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not staff_memberships(user=request.user).exists():
            raise PermissionDenied
        with refusals_as_http():
            return view(request, *args, **kwargs)

    return wrapper


# --- the queue -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Urgency:
    """The marker beside a due date: ``overdue`` (red), ``soon`` (amber), ``paused`` or ``""``."""

    due_on: dt.date | None
    level: str
    days_left: int | None


def case_urgency(case: Case, calendar: WorkCalendar, today: dt.date) -> Urgency:
    """How close a case is to its limit: the pre-review window before acceptance, the legal clock after."""
    if case.status in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED):
        due_on, limit = case.intake_due_on, PRE_REVIEW_DAYS
        if case.status == CaseStatus.CORRECTION_REQUESTED:
            return Urgency(due_on, "", None)  # the applicant's turn: the clerk's window is closed
    elif case.status in OPEN_STATUSES and case.deadline is not None:
        due_on, limit = case.deadline.due_on, case.deadline.working_days
        if case.status == CaseStatus.SUSPENDED:
            return Urgency(due_on, "paused", None)
    elif case.status == CaseStatus.CONCLUDED and case.delivery_deadline is not None:
        # 行政许可法 art. 44: the licence is delivered within 10 working days of the decision.
        due_on, limit = case.delivery_deadline.due_on, case.delivery_deadline.working_days
    else:
        return Urgency(case.due_on, "", None)
    if due_on is None:
        return Urgency(None, "", None)
    left = calendar.working_days_between(today, due_on)
    if left < 0:
        return Urgency(due_on, "overdue", left)
    warn_at = max(1, math.ceil(limit * WARN_SHARE))
    return Urgency(due_on, "soon" if left <= warn_at else "", left)


@staff_required
def case_queue(request: HttpRequest) -> HttpResponse:
    """The department's cases by tab, oldest receipt first, searchable by number, applicant or item."""
    tabs = {tab.key: tab for tab in TABS}
    tab = tabs.get(request.GET.get("tab", ""), TABS[0])
    cases = selectors.cases_for_department(user=request.user)
    counts: dict[str, int] = dict(
        cases.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    q = request.GET.get("q", "").strip()[:100]
    if q:
        cases = cases.filter(selectors.case_search(q))
    today = clock.today()
    overdue_count = cases.filter(selectors.case_overdue(today)).count()
    if tab.statuses:
        cases = cases.filter(status__in=tab.statuses)
    elif tab.overdue:
        cases = cases.filter(selectors.case_overdue(today))
    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    calendar = WorkCalendar()
    rows = [
        {
            "case": case,
            "applicant": mask_name(str(case.applicant)),
            "urgency": case_urgency(case, calendar, today),
        }
        for case in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/staff/queue.html",
        {
            "tabs": [
                {
                    "tab": t,
                    "count": sum(counts.get(s, 0) for s in t.statuses)
                    if t.statuses
                    else overdue_count
                    if t.overdue
                    else sum(counts.values()),
                    "current": t.key == tab.key,
                }
                for t in TABS
            ],
            "tab": tab,
            "q": q,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "today": today,
        },
    )


# --- one case ---------------------------------------------------------------------------------------------


# Not a department role: working a service centre's comprehensive window where the case's item is stationed.
COMPREHENSIVE_WINDOW = "comprehensive_window"


def _roles(user: Any, case: Case) -> set[str]:
    roles = set(
        staff_memberships(user=user).filter(department_id=case.department_id).values_list("role", flat=True)
    )
    if comprehensive_window_serves(user=user, item_id=case.item_id):
        roles.add(COMPREHENSIVE_WINDOW)
    return roles


def _allowed_actions(case: Case, roles: set[str]) -> list[str]:
    """The actions the page offers for the case's state and the person's roles (the services decide again)."""
    clerk = Role.WINDOW_CLERK in roles
    # The comprehensive window takes and hands out, the handling department does the rest (前台受理、后台审批).
    window = clerk or COMPREHENSIVE_WINDOW in roles
    judge = bool(roles & {Role.REVIEWER, Role.APPROVER})
    approver = Role.APPROVER in roles
    handler = bool(roles & {Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER})
    status = case.status
    actions = []
    if status == CaseStatus.SUBMITTED and window:
        if not case.correction_requests.all():
            actions.append("correction")
        actions += ["accept", "refuse"]
    if status == CaseStatus.ACCEPTED and handler:
        actions.append("process")
    if status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS) and judge:
        actions.append("suspend")
    if status == CaseStatus.SUSPENDED and judge:
        actions.append("resume")
    pending = any(r.status == ExtensionStatus.PENDING for r in case.extension_requests.all())
    if status in OPEN_STATUSES and judge and not pending and not case.is_immediate:
        actions.append("extend")
    if status in OPEN_STATUSES and Role.HEAD in roles and pending:
        actions.append("extension_decide")
    if status in (CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS) and (approver or (clerk and case.is_immediate)):
        actions.append("conclude")
    if status == CaseStatus.CONCLUDED and (handler or window):
        actions.append("deliver")
    return actions


ACTION_FORMS: dict[str, type[CaseActionForm]] = {
    "correction": CorrectionForm,
    "accept": AcceptForm,
    "refuse": RefuseForm,
    "process": ProcessStartForm,
    "suspend": SuspendForm,
    "resume": ResumeForm,
    "extend": ExtendForm,
    "extension_decide": ExtensionDecideForm,
    "conclude": ConcludeForm,
    "deliver": DeliverForm,
}


def _guide_materials(case: Case) -> list[Material]:
    return list(case.item_version.materials.all())


def _correctable_materials(case: Case) -> list[Material]:
    """The guide's materials a correction notice may ask for: never one the platform fetched and verified from
    shared data (国务院令716 art. 7; the correction service refuses it too)."""
    shared = {row.material_id for row in case.materials.all() if row.from_shared_data}
    return [material for material in _guide_materials(case) if material.pk not in shared]


def _action_form(case: Case, action: str, data: Any = None) -> CaseActionForm:
    form_class = ACTION_FORMS[action]
    # Several action forms share field names (reason, basis): ids per action keep every label on its own field.
    kwargs: dict[str, Any] = {"initial": {"expected_version": case.version}, "auto_id": f"id_{action}_%s"}
    if form_class is CorrectionForm:
        kwargs["guide_materials"] = _correctable_materials(case)
    form = form_class(data, **kwargs)
    if form_class is ConcludeForm and case.item_version.licence_type_code:
        del form.fields["result"]  # the e-licence library issues the licence and its number on approval
    return form


def _clock(case: Case, calendar: WorkCalendar, today: dt.date) -> dict[str, Any]:
    """The whole-case clock: limit, due date, paused working days, extensions and each special procedure."""
    procedures = list(case.special_procedures.all())
    paused = 0
    if case.deadline is not None:
        for procedure in procedures:
            if procedure.kind == ProcedureKind.EXTENSION:
                continue
            # The start day itself is never counted, so a pause only moves the due date by the days after it.
            start = max(procedure.started_on - dt.timedelta(days=1), case.deadline.start_on)
            end = procedure.ended_on or today
            if end > start:
                paused += calendar.working_days_between(start, end)
    return {
        "urgency": case_urgency(case, calendar, today),
        "deadline": case.deadline,
        "paused_days": paused,
        "extended_days": case.extended_days,
        "procedures": procedures,
        "extension_requests": list(case.extension_requests.all()),
        "delivery": case.delivery_deadline,
    }


def _materials(case: Case, guide: list[Material]) -> list[dict[str, Any]]:
    """Each material of the guide with the files given for it."""
    given: dict[Any, list[Any]] = {}
    for row in case.materials.all():
        given.setdefault(row.material_id, []).append(row)
    return [{"material": m, "files": given.get(m.pk, [])} for m in guide]


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    bound: tuple[str, CaseActionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = _roles(request.user, case)
    actions = _allowed_actions(case, roles)
    forms = {action: _action_form(case, action) for action in actions}
    if bound is not None:
        forms[bound[0]] = bound[1]
    version = case.item_version
    guide = _guide_materials(case)
    calendar, today = WorkCalendar(), clock.today()
    return render(
        request,
        "cases/staff/case_detail.html",
        {
            "case": case,
            "applicant": case.applicant,
            "fields": schema_to_fields(version.form_schema or {}, version.form_ui or {}, data=case.form_data),
            "materials": _materials(case, guide),
            # Registry checks of the form and shared-data fetches (the data-sharing app answers).
            "registry_notes": case_notes(case, audience="staff"),
            "events": list(case.events.all()),
            "deliveries": list(case_notifications(case)),
            "corrections": list(case.correction_requests.all()),
            "clock": _clock(case, calendar, today),
            "forms": forms,
            "notices": notice_links(case),
            "pledge_checks": list(case.pledge_checks.all()),
            "false_pledges": services.false_pledges_of(case),
            "roles": roles,
            "collection_centre": collection_centre(item_id=case.item_id),
        },
        status=status,
    )


@staff_required
def case_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    """A case as the department sees it, with the actions open to this staff member."""
    case = selectors.case_get_for_staff(user=request.user, case_id=case_id)
    return _case_page(request, case)


def _correction_problems(form: CorrectionForm) -> list[tuple[Material, str]]:
    """The ticked materials with their problems. Any existing material is passed on, so that the service —
    not this page — refuses one outside the case's guide."""
    problems = form.problems()
    try:
        ids = {uuid.UUID(pk) for pk, _ in problems}
    except ValueError:
        ids = set()
    found = {str(m.pk): m for m in Material.objects.filter(pk__in=ids)}
    if any(pk not in found for pk, _ in problems):
        raise DomainError(
            code="correction_material_unknown", message="所选材料不存在，请刷新页面后重新选择。"
        )
    return [(found[pk], text) for pk, text in problems]


def _act(request: HttpRequest, case: Case, action: str, form: Any) -> Any:
    """Run the service for ``action`` with the form's data; returns what the service returned."""
    data, user = form.cleaned_data, request.user
    version = data["expected_version"]
    if action == "correction":
        return services.case_correction_request(
            case=case, clerk=user, problems=_correction_problems(form), expected_version=version
        )
    if action == "accept":
        return services.case_accept(case=case, clerk=user, expected_version=version)
    if action == "refuse":
        return services.case_refuse(case=case, clerk=user, reason=data["reason"], expected_version=version)
    if action == "process":
        return services.case_process_start(case=case, actor=user, expected_version=version)
    if action == "suspend":
        return services.case_suspend(
            case=case,
            actor=user,
            kind=data["kind"],
            reason=data["reason"],
            basis=data["basis"],
            expected_working_days=data["expected_working_days"],
            expected_version=version,
        )
    if action == "resume":
        return services.case_resume(case=case, actor=user, expected_version=version)
    if action == "extend":
        return services.case_extension_request(
            case=case,
            requester=user,
            working_days=data["working_days"],
            reason=data["reason"],
            basis=data["basis"],
            expected_version=version,
        )
    if action == "extension_decide":
        pending = case.extension_requests.filter(status=ExtensionStatus.PENDING).first()
        if pending is None:
            raise DomainError(
                code="extension_decided", message="该延期申请已审批，请刷新后查看结果。", status=409
            )
        return services.case_extension_decide(
            request=pending, head=user, approve=data["decision"] == "approve", note=data["note"]
        )
    if action == "conclude":
        return services.case_conclude(
            case=case,
            actor=user,
            code=data["code"],
            result=data.get("result", ""),
            reason=data["reason"],
            expected_version=version,
        )
    assert action == "deliver"
    return services.case_deliver(
        case=case,
        actor=user,
        method=data["method"],
        address=data["address"],
        tracking_number=data["tracking_number"],
        expected_version=version,
    )


DONE_MESSAGES = {
    "correction": _("The correction notice was sent to the applicant."),
    "refuse": _("The application was not accepted; the notice is ready to print."),
    "process": _("Handling started."),
    "suspend": _("The special procedure started; the clock is paused."),
    "resume": _("The special procedure ended; the clock runs again."),
    "extend": _("The extension request was sent to the head of the agency for approval."),
    "extension_decide": _("The head's decision on the extension was recorded."),
    "conclude": _("The case was concluded."),
    "deliver": _("The delivery was recorded."),
}


@require_POST
@never_cache
@staff_required
def case_action(request: HttpRequest, case_id: Any, action: str) -> HttpResponse:
    """One action on a case. A refusal by the service is shown on the form (409 when someone else acted
    first); acceptance answers with the case number and the query password, shown this once."""
    case = selectors.case_get_for_staff(user=request.user, case_id=case_id)
    if action not in ACTION_FORMS:
        raise Http404
    form = _action_form(case, action, request.POST)
    if not form.is_valid():
        return _case_page(request, case, bound=(action, form), status=400)
    try:
        outcome = _act(request, case, action, form)
    except DomainPermissionDenied:
        raise
    except DomainError as error:
        form.add_error(None, error.message)
        fresh = selectors.case_get_for_staff(user=request.user, case_id=case_id)
        return _case_page(request, fresh, bound=(action, form), status=error.status)
    if action == "accept":
        return render(
            request,
            "cases/staff/accepted.html",
            {"case": outcome.case, "query_password": outcome.query_password},
        )
    messages.success(request, DONE_MESSAGES[action])
    return redirect("cases_staff:case_detail", case_id=case.pk)


@staff_required
def case_notice(request: HttpRequest, case_id: Any, kind: str) -> HttpResponse:
    """A notice of the case as a PDF, to print at the window."""
    case = selectors.case_get_for_staff(user=request.user, case_id=case_id)
    return pdf_response(notice_pdf(case, kind), notice_filename(case, kind))
