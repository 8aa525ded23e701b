"""Pages of the data-sharing platform. Workbench: the resource catalogue (all staff), applying for and
deciding approvals and the access log (department administrators), a department query through the gateway.
Citizen: 谁查了我的数据. Thin views: reads through the selectors, writes through the services; a refusal is
shown on the page it came from, in the service's words."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from onewindow.cases.models import Case
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.identity.models import Person
from onewindow.identity.selectors import principal_for_user
from onewindow.identity.views_profile import person_required
from onewindow.sharing import selectors, services
from onewindow.sharing.models import ApprovalStatus, QueryOutcome, SharingClass

PAGE_SIZE = 25


def _posted_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise DomainError(code="sharing.valid_until_invalid", message="有效期日期格式不正确。") from None


@require_safe
@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    """政务信息资源目录: every resource with its provider, class, frequency and fields."""
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.resources_list(q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/resource_list.html", {"page": page, "q": q, "current": "resources"})


@require_http_methods(["GET", "POST"])
@login_required
def resource_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One resource; a department administrator applies here for a field set and a purpose."""
    with refusals_as_http():
        resource = selectors.resource_get(code=code)
    departments = list(selectors.admin_departments(user=request.user))
    error, posted = "", {}
    fields, purpose = request.POST.getlist("fields"), request.POST.get("purpose", "")
    if request.method == "POST":
        posted = {"fields": fields, "purpose": purpose}
        consumer = next((d for d in departments if str(d.pk) == request.POST.get("department")), None)
        try:
            if consumer is None:
                raise DomainError(code="sharing.department_required", message="请选择您管理的使用部门。")
            approval = services.approval_request(
                actor=request.user,
                resource=resource,
                consumer=consumer,
                fields=fields,
                purpose=purpose,
                basis=request.POST.get("basis", ""),
                valid_until=_posted_date(request.POST.get("valid_until", "")),
            )
        except DomainError as refused:
            error = refused.message
        else:
            if approval.status == ApprovalStatus.APPROVED:
                messages.success(
                    request, _("Registered: this resource is shared unconditionally, you may use it now.")
                )
            else:
                messages.success(request, _("Application sent to the provider for review."))
            return redirect("sharing:approvals")
    return render(
        request,
        "sharing/resource_detail.html",
        {
            "resource": resource,
            "departments": departments,
            "error": error,
            "posted": posted,
            "may_apply": bool(departments) and resource.sharing_class != SharingClass.NOT_SHARED,
            "current": "resources",
        },
        status=400 if error else 200,
    )


@require_safe
@login_required
def approval_list(request: HttpRequest) -> HttpResponse:
    """Applications to decide (resources my department provides) and my department's own applications."""
    with refusals_as_http():
        approvals = selectors.approvals_for_staff(user=request.user)
    administered = set(selectors.admin_departments(user=request.user).values_list("pk", flat=True))
    platform = selectors.is_platform_admin(request.user)
    incoming = [a for a in approvals if platform or a.resource.provider_id in administered]
    outgoing = [a for a in approvals if a.consumer_id in administered]
    return render(
        request,
        "sharing/approval_list.html",
        {"incoming": incoming, "outgoing": outgoing, "today": clock.today(), "current": "approvals"},
    )


@require_POST
@login_required
def approval_decide(request: HttpRequest, approval_id: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        approval = selectors.approval_get(user=request.user, approval_id=approval_id)
        action = request.POST.get("action", "")
        try:
            if action == "revoke":
                services.approval_revoke(
                    actor=request.user, approval=approval, reason=request.POST.get("note", "")
                )
                messages.success(request, _("Approval revoked: later queries under it are refused."))
            else:
                services.approval_decide(
                    actor=request.user,
                    approval=approval,
                    approve=action == "approve",
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Decision recorded."))
        except DomainError as refused:
            if refused.status in {403, 404}:
                raise
            messages.error(request, refused.message)
    return redirect("sharing:approvals")


@require_safe
@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The signed access log of the departments the user administers."""
    outcome = request.GET.get("outcome", "")
    if outcome not in QueryOutcome.values:
        outcome = ""
    with refusals_as_http():
        entries = selectors.access_log_for_staff(user=request.user, outcome=outcome)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sharing/access_log.html",
        {"page": page, "outcome": outcome, "outcomes": QueryOutcome.choices, "current": "log"},
    )


@require_http_methods(["GET", "POST"])
@login_required
def query(request: HttpRequest) -> HttpResponse:
    """A department official's query through the gateway: department, case, purpose and fields named; only
    the approved fields come back, and anything outside the approval is refused and logged."""
    departments = list(selectors.staff_departments(user=request.user))
    resources = list(selectors.resources_list())
    answer, error, posted = None, "", {}
    if request.method == "POST":
        posted = {
            k: request.POST.get(k, "").strip()
            for k in ("resource", "department", "purpose", "subject", "case")
        }
        posted["fields"] = [  # type: ignore[assignment]
            key.strip()
            for part in request.POST.getlist("fields")
            for key in part.replace("，", ",").split(",")
            if key.strip()
        ]
        try:
            resource = next((r for r in resources if r.code == posted["resource"]), None)
            consumer = next((d for d in departments if str(d.pk) == posted["department"]), None)
            if resource is None or consumer is None:
                raise DomainError(code="sharing.query_invalid", message="请选择资源和本人所在的部门。")
            case = (
                Case.objects.filter(number=posted["case"], department=consumer).first()
                if posted["case"]
                else None
            )
            if posted["case"] and case is None:
                raise DomainError(code="sharing.case_unknown", message="本部门没有该办件编号的办件。")
            answer = services.shared_data_query(
                resource=resource,
                consumer=consumer,
                official=request.user,
                purpose=posted["purpose"],
                subject=posted["subject"],
                fields=list(posted["fields"]),
                case=case,
            )
        except DomainError as refused:
            error = refused.message
    rows: list[tuple[str, str]] = []
    if answer is not None:
        rows = list(
            zip(answer.resource.field_names(list(answer.record)), answer.record.values(), strict=True)
        )
    return render(
        request,
        "sharing/query.html",
        {
            "departments": departments,
            "resources": resources,
            "answer": answer,
            "rows": rows,
            "error": error,
            "posted": posted,
            "current": "query",
        },
        status=403 if error and "授权" in error else (400 if error else 200),
    )


@require_safe
@person_required
def my_data_usage(request: HttpRequest, person: Person) -> HttpResponse:
    """谁查了我的数据: every query about me (and the company I act for) — department, purpose, case, fields."""
    principal = principal_for_user(request.user)
    company = principal.company if principal.on_behalf_of is None else None
    entries = selectors.data_usage_of(person=person, company=company)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/my_data_usage.html", {"page": page, "person": person, "company": company})
