"""The supervisor's workbench (监察工作台): alerts and cards, the watched departments' cases and steps
(read-only), supervision orders, and the rules; departments answer their orders here too."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.supervision import selectors, services
from onewindow.supervision.forms import CloseForm, InstructionForm, ReplyForm, RulesForm
from onewindow.supervision.models import Alert, AlertKind, AlertLevel, AlertStatus
from onewindow.supervision.rules import rule_version_create, rule_version_current

PAGE_SIZE = 25


def _form_error(form: object, error: DomainError) -> None:
    for problem in error.problems:
        if problem.field in form.fields:  # type: ignore[attr-defined]
            form.add_error(problem.field, problem.message)  # type: ignore[attr-defined]
    if not error.problems:
        form.add_error(None, error.message)  # type: ignore[attr-defined]


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    """Every alert in the supervisor's scope, filtered by status, level and kind, with the card counts."""
    status = request.GET.get("status", "")
    level = request.GET.get("level", "")
    kind = request.GET.get("kind", "")
    with refusals_as_http():
        found = selectors.alerts_for_supervisor(
            user=request.user,
            status=status if status in AlertStatus.values else "",
            level=level if level in AlertLevel.values else "",
            kind=kind if kind in AlertKind.values else "",
        )
        counts = selectors.alert_counts(user=request.user)
    return render(
        request,
        "supervision/alerts.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "counts": counts,
            "status": status,
            "level": level,
            "kind": kind,
            "statuses": AlertStatus.choices,
            "levels": AlertLevel.choices,
            "kinds": AlertKind.choices,
        },
    )


def _alert(request: HttpRequest, alert_id: uuid.UUID) -> Alert:
    with refusals_as_http():
        return selectors.alert_get_for_supervisor(user=request.user, alert_id=alert_id)


@login_required
def alert_detail(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = _alert(request, alert_id)
    return render(
        request,
        "supervision/alert.html",
        {"alert": alert, "order": getattr(alert, "order", None), "form": InstructionForm()},
    )


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = _alert(request, alert_id)
    with refusals_as_http():
        try:
            services.alert_acknowledge(alert=alert, actor=request.user)
            messages.success(request, _("Alert acknowledged."))
        except DomainError as error:
            if error.status == 403:
                raise
            messages.error(request, error.message)
    return redirect("supervision:alert", alert_id=alert.pk)


@login_required
@require_POST
def alert_close(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = _alert(request, alert_id)
    with refusals_as_http():
        try:
            services.alert_close(alert=alert, actor=request.user)
            messages.success(request, _("Alert closed."))
        except DomainError as error:
            if error.status == 403:
                raise
            messages.error(request, error.message)
    return redirect("supervision:alert", alert_id=alert.pk)


@login_required
@require_POST
def order_issue(request: HttpRequest, alert_id: uuid.UUID) -> HttpResponse:
    alert = _alert(request, alert_id)
    form = InstructionForm(request.POST)
    if form.is_valid():
        with refusals_as_http():
            try:
                order = services.order_issue(
                    alert=alert, actor=request.user, instruction=form.cleaned_data["instruction"]
                )
            except DomainError as error:
                if error.status == 403:
                    raise
                _form_error(form, error)
            else:
                messages.success(
                    request, _("Supervision order %(number)s issued.") % {"number": order.number}
                )
                return redirect("supervision:order", order_id=order.pk)
    return render(
        request, "supervision/alert.html", {"alert": alert, "order": None, "form": form}, status=400
    )


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    """The watched departments' cases, read-only."""
    with refusals_as_http():
        found = selectors.cases_for_supervisor(user=request.user, q=request.GET.get("q", "")[:50])
    return render(
        request,
        "supervision/cases.html",
        {"page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))},
    )


@login_required
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        case = selectors.case_get_for_supervisor(user=request.user, case_id=case_id)
        case_alerts = selectors.alerts_for_supervisor(user=request.user).filter(case=case)
    return render(request, "supervision/case.html", {"case": case, "alerts": case_alerts})


@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """The watched departments' open workflow steps, earliest due first."""
    with refusals_as_http():
        found = selectors.tasks_for_supervisor(user=request.user)
    return render(
        request,
        "supervision/tasks.html",
        {"page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))},
    )


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    """Supervisors: the orders they watch; department staff: the orders addressed to their departments."""
    supervisor = selectors.supervisor_is(user=request.user)
    view = request.GET.get("view", "supervisor" if supervisor else "department")
    if view == "supervisor" and supervisor:
        found = selectors.orders_for_supervisor(user=request.user)
    else:
        view = "department"
        found = selectors.orders_for_department_staff(user=request.user)
    return render(
        request,
        "supervision/orders.html",
        {
            "page": Paginator(found.order_by("-issued_at"), PAGE_SIZE).get_page(request.GET.get("page")),
            "view": view,
            "supervisor": supervisor,
        },
    )


@login_required
def order_detail(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """One order: its department replies here; the supervisor closes it once replied."""
    with refusals_as_http():
        order = selectors.order_get(user=request.user, order_id=order_id)
    reply_form, close_form = ReplyForm(), CloseForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        form = ReplyForm(request.POST) if action == "reply" else CloseForm(request.POST)
        if action not in ("reply", "close"):
            raise Http404
        if form.is_valid():
            with refusals_as_http():
                try:
                    if action == "reply":
                        services.order_reply(
                            order=order, actor=request.user, reply=form.cleaned_data["reply"]
                        )
                        messages.success(request, _("Reply sent to the supervisor."))
                    else:
                        services.order_close(order=order, actor=request.user, note=form.cleaned_data["note"])
                        messages.success(request, _("Supervision order closed."))
                except DomainError as error:
                    if error.status == 403:
                        raise
                    _form_error(form, error)
                else:
                    return redirect("supervision:order", order_id=order.pk)
        status = 400
        if action == "reply":
            reply_form = form  # type: ignore[assignment]
        else:
            close_form = form  # type: ignore[assignment]
    return render(
        request,
        "supervision/order.html",
        {
            "order": order,
            "reply_form": reply_form,
            "close_form": close_form,
            "can_reply": selectors.order_can_reply(user=request.user, order=order),
            "can_close": selectors.supervisor_is(user=request.user),
        },
        status=status,
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The rules in force, their history, and a change saved as the next version."""
    with refusals_as_http():
        selectors.supervisor_required(user=request.user)
    current = rule_version_current()
    form = RulesForm(request.POST or None, current=current)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = dict(form.cleaned_data)
            note = values.pop("note")
            try:
                version = rule_version_create(actor=request.user, values=values, note=note)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request, _("Rules saved as version %(number)s.") % {"number": version.number}
                )
                return redirect("supervision:rules")
        status = 400
    return render(
        request,
        "supervision/rules.html",
        {"current": current, "form": form, "versions": selectors.rule_versions(user=request.user)[:20]},
        status=status,
    )
