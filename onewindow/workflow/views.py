"""The staff workbench for department processing: the inbox (to do, claimed, done, overdue, due soon and,
for department heads, the department's open tasks) and one task with the case, the earlier steps and the
buttons for the step. The services decide every action again; a refusal is shown on the task page."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from onewindow.cases.files import material_response
from onewindow.cases.models import CaseStatus
from onewindow.cases.selectors import case_search
from onewindow.cases.staff_views import Urgency, case_urgency, staff_required
from onewindow.catalogue.form_personal import form_masked
from onewindow.catalogue.forms_render import schema_to_fields
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.masking import mask_name
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_memberships
from onewindow.workdays.calendar import WorkCalendar
from onewindow.workflow import selectors, services
from onewindow.workflow.forms import OpinionForm, ReturnForm, TransferForm
from onewindow.workflow.models import InstanceStatus, ProcessStep, TaskStatus, WorkTask

TASKS_PER_PAGE = 25


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    status: str


TABS = (
    Tab("todo", _("To do"), TaskStatus.READY),
    Tab("claimed", _("Claimed"), TaskStatus.CLAIMED),
    Tab("done", _("Done by me"), TaskStatus.DONE),
    Tab("overdue", _("Overdue"), "overdue"),
    Tab("due_soon", _("Due soon"), "due_soon"),
)
DEPARTMENT_TAB = Tab("department", _("Department"), "open")


def _tab_tasks(
    user: Any, tab: Tab, heads: list[Any], memberships: selectors.Memberships
) -> QuerySet[WorkTask]:
    if tab is DEPARTMENT_TAB:
        return selectors.tasks_for_department(user=user, status=tab.status, memberships=memberships).filter(
            department_id__in=heads
        )
    return selectors.tasks_for_user(user=user, status=tab.status, memberships=memberships)


def step_urgency(task: WorkTask, calendar: WorkCalendar, today: dt.date) -> Urgency:
    """How close an open step is to its own limit: red when past it, amber when little is left."""
    if task.due_on is None:
        return Urgency(None, "", None)
    if not task.is_open:
        return Urgency(task.due_on, "", None)
    if task.case.status == CaseStatus.SUSPENDED:
        return Urgency(task.due_on, "paused", None)
    left = calendar.working_days_between(today, task.due_on)
    if left < 0:
        return Urgency(task.due_on, "overdue", left)
    # The same rule as the 即将到期 tab, so a row marked amber is always in that tab.
    return Urgency(task.due_on, "soon" if left <= selectors.DUE_SOON_DAYS else "", left)


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """A staff member's tasks by tab, nearest due date first, searchable by case number, item or applicant."""
    user = request.user
    memberships = selectors.staff_membership_pairs(user=user)
    heads = sorted({department for department, role in memberships if role == Role.DEPARTMENT_ADMIN})
    tabs = TABS + ((DEPARTMENT_TAB,) if heads else ())
    tab = {t.key: t for t in tabs}.get(request.GET.get("tab", ""), TABS[0])
    counts = selectors.inbox_counts(user=user, memberships=memberships)
    if heads:
        counts["open"] = _tab_tasks(user, DEPARTMENT_TAB, heads, memberships).count()
    tasks = _tab_tasks(user, tab, heads, memberships)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        tasks = tasks.filter(case_search(q, via="case__"))
    paginator = Paginator(selectors.inbox_rows(tasks), TASKS_PER_PAGE)
    if not q:
        # The tab's size was read with the other tabs' in one query: the paginator need not count again.
        paginator.count = counts[tab.status]
    page = paginator.get_page(request.GET.get("page"))
    calendar, today = WorkCalendar(), clock.today()
    rows = [
        {
            "task": task,
            "applicant": mask_name(str(task.case.applicant)),
            "urgency": step_urgency(task, calendar, today),
        }
        for task in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workflow/inbox.html",
        {
            "tabs": [{"tab": t, "count": counts[t.status], "current": t.key == tab.key} for t in tabs],
            "tab": tab,
            "q": q,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


# --- one task -----------------------------------------------------------------------------------------------


def _actions(task: WorkTask, user: Any, roles: set[str]) -> list[str]:
    """The buttons the page offers for the task's state and the person's roles (the services decide again)."""
    if not task.is_open or task.case.status != CaseStatus.IN_PROCESS:
        return []
    handler = task.role in roles
    head = Role.DEPARTMENT_ADMIN in roles
    mine = task.assignee_id == user.pk
    free = task.status == TaskStatus.READY
    actions = []
    if handler and free:
        actions.append("claim")
    if task.status == TaskStatus.CLAIMED and (mine or head):
        actions.append("release")
    if handler and (free or mine):
        actions += ["approve", "return"]
    if (handler and (free or mine)) or head:
        actions.append("transfer")
    if handler:
        actions.append("opinion")
    return actions


def _colleagues(task: WorkTask, user: Any) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(
            memberships__department_id=task.department_id, memberships__role=task.role, is_active=True
        )
        .exclude(pk=user.pk)
        .order_by("name", "username")
        .distinct()
    )


def _earlier_steps(task: WorkTask) -> QuerySet[ProcessStep]:
    return ProcessStep.objects.filter(
        definition_id=task.step.definition_id, position__lt=task.step.position
    ).order_by("position")


def _forms(task: WorkTask, user: Any, actions: list[str]) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    if "approve" in actions:
        forms["approve"] = OpinionForm(prefix="approve")
    if "return" in actions:
        forms["return"] = ReturnForm(prefix="return", steps=_earlier_steps(task))
    colleagues = _colleagues(task, user)
    if "transfer" in actions and colleagues.exists():
        forms["transfer"] = TransferForm(prefix="transfer", colleagues=colleagues)
    if "opinion" in actions:
        forms["opinion"] = OpinionForm(prefix="opinion")
    return forms


def _task_page(
    request: HttpRequest,
    task: WorkTask,
    *,
    error: str = "",
    bound: tuple[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user, case = request.user, task.case
    roles = set(
        staff_memberships(user=user).filter(department_id=task.department_id).values_list("role", flat=True)
    )
    actions = _actions(task, user, roles)
    forms = _forms(task, user, actions)
    if bound is not None and bound[0] in forms:
        forms[bound[0]] = bound[1]
    elif bound is not None:
        # The form is no longer offered (e.g. the last colleague left the role): say why here instead.
        error = error or "；".join(str(message) for errors in bound[1].errors.values() for message in errors)
    version = case.item_version
    calendar, today = WorkCalendar(), clock.today()
    # Personal answers (ID numbers, phones …) in clear only for the handling department's own staff; a
    # department asked for a joint review sees them masked (个人信息保护法 art. 6: no more than needed).
    answers = case.form_data or {}
    if not staff_memberships(user=user).filter(department_id=case.department_id).exists():
        answers = form_masked(version.form_schema, answers)
    return render(
        request,
        "workflow/task_detail.html",
        {
            "task": task,
            "case": case,
            "applicant": mask_name(str(case.applicant)),
            "fields": schema_to_fields(version.form_schema or {}, version.form_ui or {}, data=answers),
            "materials": list(case.materials.select_related("material")),
            "steps": list(selectors.steps_of_case(case=case)),
            "step_urgency": step_urgency(task, calendar, today),
            "case_urgency": case_urgency(case, calendar, today),
            "actions": actions,
            "forms": forms,
            "error": error,
            "process_completed": task.instance.status == InstanceStatus.COMPLETED
            and case.status == CaseStatus.IN_PROCESS,
        },
        status=status,
    )


def _task(request: HttpRequest, task_id: Any) -> WorkTask:
    return selectors.task_get_for_staff(user=request.user, task_id=task_id)


@staff_required
def task_detail(request: HttpRequest, task_id: Any) -> HttpResponse:
    """One task of the department with its case and the actions open to this staff member."""
    return _task_page(request, _task(request, task_id))


@require_safe
@staff_required
def task_material(request: HttpRequest, task_id: Any, material_id: uuid.UUID) -> FileResponse:
    """A material of the task's case, for staff of the task's department — in a joint review that may be a
    department other than the one handling the case, which the case's own file view does not admit."""
    return material_response(_task(request, task_id).case, material_id)


DONE_MESSAGES = {
    "claim": _("The task is now in your claimed list."),
    "release": _("The task is back in the department's to-do list."),
    "approve": _("The step was approved."),
    "return": _("The case was returned to the earlier step."),
    "transfer": _("The task was transferred."),
    "opinion": _("The opinion was added."),
}


def _act(task: WorkTask, user: Any, action: str, data: Any) -> tuple[Any, Any]:
    """Run the service for ``action``; returns (form, None) when the form is invalid, else (form, result)."""
    if action == "claim":
        return None, services.task_claim(task=task, user=user)
    if action == "release":
        return None, services.task_release(task=task, user=user)
    form: Any
    if action in ("approve", "opinion"):
        form = OpinionForm(data, prefix=action)
    elif action == "return":
        form = ReturnForm(data, prefix="return", steps=_earlier_steps(task))
    else:
        form = TransferForm(data, prefix="transfer", colleagues=_colleagues(task, user))
    if not form.is_valid():
        return form, None
    cleaned = form.cleaned_data
    if action == "approve":
        return form, services.task_approve(task=task, user=user, opinion=cleaned["opinion"])
    if action == "opinion":
        return form, services.task_opinion_add(task=task, user=user, text=cleaned["opinion"])
    if action == "return":
        return form, services.task_return(
            task=task, user=user, opinion=cleaned["opinion"], to_step=cleaned["to_step"]
        )
    return form, services.task_transfer(task=task, user=user, to_user=cleaned["to_user"])


@require_POST
@never_cache
@staff_required
def task_action(request: HttpRequest, task_id: Any, action: str) -> HttpResponse:
    """One action on a task. A refusal by the service (403 wrong role, 409 someone acted first) is shown on the
    task page with that status."""
    if action not in DONE_MESSAGES:
        raise Http404
    task = _task(request, task_id)
    form = None
    try:
        form, result = _act(task, request.user, action, request.POST)
    except DomainError as error:
        return _task_page(
            request,
            _task(request, task_id),
            error=error.message,
            bound=(action, form) if form is not None else None,
            status=error.status,
        )
    if result is None:
        return _task_page(request, task, bound=(action, form), status=400)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("workflow:task_detail", task_id=task.pk)
