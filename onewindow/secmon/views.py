"""The security monitoring pages at /workbench/security/, for platform administrators only (403 for others)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.core.errors import DomainError, NotFound, PermissionDenied
from onewindow.secmon.forms import IncidentReportForm, IncidentStepForm
from onewindow.secmon.models import IncidentStage
from onewindow.secmon.selectors import (
    incident_get,
    incident_steps,
    security_admin_check,
    security_alert_get,
    security_overview,
)
from onewindow.secmon.services import (
    incident_advance,
    incident_report,
    retention_days,
    security_alert_acknowledge,
)


def _guarded(read: Any, **kwargs: Any) -> Any:
    try:
        return read(**kwargs)
    except PermissionDenied as error:
        raise DjangoPermissionDenied from error
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    overview = _guarded(security_overview, user=request.user)
    return render(
        request,
        "secmon/dashboard.html",
        {
            **overview,
            "report_form": IncidentReportForm(),
            "chosen_alert": request.GET.get("alert", ""),
            "retention_days": retention_days(),
            "is_platform_admin": True,
        },
    )


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: str) -> HttpResponse:
    alert = _guarded(security_alert_get, user=request.user, pk=pk)
    try:
        security_alert_acknowledge(alert=alert, actor=request.user)
        messages.success(request, _("Alert acknowledged."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("secmon:dashboard")


@login_required
@require_POST
def incident_create(request: HttpRequest) -> HttpResponse:
    _guarded(security_admin_check, user=request.user)
    form = IncidentReportForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        alert_id = data.pop("alert")
        alert = _guarded(security_alert_get, user=request.user, pk=alert_id) if alert_id else None
        try:
            incident = incident_report(actor=request.user, alert=alert, **data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Incident reported."))
            return redirect("secmon:incident", pk=incident.pk)
    context = {
        **security_overview(user=request.user),
        "report_form": form,
        "chosen_alert": request.POST.get("alert", ""),
        "retention_days": retention_days(),
        "is_platform_admin": True,
    }
    return render(request, "secmon/dashboard.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def incident_detail(request: HttpRequest, pk: str) -> HttpResponse:
    incident = _guarded(incident_get, user=request.user, pk=pk)
    form = IncidentStepForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                incident_advance(
                    incident=incident,
                    actor=request.user,
                    stage=request.POST.get("stage", ""),
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Step recorded."))
                return redirect("secmon:incident", pk=incident.pk)
        status = 400
    next_stage = incident.next_stage()
    return render(
        request,
        "secmon/incident.html",
        {
            "incident": incident,
            "steps": incident_steps(incident=incident),
            "form": form,
            "next_stage": next_stage,
            "next_stage_label": IncidentStage(next_stage).label if next_stage else "",
            "is_platform_admin": True,
        },
        status=status,
    )
