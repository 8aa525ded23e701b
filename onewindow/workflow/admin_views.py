"""The administrators' process pages at /workbench/processes/: the list of process keys, one definition (its
steps, a flow diagram, its versions and items), the BPMN upload, the step generator and the assignment of a
process to an item. Platform administrators and department administrators only; the services decide the rest
(who may publish a new version of a key, who may assign an item) and their refusals are shown on the page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from onewindow.catalogue.selectors import CatalogueAccess, catalogue_access, staff_items
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http
from onewindow.organisations.models import Department
from onewindow.workflow import selectors, services
from onewindow.workflow.bpmn import MAX_BPMN_BYTES
from onewindow.workflow.flow_svg import CHOICE, flow_diagram, process_stages
from onewindow.workflow.forms import (
    STEP_ROWS,
    ProcessAssignForm,
    ProcessGenerateForm,
    ProcessUploadForm,
    StepFormSet,
)
from onewindow.workflow.models import ProcessDefinition

PROCESSES_PER_PAGE = 25
ITEM_CHOICES = 50
# Generator rows shown open; the others (up to STEP_ROWS) fold away under "more steps".
ROWS_SHOWN = 4


def process_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Platform and department administrators only (the same people who keep the catalogue); others 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Department administrators administer their departments' items, catalogue and processes alike.
        access = catalogue_access(request.user)
        if access is None:
            raise HttpPermissionDenied
        with refusals_as_http():
            return view(request, access, *args, **kwargs)

    return wrapper


def _context(access: CatalogueAccess, **extra: Any) -> dict[str, Any]:
    return {"is_platform_admin": access.is_platform_admin, "process_admin": True, **extra}


def _days(days: int) -> str:
    return ngettext("%(days)d working day", "%(days)d working days", days) % {"days": days}


# --- reading ------------------------------------------------------------------------------------------------


@require_safe
@process_admin_required
def process_list(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """Every process key with its latest version, its steps, its items and who published it, a page at a time."""
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.process_definitions_latest(q=q), PROCESSES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    assigned = selectors.process_assignments_by_key(keys=[d.key for d in page])
    rows = [{"definition": d, "assignments": assigned.get(d.key, [])} for d in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workflow/process_list.html",
        _context(access, page=page, rows=rows, q=q, query=query.urlencode()),
    )


def _version(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise Http404
    return int(raw)


@require_safe
@process_admin_required
def process_detail(request: HttpRequest, access: CatalogueAccess, key: str) -> HttpResponse:
    """One version of a process: its steps by stage, the flow diagram, every version and the items using it."""
    definition = selectors.process_definition_get(key=key, version=_version(request))
    steps = list(selectors.process_steps(definition=definition))
    stages = process_stages(xml=definition.bpmn_xml, steps=steps)
    diagram = flow_diagram(
        stages,
        own_department=gettext("The case's own department"),
        days_label=_days,
        parallel_label=gettext("Parallel joint review"),
        choice_label=gettext("One of the branches"),
    )
    versions = list(selectors.process_versions(key=key))
    return render(
        request,
        "workflow/process_detail.html",
        _context(
            access,
            definition=definition,
            stages=stages,
            diagram=diagram,
            versions=versions,
            latest=versions[0],
            assignments=selectors.process_assignments_by_key(keys=[key]).get(key, []),
        ),
    )


@require_safe
@process_admin_required
def process_download(request: HttpRequest, access: CatalogueAccess, key: str, version: int) -> HttpResponse:
    """The BPMN 2.0 XML of one version, to open in a modeller."""
    definition = selectors.process_definition_get(key=key, version=version)
    response = HttpResponse(definition.bpmn_xml.encode(), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{definition.key}-v{definition.version}.bpmn"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- publishing ---------------------------------------------------------------------------------------------

# Which field a refusal of the definition services belongs next to; anything else is shown above the form.
FIELD_OF_ERROR = {
    "process_key_invalid": "key",
    "process_name_required": "name",
    "process_department_required": "department",
}


def _refusal_to_form(form: Any, error: DomainError, *, file_field: str | None) -> int:
    """Put a service refusal on the form, next to the field it is about; returns the response status."""
    field = FIELD_OF_ERROR.get(error.code)
    if field is None and file_field and error.code.startswith(("bpmn_", "process_department_unknown")):
        field = file_field
    form.add_error(field, error.message)
    return error.status


def _latest(request: HttpRequest) -> ProcessDefinition | None:
    """The latest version of the ``?key=`` a "new version" link names, if there is one."""
    key = request.GET.get("key", "")[:64]
    return selectors.process_definitions_latest().filter(key=key).first() if key else None


def _initial(latest: ProcessDefinition | None) -> dict[str, Any]:
    return {"key": latest.key, "name": latest.name} if latest else {}


def _rows_of(definition: ProcessDefinition) -> list[dict[str, Any]]:
    """The generator's rows that would write ``definition`` again, to edit into its next version; none when it
    is more than a sequence of steps and joint reviews (e.g. drawn with branches in a modeller)."""
    steps = list(selectors.process_steps(definition=definition))
    rows: list[dict[str, Any]] = []
    for stage in process_stages(xml=definition.bpmn_xml, steps=steps):
        first = stage.steps[0]
        if stage.kind == CHOICE or any(
            (s.role, s.limit_days) != (first.role, first.limit_days) for s in stage.steps
        ):
            return []
        name = first.name
        if stage.is_parallel and first.department is not None:
            name = name.removesuffix(f"（{first.department.short_name or first.department.name}）")
        rows.append(
            {
                "name": name,
                "role": first.role,
                "limit_days": first.limit_days,
                "departments": [s.department for s in stage.steps if s.department is not None],
            }
        )
    return rows if len(rows) <= STEP_ROWS else []


def _published(request: HttpRequest, definition: Any) -> HttpResponse:
    messages.success(
        request,
        gettext("Version %(version)d of “%(name)s” is published. New cases of its items run it.")
        % {"version": definition.version, "name": definition.name},
    )
    return redirect("workflow_admin:process_detail", key=definition.key)


@process_admin_required
def process_upload(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """Upload a BPMN 2.0 file drawn in a modeller as a new process or the next version of a key."""
    form = ProcessUploadForm(
        # An empty POST is still a submission: it must come back with "this field is required".
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        departments=access.departments,
        platform_admin=access.is_platform_admin,
        initial=_initial(_latest(request)),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                definition = services.process_definition_upload(
                    actor=request.user,
                    key=data["key"],
                    name=data["name"],
                    xml=data["file"],
                    department=data["department"],
                )
            except DomainError as error:
                status = _refusal_to_form(form, error, file_field="file")
            else:
                return _published(request, definition)
    return render(
        request,
        "workflow/process_upload.html",
        _context(access, form=form, max_mb=MAX_BPMN_BYTES // (1024 * 1024)),
        status=status,
    )


@process_admin_required
def process_generate(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """Write a process from a list of steps (承办 → 审核 → 批准 …); several departments on a step make it a
    parallel joint review. Empty rows are ignored."""
    departments = Department.objects.filter(is_active=True).order_by("name")
    data = request.POST if request.method == "POST" else None
    latest = _latest(request) if data is None else None
    form = ProcessGenerateForm(
        data,
        departments=access.departments,
        platform_admin=access.is_platform_admin,
        initial=_initial(latest),
    )
    steps = StepFormSet(
        data, prefix="steps", departments=departments, initial=_rows_of(latest) if latest else None
    )
    status = 200
    if request.method == "POST":
        status = 400
        # Both validated so that every row's errors show at once.
        valid = form.is_valid() & steps.is_valid()
        if valid:
            try:
                definition = services.process_definition_generate(
                    actor=request.user,
                    key=form.cleaned_data["key"],
                    name=form.cleaned_data["name"],
                    steps=steps.steps(),
                    department=form.cleaned_data["department"],
                )
            except DomainError as error:
                status = _refusal_to_form(form, error, file_field=None)
            else:
                return _published(request, definition)
    # The rows past the first few fold away unless they hold something.
    more_open = any(row.initial or (row.is_bound and row.has_changed()) for row in steps.forms[ROWS_SHOWN:])
    return render(
        request,
        "workflow/process_generate.html",
        _context(access, form=form, steps=steps, rows_shown=ROWS_SHOWN, more_open=more_open),
        status=status,
    )


@process_admin_required
def process_assign(request: HttpRequest, access: CatalogueAccess) -> HttpResponse:
    """Choose the process an item's new cases run: find the item by name or code, pick the key."""
    q = (request.POST.get("q") or request.GET.get("q", "")).strip()[:100]
    listed = staff_items(departments=access.departments, q=q)[:ITEM_CHOICES]
    posted = request.method == "POST"
    form = ProcessAssignForm(
        request.POST if posted else None,
        # A choice is checked against every item the administrator may assign, the list shows the matches.
        items=staff_items(departments=access.departments) if posted else listed,
        keys=selectors.process_keys(),
        initial={"key": request.GET.get("key", "")[:64], "q": q},
    )
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            try:
                assignment = services.process_assign(
                    actor=request.user, item=form.cleaned_data["item"], key=form.cleaned_data["key"]
                )
            except DomainError as error:
                status = _refusal_to_form(form, error, file_field=None)
            else:
                messages.success(
                    request,
                    gettext("New cases of “%(item)s” now run the process %(key)s.")
                    % {"item": assignment.item, "key": assignment.definition_key},
                )
                return redirect("workflow_admin:process_assign")
        form.items_show(listed)
    current = Paginator(
        selectors.process_assignments(departments=access.departments), PROCESSES_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "workflow/process_assign.html",
        _context(access, form=form, q=q, listed=len(listed), limit=ITEM_CHOICES, current=current),
        status=status,
    )
