"""The department's post-checks of pledges (告知承诺核查, 国办发〔2020〕42号): the list of checks to do with
their due dates, and recording a check's result (true, or false — which revokes an approval)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from onewindow.cases import selectors, services
from onewindow.cases.staff_views import staff_required
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.errors import PermissionDenied as DomainPermissionDenied

CHECKS_PER_PAGE = 25


class PledgeFindingForm(forms.Form):
    finding = forms.CharField(
        label=_("Finding of the check"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was checked and how (registry, site visit, other department)."),
    )


@staff_required
def pledge_checks(request: HttpRequest) -> HttpResponse:
    """The open post-checks of the staff member's departments, the most urgent first."""
    checks = selectors.pledge_checks_for_department(
        user=request.user, status=request.GET.get("status") or "open"
    )
    page = Paginator(checks, CHECKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/staff/pledge_checks.html",
        {"page": page, "today": clock.today(), "status": request.GET.get("status") or "open"},
    )


@require_POST
@staff_required
def pledge_check_action(request: HttpRequest, check_id: Any, outcome: str) -> HttpResponse:
    """Record the result of one check: ``confirmed`` or ``false``."""
    check = selectors.pledge_check_get_for_staff(user=request.user, check_id=check_id)
    if outcome not in ("confirmed", "false"):
        raise Http404
    form = PledgeFindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(_("Please write the finding of the check.")))
        return redirect("cases_staff:case_detail", case_id=check.case_id)
    act = services.pledge_check_confirm if outcome == "confirmed" else services.pledge_check_record_false
    try:
        act(check=check, user=request.user, finding=form.cleaned_data["finding"])
    except DomainPermissionDenied:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The pledge was confirmed.")
            if outcome == "confirmed"
            else _("The false pledge was recorded; an approval obtained with it was revoked."),
        )
    return redirect("cases_staff:case_detail", case_id=check.case_id)
