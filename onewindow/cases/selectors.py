"""Case reads, each scoped to who asks: applicants see their own (and, as agents, their company's) cases;
staff see their departments' cases; anyone with a case number and its query password sees the public
timeline."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseMessage,
    CaseStatus,
    EventAction,
    ExtensionRequest,
    PledgeCheck,
    PledgeCheckStatus,
)
from onewindow.cases.services.acceptance import case_password_hash
from onewindow.catalogue.models import Item
from onewindow.core.crypto import constant_time_equal
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.core.ratelimit import rate_limit_hits
from onewindow.halls.selectors import comprehensive_window_item_ids, comprehensive_window_serves
from onewindow.identity.models import AgencyScope
from onewindow.identity.selectors import Principal, principal_for_user
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_memberships

_NOT_FOUND = "未找到该办件，或您无权查看。"
# A hash compared when the case number is unknown, so both failures take the same time.
_DUMMY_HASH = "0" * 64


def _applicant_scope(principal: Principal) -> Q | None:
    """The cases a principal may see as applicant: their own personal ones, and for the company they act
    for, all of its cases with the ``track`` scope, or only those they filed themselves with ``apply``."""
    if principal.person is None:
        return None
    scope = Q(applicant=principal.person, company=None)
    if principal.on_behalf_of is not None:
        # 委托代理: all of the principal's personal cases with ``track``, else those this agent filed.
        if principal.allows(AgencyScope.TRACK):
            scope |= Q(applicant=principal.on_behalf_of, company=None)
        elif principal.allows(AgencyScope.APPLY):
            scope |= Q(applicant=principal.on_behalf_of, company=None, person_agency__agent=principal.person)
    if principal.company is not None:
        if principal.allows(AgencyScope.TRACK):
            scope |= Q(company=principal.company)
        elif principal.allows(AgencyScope.APPLY):
            scope |= Q(company=principal.company, applicant=principal.person)
    return scope


def _with_relations(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related(
        "applicant__user",
        "company",
        "item",
        "item_version",
        "department",
        "deadline",
        "delivery_deadline",
        "person_agency__agent__user",
    )


def cases_for_applicant(*, user: Any, status: str | None = None, top_level: bool = False) -> QuerySet[Case]:
    """ "我的办件": the user's cases (and their company's, as its agent), newest first.

    With ``top_level`` a life-event bundle is one row: its parent case, with its children prefetched (as
    ``children``) for a summary, instead of a row per item.
    """
    scope = _applicant_scope(principal_for_user(user))
    if scope is None:
        return Case.objects.none()
    cases = _with_relations(Case.objects.filter(scope))
    if top_level:
        cases = (
            cases.filter(parent=None)
            .select_related("bundle")
            .prefetch_related(
                Prefetch(
                    "children",
                    queryset=Case.objects.select_related("item_version", "department").order_by("created_at"),
                )
            )
        )
    if status:
        cases = cases.filter(status=status)
    return cases.order_by("-created_at")


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(_NOT_FOUND) from None


def case_search(text: str, *, via: str = "") -> Q:
    """Match a search box's text against the case number, the applicant's name and the item (``via`` is the
    path to the case from the queried model, e.g. ``"case__"`` for tasks)."""
    return (
        Q(**{f"{via}number__icontains": text})
        | Q(**{f"{via}applicant__user__name__icontains": text})
        | Q(**{f"{via}item_version__name__icontains": text})
    )


def case_get_for_applicant(*, user: Any, case_id: Any) -> Case:
    """One of the user's cases with its materials, timeline and correction notices; anyone else's is 404."""
    scope = _applicant_scope(principal_for_user(user))
    if scope is None:
        raise NotFound(_NOT_FOUND)
    case = (
        _with_relations(Case.objects.filter(scope, pk=_uuid(case_id)))
        .prefetch_related(
            "materials__material",
            "correction_requests",
            "special_procedures",
            Prefetch("events", queryset=CaseEvent.objects.filter(public=True).select_related("department")),
        )
        .first()
    )
    if case is None:
        raise NotFound(_NOT_FOUND)
    return case


def _staff_department_ids(user: Any) -> set[Any]:
    return set(staff_memberships(user=user).values_list("department_id", flat=True))


def case_get_for_staff(*, user: Any, case_id: Any) -> Case:
    """A case of one of the staff member's departments, with everything the workbench shows. Another
    department's case is refused (403); an unknown id or an applicant's unsubmitted draft is 404."""
    case = (
        # A bundle's parent case is no department's to handle: its children are.
        _with_relations(Case.objects.filter(pk=_uuid(case_id), bundle=None).exclude(status=CaseStatus.DRAFT))
        .select_related("filed_by", "accepted_by", "agency")
        .prefetch_related(
            "materials__material",
            "item_version__materials",
            "correction_requests",
            "special_procedures__approved_by",
            "extension_requests__requested_by",
            "pledge_checks__case_material__material",
            "pledge_checks__checked_by",
            "extension_requests__decided_by",
            Prefetch("events", queryset=CaseEvent.objects.select_related("department", "actor")),
        )
        .first()
    )
    if case is None:
        raise NotFound(_NOT_FOUND)
    if case.department_id not in _staff_department_ids(user) and not comprehensive_window_serves(
        user=user, item_id=case.item_id
    ):
        raise PermissionDenied("该办件不属于您所在的部门，您无权查看或办理。")
    return case


def case_overdue(today: dt.date) -> Q:
    """Cases past one of their clocks: the pre-review window (a deemed acceptance is due), the decision, or
    the delivery of the licence (行政许可法 art. 32, 42, 44)."""
    return (
        Q(status=CaseStatus.SUBMITTED, intake_due_on__lt=today)
        | Q(status__in=[CaseStatus.ACCEPTED, CaseStatus.IN_PROCESS], deadline__due_on__lt=today)
        | Q(status=CaseStatus.CONCLUDED, delivery_deadline__due_on__lt=today)
    )


def extension_request_get(*, case: Case, request_id: Any) -> ExtensionRequest:
    """An extension request of a case the caller already holds through a scoped selector."""
    found = ExtensionRequest.objects.filter(case=case, pk=_uuid(request_id)).select_related("case").first()
    if found is None:
        raise NotFound("未找到该延期申请。")
    return found


def pledge_checks_for_department(*, user: Any, status: str = PledgeCheckStatus.OPEN) -> QuerySet[PledgeCheck]:
    """The post-checks of pledges (告知承诺核查) in the staff member's departments, earliest due first."""
    checks = PledgeCheck.objects.filter(department_id__in=_staff_department_ids(user))
    if status in PledgeCheckStatus.values:
        checks = checks.filter(status=status)
    return checks.select_related(
        "case__applicant__user",
        "case__item_version",
        "case__company",
        "case_material__material",
        "checked_by",
    ).order_by("due_on", "created_at")


