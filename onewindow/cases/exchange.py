"""The national exchange export (GB/T 39046-2020 datasets 6.2–6.5): one JSON object per case per line with
the application (申请信息), acceptance (受理信息), processing steps (办理过程), special procedures (特别程序),
conclusion (办结信息) and delivery (送达信息).

Codes are the national ones (domain reference §2–3): service object 1 自然人 / 2 企业法人, handling form
1 窗口办理 / 2 电脑端网上办理, case type 1 即办件 / 2 承诺件 / 9 其他, special procedure 1 延长审批 / 2 其他,
conclusion 0 出证办结 / 1 不予许可 / 2 作废 / 4 转报; dates ``YYYYMMDD``, times ``YYYYMMDDhhmmss`` (Beijing
time), booleans 1/0. The reference names no column names for the exchange tables, so the keys are English.

The exchange needs natural persons' identifiers in full: they are decrypted here and nowhere else, the file
is created readable by its owner only (0600), and every export is recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from onewindow.cases.models import Case, CaseEvent, CaseStatus, ProcedureKind
from onewindow.core.services import audit_record

EXCHANGE_STANDARD = "GB/T 39046-2020"
SERVICE_OBJECT_PERSON = 1  # 自然人
SERVICE_OBJECT_COMPANY = 2  # 企业法人
HANDLING_FORM_WINDOW = 1  # 窗口办理
HANDLING_FORM_ONLINE = 2  # 电脑端网上办理
PROCEDURE_EXTENSION = 1  # 延长审批
PROCEDURE_OTHER = 2
ID_TYPE_CITIZEN = "citizen_id"  # GB 11643 居民身份证号码
ID_TYPE_CREDIT_CODE = "credit_code"  # GB 32100 统一社会信用代码


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def _time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else None


def _date(value: dt.date | None) -> str | None:
    return value.strftime("%Y%m%d") if value else None


def _flag(value: bool) -> int:
    return 1 if value else 0


def _application(case: Case) -> dict[str, Any]:
    person = case.applicant
    version = case.item_version
    company = case.company
    applicant: dict[str, Any] = {
        "applicant_type": SERVICE_OBJECT_COMPANY if company else SERVICE_OBJECT_PERSON,
        "applicant_name": company.name if company else str(person),
        "applicant_id_type": ID_TYPE_CREDIT_CODE if company else ID_TYPE_CITIZEN,
        "applicant_id_number": company.credit_code if company else person.id_number,
        # With a company the person who filed is its agent (经办人); for a person they are the same.
        "contact_name": str(person),
        "contact_id_type": ID_TYPE_CITIZEN,
        "contact_id_number": person.id_number,
        "contact_phone": person.phone,
        "legal_representative": company.legal_representative_name if company else None,
    }
    return {
        "implementation_code": case.item.implementation_code,
        "item_name": version.name,
        "guide_version": version.number,
        "case_type": version.case_type,
        "department_name": case.department.name,
        "department_credit_code": case.department.credit_code,
        **applicant,
        "handling_form": HANDLING_FORM_WINDOW if case.walk_in else HANDLING_FORM_ONLINE,
        "received_at": _time(case.submitted_at),
        "statutory_days": version.statutory_days,
        "promised_days": version.promised_days,
    }


def _acceptance(case: Case) -> dict[str, Any] | None:
    if case.status == CaseStatus.NOT_ACCEPTED:
        return {
            "accepted": 0,
            "decided_at": _time(case.closed_at),
            "refusal_reason": case.refusal_reason,
        }
    if case.accepted_at is None:
        return None
    accepted_by = case.accepted_by
    return {
        "accepted": 1,
        "accepted_at": _time(case.accepted_at),
        "accepted_by_default": _flag(case.accepted_by_default),
        "handler": (accepted_by.name or accepted_by.get_username()) if accepted_by else None,
        "department_name": case.department.name,
        "promised_due_on": _date(case.due_on),
    }


def _process(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "sequence": sequence,
            "action": event.action,
            "action_name": str(event.get_action_display()),
            "from_status": event.from_status or None,
            "to_status": event.to_status,
            "department_name": event.department.name if event.department else None,
            "department_credit_code": event.department.credit_code if event.department else None,
            "handler": (event.actor.name or event.actor.get_username()) if event.actor else None,
            "at": _time(event.at),
            "opinion": event.note,
            "basis": event.basis,
        }
        for sequence, event in enumerate(case.events.all(), start=1)
    ]


def _special_procedures(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "kind_code": PROCEDURE_EXTENSION
            if procedure.kind == ProcedureKind.EXTENSION
            else PROCEDURE_OTHER,
            "kind": procedure.kind,
            "kind_name": str(procedure.get_kind_display()),
            "basis": procedure.basis,
            "reason": procedure.reason,
            "started_on": _date(procedure.started_on),
            "ended_on": _date(procedure.ended_on),
            "working_days": procedure.working_days,
        }
        for procedure in case.special_procedures.all()
    ]


def _conclusion(case: Case) -> dict[str, Any] | None:
    if case.concluded_at is None:
        return None
    due = case.due_on
    return {
        "result_code": case.conclusion_code,
        "result_name": str(case.get_conclusion_code_display()),
        "result": case.result,
        "reason": case.conclusion_reason,
        "concluded_at": _time(case.concluded_at),
        "department_name": case.department.name,
        "within_time_limit": _flag(due is None or timezone.localdate(case.concluded_at) <= due),
    }


def _delivery(case: Case) -> dict[str, Any] | None:
    if case.delivered_at is None:
        return None
    return {
        "method": case.delivery_method,
        "delivered_at": _time(case.delivered_at),
        "address": case.delivery_address or None,
        "tracking_number": case.tracking_number or None,
    }


def case_exchange_record(case: Case) -> dict[str, Any]:
    """One case as the national exchange expects it (identifiers decrypted)."""
    return {
        "standard": EXCHANGE_STANDARD,
        "case_id": str(case.pk),
        "case_number": case.number,
        "status": case.status,
        "application": _application(case),
        "acceptance": _acceptance(case),
        "process": _process(case),
        "special_procedures": _special_procedures(case),
        "conclusion": _conclusion(case),
        "delivery": _delivery(case),
    }


def cases_for_exchange(*, since: dt.date, until: dt.date | None = None) -> QuerySet[Case]:
    """Cases received (never mere drafts) with a timeline entry on ``since`` … ``until`` (inclusive, local
    dates): each export carries the whole record, so the national platform replaces what it had."""
    events = CaseEvent.objects.filter(
        case=OuterRef("pk"), at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    )
    if until is not None:
        events = events.filter(
            at__lt=timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
        )
    return (
        # A bundle's parent case is the platform's grouping, not an application to an authority: its
        # children are exported, each under its own item.
        Case.objects.exclude(status=CaseStatus.DRAFT)
        .filter(Exists(events), bundle=None)
        .select_related(
            "applicant__user", "company", "item", "item_version", "department", "deadline", "accepted_by"
        )
        .prefetch_related("events__department", "events__actor", "special_procedures")
        .order_by("submitted_at", "created_at")
    )


def _lines(cases: Iterable[Case]) -> Iterable[str]:
    for case in cases:
        yield json.dumps(case_exchange_record(case), ensure_ascii=False, sort_keys=True) + "\n"


def exchange_export(
    *, since: dt.date, until: dt.date | None = None, output: Path | None, stdout: Writer
) -> int:
    """Write the cases to ``output`` (created 0600) or to ``stdout``, audit the export, and say how many."""
    cases = cases_for_exchange(since=since, until=until).iterator(chunk_size=500)
    count = 0
    if output is None:
        for line in _lines(cases):
            stdout.write(line)
            count += 1
    else:
        # Created owner-only before a byte is written; an existing file is narrowed to 0600 too.
        descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            for line in _lines(cases):
                file.write(line)
                count += 1
    audit_record(
        actor=None,
        actor_label="onewindow exchange export",
        action="cases.exchange_export",
        changes={
            "since": str(since),
            "until": str(until) if until else None,
            "cases": count,
            "output": str(output) if output else "stdout",
        },
    )
    return count
