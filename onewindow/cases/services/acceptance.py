"""Single-window acceptance (一窗受理): accept with a case number, a query password and the legal clock;
refuse with a reason; the deemed acceptance when no correction notice came within 5 working days."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import Case, CaseNumberCounter, CaseStatus, EventAction
from onewindow.cases.notifications import password_seal
from onewindow.cases.services._common import (
    applicant_check,
    case_lock,
    case_transition,
    staff_check,
    text_required,
)
from onewindow.cases.services.bundle_stages import (
    bundle_days_remaining,
    bundle_deadline_set,
    bundle_stages,
)
from onewindow.cases.services.pledges import pledge_checks_create
from onewindow.catalogue.models import Item
from onewindow.core import clock
from onewindow.core.crypto import lookup_hash
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.organisations.models import Role
from onewindow.workdays.services import deadline_start

# No 0/O/1/I/L: the password is read off a paper notice and typed on a phone.
logger = logging.getLogger(__name__)

PASSWORD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 (an alphabet, not a password)
PASSWORD_LENGTH = 8
SERIAL_DIGITS = 5


@dataclass(frozen=True)
class AcceptedCase:
    """An accepted case and its query password, shown once (only its keyed hash is stored)."""

    case: Case
    query_password: str


def case_password_hash(number: str, password: str) -> str:
    """Keyed (HMAC-SM3) so a leaked table cannot be brute-forced offline; fast, so tracking look-ups scale."""
    return lookup_hash(password.strip().upper(), purpose=f"cases.query_password:{number}")


def case_number_next(*, item: Item, day: dt.date) -> str:
    """The next case number for ``item`` on ``day``: implementation code + YYYYMMDD + a 5-digit serial.

    The counter row is locked for the rest of the transaction, so concurrent acceptances of the same item
    queue on it (PostgreSQL row lock; SQLite's IMMEDIATE transaction holds the database write lock anyway).
    """
    counter = CaseNumberCounter.objects.select_for_update().filter(item=item, day=day).first()
    if counter is None:
        try:
            with transaction.atomic():
                counter = CaseNumberCounter.objects.create(item=item, day=day, last=0)
        except IntegrityError:  # another acceptance created it first; wait for its lock
            counter = CaseNumberCounter.objects.select_for_update().get(item=item, day=day)
    CaseNumberCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    if counter.last >= 10**SERIAL_DIGITS:
        raise DomainError(
            code="case_number_exhausted", message="该事项当日受理编号已用尽，请联系平台管理员。", status=409
        )
    return f"{item.implementation_code}{day:%Y%m%d}{counter.last:0{SERIAL_DIGITS}d}"


def _password_new() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def _bundle_accept(parent: Case, *, actor: Any | None, accepted_at: dt.datetime) -> None:
    """The life event's one acceptance (一窗受理): its first accepted item gives the parent the one case number,
    the one query password and the one due date, the promised days of every stage added up."""
    accepted_on = timezone.localdate(accepted_at)
    parent.number = case_number_next(item=parent.item, day=accepted_on)
    password = _password_new()
    parent.query_password_hash = case_password_hash(parent.number, password)
    parent.accepted_at = accepted_at
    parent.accepted_by = actor
    stages = bundle_stages(parent, list(parent.children.select_related("item_version")))
    bundle_deadline_set(
        parent, start_on=accepted_on, working_days=bundle_days_remaining(stages, from_stage=stages[0][0])
    )
    assert parent.deadline is not None
    case_transition(
        parent,
        to=CaseStatus.ACCEPTED,
        action=EventAction.ACCEPTED,
        actor=actor,
        fields=["number", "query_password_hash", "accepted_at", "accepted_by"],
        note=f"“一件事”受理编号 {parent.number}（各事项编号为其后加 -01、-02 …），"
        f"各阶段合计承诺办结日期 {parent.deadline.due_on}。",
        changes={"number": parent.number, "due_on": str(parent.deadline.due_on)},
        notify_with={"sealed_password": password_seal(password)},
    )


def _bundle_child_number(child: Case, *, actor: Any | None, accepted_at: dt.datetime) -> str:
    """A life event's item is numbered under the life event's number: ``<number>-01`` in the bundle's order."""
    assert child.parent_id is not None
    parent = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "bundle", "deadline")
        .get(pk=child.parent_id)
    )
    if parent.number is None:
        _bundle_accept(parent, actor=actor, accepted_at=accepted_at)
    ordered = [c.pk for _n, group in bundle_stages(parent, list(parent.children.all())) for c in group]
    return f"{parent.number}-{ordered.index(child.pk) + 1:02d}"