def pledge_check_get_for_staff(*, user: Any, check_id: Any) -> PledgeCheck:
    """One post-check of the staff member's departments; another department's is 403, unknown 404."""
    check = PledgeCheck.objects.select_related("case__department").filter(pk=_uuid(check_id)).first()
    if check is None:
        raise NotFound("未找到该核查任务。")
    if check.department_id not in _staff_department_ids(user):
        raise PermissionDenied("该核查任务不属于您所在的部门。")
    return check


def cases_for_department(
    *, user: Any, department_id: Any | None = None, status: str | None = None
) -> QuerySet[Case]:
    """The cases of the staff member's departments (or of one of them), and of the items stationed at the
    comprehensive window they work (一窗受理), oldest receipt first: the order they must be handled in."""
    departments = _staff_department_ids(user)
    scope = Q(department_id__in=departments)
    if department_id is not None:
        if _uuid(department_id) not in departments:
            raise PermissionDenied("您不在该部门任职，无权查看其办件。")
        scope = Q(department_id=_uuid(department_id))
    else:
        scope |= Q(item_id__in=comprehensive_window_item_ids(user=user))
    cases = _with_relations(Case.objects.filter(scope, bundle=None)).exclude(status=CaseStatus.DRAFT)
    if status:
        cases = cases.filter(status=status)
    return cases.order_by("submitted_at", "created_at")


@dataclass(frozen=True)
class TrackingEntry:
    """One public step: what happened, which department, when. Never a staff member's name."""

    action: str
    action_label: str
    status: str
    status_label: str
    department: str
    at: dt.datetime
    note: str


@dataclass(frozen=True)
class Tracking:
    """What 全程一码 shows to anyone holding the case number and its query password."""

    number: str
    item_name: str
    department: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_on: dt.date | None
    concluded_at: dt.datetime | None
    timeline: list[TrackingEntry]


def tracking_attempt_hit(case_number: str, *, address: str) -> None:
    """Count a tracking attempt against the caller's address and against the case number itself, so guessing
    one case's password from many addresses stops too — both counters in one round trip to the cache."""
    number = hashlib.sha256(case_number.strip().upper().encode()).hexdigest()[:32]  # any bytes → a safe key
    rate_limit_hits(scope="public_lookup", keys=(address, f"track:{number}"))


# The columns the public tracking answer shows, and no more: the item version alone has some fifty columns,
# eight of them jsonb, and fetching them all was a third of a tracking request (issue #18's profile).
_TRACKED_COLUMNS = (
    "number", "parent_id", "bundle_id", "query_password_hash", "status", "submitted_at", "accepted_at",
    "concluded_at", "item_version__name", "department__name", "deadline__due_on",
)  # fmt: skip


def _tracked() -> QuerySet[Case]:
    return Case.objects.select_related("item_version", "department", "deadline").only(*_TRACKED_COLUMNS)


