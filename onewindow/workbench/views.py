from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from onewindow.organisations.selectors import staff_is_platform_admin, staff_memberships
from onewindow.workdays.selectors import calendar_warnings


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff workbench's front page: my roles, and what administrators must act on."""
    is_admin = staff_is_platform_admin(user=request.user)
    return render(request, "workbench/home.html", {
        "memberships": staff_memberships(user=request.user),
        "is_platform_admin": is_admin,
        "calendar_warnings": calendar_warnings() if is_admin else [],
    })