def _accept(
    case: Case, *, actor: Any | None, accepted_at: dt.datetime, by_default: bool, late: bool = False
) -> AcceptedCase:
    accepted_on = timezone.localdate(accepted_at)
    version = case.item_version
    password = ""
    if case.parent_id is not None:
        # One number and one query password for the whole life event: the item tracks under the parent's.
        case.number = _bundle_child_number(case, actor=actor, accepted_at=accepted_at)
    else:
        case.number = case_number_next(item=case.item, day=accepted_on)
        password = _password_new()
        case.query_password_hash = case_password_hash(case.number, password)
    case.accepted_at = accepted_at
    case.accepted_by = actor
    case.accepted_by_default = by_default
    case.accepted_late = late
    # 行政许可法 art. 32: an application not answered within 5 working days counts as accepted on the day it
    # was received, so a deemed or late acceptance starts the clock then, not on the day someone acted.
    received_at = case.received_at
    clock_start = timezone.localdate(received_at) if (late and received_at is not None) else accepted_on
    # 即办件 conclude on the day of acceptance: a clock of 0 working days is due that day.
    case.deadline = deadline_start(
        label=f"{case.number} {version.name}"[:200],
        start_on=clock_start,
        working_days=0 if case.is_immediate else version.promised_days,
    )
    if by_default:
        note = "（收件后 5 个工作日内未告知补正，依法自收件之日起视为受理。）"
    elif late:
        note = f"（超过 5 个工作日预审期限受理，依法自收件之日（{clock_start}）起计算办理时限。）"
    else:
        note = ""
    case_transition(
        case,
        to=CaseStatus.ACCEPTED,
        action=EventAction.ACCEPTED_BY_DEFAULT if by_default else EventAction.ACCEPTED,
        actor=actor,
        fields=[
            "number",
            "query_password_hash",
            "accepted_at",
            "accepted_by",
            "accepted_by_default",
            "accepted_late",
            "deadline",
        ],
        note=f"受理编号 {case.number}，承诺办结日期 {case.deadline.due_on}。" + note,
        changes={
            "number": case.number,
            "due_on": str(case.deadline.due_on),
            "clock_start": str(clock_start),
            "late": late,
        },
        # The applicant learns the query password from the acceptance SMS / e-mail (also when accepted by
        # default, when nobody hands it over); sealed because the task queue keeps its arguments in clear.
        notify_with={"sealed_password": password_seal(password)} if password else None,
    )
    # 告知承诺: each pledge the applicant signed is checked by the department afterwards (国办发〔2020〕42号).
    pledge_checks_create(case)
    # The workflow app starts the item's process here, so acceptance and the first inbox task are one change.
    case_hooks_run(CaseHook.ACCEPTED, case=case, actor=actor)
    case.refresh_from_db(fields=["status", "version", "updated_at"])  # a hook may have moved it on
    return AcceptedCase(case=case, query_password=password)


def _pre_review_over(case: Case) -> bool:
    """The 5 working days after the (last) receipt have passed without a decision."""
    return case.intake_due_on is not None and clock.today() > case.intake_due_on