def case_track(*, case_number: str, password: str) -> Tracking:
    """The public timeline for a case number and its query password. A wrong password and an unknown
    number give the same 404 in the same time (the API rate-limits the attempts)."""
    number = (case_number or "").strip().upper()
    # One query whether or not the number exists; the timeline is read only after the password matched.
    case = _tracked_one(number=number) if number else None
    if case is not None and case.parent_id is not None:
        # A life event's item (<number>-01) answers to the life event's one number and query password.
        case = _tracked_one(pk=case.parent_id)
    expected = case.query_password_hash if case is not None and case.query_password_hash else _DUMMY_HASH
    given = case_password_hash(case.number if case is not None and case.number else number, password or "")
    if case is None or not constant_time_equal(given, expected):
        raise NotFound("受理编号或查询密码不正确。")
    return Tracking(
        number=case.number or number,
        item_name=case.bundle.name if case.bundle is not None else case.item_version.name,
        department=case.department.name if case.bundle is None else "",
        status=case.status,
        status_label=_label(CaseStatus, case.status),
        submitted_at=case.submitted_at,
        accepted_at=case.accepted_at,
        due_on=case.due_on,
        concluded_at=case.concluded_at,
        timeline=public_timeline(
            _public_events_of(case)
            .select_related("department")
            # Only what the timeline shows: compiling every column of the event and its department was a
            # quarter of a look-up's Python time (issue #18's profile).
            .only("action", "to_status", "at", "note", "department__name")
            .order_by("at", "created_at")
        ),
    )


def _tracked_one(**unique: Any) -> Case | None:
    # get(), not first(): number and pk are unique, and first() added an ORDER BY the query did not need.
    try:
        return _tracked().get(**unique)
    except Case.DoesNotExist:
        return None


def _label(choices: type[CaseStatus] | type[EventAction], value: str) -> str:
    """A choice's label in the active language. Not ``get_FOO_display()``: Django rebuilds a dict of every
    choice for each call, translating every label to hash it — some 20 gettext calls per label, a tenth of a
    tracking look-up's Python time (issue #18's profile)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _public_events_of(case: Case) -> QuerySet[CaseEvent]:
    """The public events of a case and of its children (a life event's items). Not ``Q(case=…) |
    Q(case__parent=…)``: that OR across the join made PostgreSQL read every event of every case (a sequential
    scan, 58 ms on 20,000 events and growing with the table — most of a tracking look-up, issue #18); the
    cases are picked first through their indexes, then their events through the event's case index."""
    family = Case.objects.filter(Q(pk=case.pk) | Q(parent_id=case.pk)).values("pk")
    return CaseEvent.objects.filter(case__in=family, public=True)


def public_timeline(events: Iterable[CaseEvent]) -> list[TrackingEntry]:
    """Public events in the shape the applicant and 全程一码 see: department names, never a staff member's."""
    return [
        TrackingEntry(
            action=event.action,
            action_label=_label(EventAction, event.action),
            status=event.to_status,
            status_label=_label(CaseStatus, event.to_status),
            department=event.department.name if event.department else "",
            at=event.at,
            note=event.note,
        )
        for event in events
    ]


@dataclass(frozen=True)
class BundleTimelineEntry(TrackingEntry):
    """A step of a bundle's merged timeline, naming the item it happened to (or the bundle itself)."""

    item_name: str = ""


def bundle_children(*, case: Case) -> list[Case]:
    """The children of a bundle's parent case (already fetched for its applicant), in the bundle's stage
    order, with what the bundle page shows of each."""
    assert case.bundle is not None
    order = {entry.item_id: (entry.stage, entry.order) for entry in case.bundle.entries.all()}
    children = _with_relations(case.children.all()).prefetch_related("materials", "item_version__materials")
    return sorted(children, key=lambda child: (*order.get(child.item_id, (0, 0)), child.created_at))


def bundle_timeline(*, case: Case) -> list[BundleTimelineEntry]:
    """One timeline for a bundle's applicant: the public events of the parent and of every child, oldest
    first, each naming its item (the parent's name the bundle). Department names only, as in 全程一码."""
    assert case.bundle is not None
    events = list(
        _public_events_of(case)
        .select_related("department", "case__item_version")
        .order_by("at", "created_at")
    )
    return [
        BundleTimelineEntry(
            **vars(entry),
            item_name=case.bundle.name if event.case_id == case.pk else event.case.item_version.name,
        )
        for event, entry in zip(events, public_timeline(events), strict=True)
    ]


def case_messages_for(*, user: Any, unread_only: bool = False) -> QuerySet[CaseMessage]:
    """The user's in-site messages about cases, newest first."""
    messages = CaseMessage.objects.filter(recipient=user).select_related("case")
    if unread_only:
        messages = messages.filter(read_at=None)
    return messages.order_by("-created_at")


def walk_in_items(*, user: Any) -> QuerySet[Item]:
    """The published items a clerk may file at the counter: their own departments' as a window clerk, and those
    stationed at a comprehensive window they work. None means no walk-in filing (the page refuses, the workbench
    menu hides the link: both ask this)."""
    departments = staff_memberships(user=user).filter(role=Role.WINDOW_CLERK).values("department_id")
    return (
        Item.objects.filter(
            Q(department_id__in=departments) | Q(pk__in=comprehensive_window_item_ids(user=user)),
            published_version__isnull=False,
        )
        .select_related("published_version")
        .order_by("published_version__name")
    )