@transaction.atomic
def case_accept(*, case: Case, clerk: Any, expected_version: int | None = None) -> AcceptedCase:
    """Accept a received case at the window of its handling department: case number, query password and
    the promised due date counted in working days from today — or, when the 5-working-day pre-review window
    has passed, from the day of receipt (the case was accepted in law then, 行政许可法 art. 32)."""
    staff_check(clerk, case, [Role.WINDOW_CLERK], "受理办件", at_comprehensive_window=True)
    case = case_lock(case, allowed={CaseStatus.SUBMITTED}, doing="受理", expected_version=expected_version)
    return _accept(case, actor=clerk, accepted_at=clock.now(), by_default=False, late=_pre_review_over(case))


@transaction.atomic
def case_refuse(*, case: Case, clerk: Any, reason: str, expected_version: int | None = None) -> Case:
    """Decide not to accept (不予受理); the reason goes on the notice and to the applicant."""
    staff_check(clerk, case, [Role.WINDOW_CLERK], "作出不予受理决定", at_comprehensive_window=True)
    reason = text_required(
        reason, code="refusal_reason_required", message="不予受理须写明理由（依据哪项规定、哪项条件不符合）。"
    )
    case = case_lock(
        case, allowed={CaseStatus.SUBMITTED}, doing="作不予受理", expected_version=expected_version
    )
    if _pre_review_over(case):
        # Past the window the application is accepted in law (art. 32): it can only be decided on its merits.
        raise DomainError(
            code="refusal_window_closed",
            message=f"不予受理决定须在收件后 5 个工作日内（截至 {case.intake_due_on}）作出；逾期依法视为自收件之日起受理，请受理后依法作出许可或不予许可决定。",
            status=409,
        )
    case.refusal_reason = reason
    case.closed_at = clock.now()
    case_transition(
        case,
        to=CaseStatus.NOT_ACCEPTED,
        action=EventAction.NOT_ACCEPTED,
        actor=clerk,
        fields=["refusal_reason", "closed_at"],
        note=reason,
    )
    return case


def case_deemed_accept_overdue() -> int:
    """Scheduler: a case received (or resubmitted after a correction) more than 5 working days ago with no
    decision counts as accepted from the day it was received (行政许可法 art. 32), flagged for e-supervision."""
    overdue = Case.objects.filter(
        status=CaseStatus.SUBMITTED, intake_due_on__lt=clock.today(), bundle=None
    ).values_list("pk", flat=True)
    done = 0
    for case_id in list(overdue):
        try:
            with transaction.atomic():
                try:
                    case = case_lock(Case(pk=case_id), allowed={CaseStatus.SUBMITTED}, doing="视为受理")
                except DomainError:
                    continue  # a clerk acted meanwhile
                received_at = case.received_at
                assert received_at is not None
                _accept(case, actor=None, accepted_at=received_at, by_default=True)
                done += 1
        except Exception:
            # One case that cannot be accepted (its process failed to start) must not hold up the others,
            # which the law accepts by default all the same; it is retried on the next run.
            logger.exception("deemed acceptance of case %s failed", case_id)
    return done


@transaction.atomic
def case_password_reissue(*, case: Case, user: Any) -> str:
    """A new query password for the applicant (the old one stops working); shown once."""
    case = case_lock(
        case,
        allowed={
            CaseStatus.ACCEPTED,
            CaseStatus.IN_PROCESS,
            CaseStatus.SUSPENDED,
            CaseStatus.CONCLUDED,
            CaseStatus.DELIVERED,
        },
        doing="重置查询密码",
    )
    applicant_check(case, user)
    assert case.number is not None
    if case.parent_id is not None:
        raise DomainError(
            code="bundle_password_required",
            message="该事项属于“一件事”，凭“一件事”的受理编号和查询密码查询，请在“一件事”页面重新获取查询密码。",
            status=409,
        )
    password = _password_new()
    case.query_password_hash = case_password_hash(case.number, password)
    case.save(update_fields=["query_password_hash", "updated_at"])
    audit_record(actor=user, action="case.password_reissue", target=case)
    return password
