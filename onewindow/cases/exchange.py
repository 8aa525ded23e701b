"""The national exchange export (GB/T 39046-2020 datasets 6.2–6.5): one JSON object per case per line with
the application (INF_APPLY 申请信息), acceptance (INF_ACCEPT 受理信息), processing steps (INF_PROCESS 办理过程),
special procedures (INF_SPECIAL 特别程序), conclusion (INF_RESULT 办结信息) and delivery (INF_DELIVERY 送达信息),
under the field names of the national exchange tables (observed). Every record satisfies the committed JSON
Schema ``docs/exchange/case-record.schema.json`` (checked by the tests); docs/exchange/README.md maps every
field.

Codes are the national ones (domain reference §2–4): service object 1 自然人 / 2 企业法人, certificate types
111 居民身份证 / 001 统一社会信用代码 (GB/T 36903 holder code types), handling form 1 窗口办理 / 2 电脑端网上办理,
case type 1 即办件 / 2 承诺件 / 9 其他, special procedure 1 延长审批 / 2 其他, conclusion 0 出证办结 / 1 不予许可 /
2 作废 / 4 转报; dates ``YYYYMMDD``, times ``YYYYMMDDhhmmss`` (Beijing time), booleans 1/0.

The exchange needs natural persons' identifiers in full: they are decrypted here and nowhere else, the file
is created readable by its owner only (0600), and every export is recorded in the audit trail. The
application form's answers are not exported: the national tables carry none of them.
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

from onewindow.cases.models import Case, CaseEvent, CaseStatus, DeliveryMethod, ProcedureKind
from onewindow.core.services import audit_record

EXCHANGE_STANDARD = "GB/T 39046-2020"
SERVICE_OBJECT_PERSON = 1  # 自然人
SERVICE_OBJECT_COMPANY = 2  # 企业法人
HANDLING_FORM_WINDOW = 1  # 窗口办理
HANDLING_FORM_ONLINE = 2  # 电脑端网上办理
PROCEDURE_EXTENSION = 1  # 延长审批
PROCEDURE_OTHER = 2
# Certificate (证件) type codes of the national tables, as GB/T 36903 uses them for a licence holder.
ID_TYPE_CITIZEN = "111"  # 居民身份证
ID_TYPE_CREDIT_CODE = "001"  # 统一社会信用代码
ID_TYPE_NAMES = {ID_TYPE_CITIZEN: "居民身份证", ID_TYPE_CREDIT_CODE: "统一社会信用代码"}
# 送达方式 (observed in provincial exchange tables): 1 窗口领取, 2 邮寄, 3 电子送达.
DELIVERY_CODES = {
    DeliveryMethod.WINDOW: ("1", "窗口领取"),
    DeliveryMethod.POST: ("2", "邮寄送达"),
    DeliveryMethod.ELECTRONIC: ("3", "电子送达"),
}
STATE_NAMES = {
    CaseStatus.SUBMITTED: "已收件",
    CaseStatus.CORRECTION_REQUESTED: "补齐补正",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.NOT_ACCEPTED: "不予受理",
    CaseStatus.IN_PROCESS: "办理中",
    CaseStatus.SUSPENDED: "特别程序",
    CaseStatus.CONCLUDED: "已办结",
    CaseStatus.DELIVERED: "已送达",
    CaseStatus.WITHDRAWN: "撤回",
}


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


def _time(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y%m%d%H%M%S") if value else None


def _date(value: dt.date | None) -> str | None:
    return value.strftime("%Y%m%d") if value else None


def _flag(value: bool) -> int:
    return 1 if value else 0


def _handler(user: Any) -> str | None:
    return (user.name or user.get_username()) if user else None


def _application(case: Case) -> dict[str, Any]:
    person = case.applicant
    version = case.item_version
    company = case.company
    applicant_type = ID_TYPE_CREDIT_CODE if company else ID_TYPE_CITIZEN
    return {
        "SERVICECODE": case.item.implementation_code,
        "SERVICENAME": version.name,
        "SERVICEVERSION": version.number,
        "INFOTYPE": int(version.case_type),
        "DEPTNAME": case.department.name,
        "DEPTCODE": case.department.credit_code,
        "APPLYERTYPE": SERVICE_OBJECT_COMPANY if company else SERVICE_OBJECT_PERSON,
        "APPLYERNAME": company.name if company else str(person),
        "APPLYERPAGETYPE": applicant_type,
        "APPLYERPAGETYPENAME": ID_TYPE_NAMES[applicant_type],
        "APPLYERPAGECODE": company.credit_code if company else person.id_number,
        "LEGALMAN": company.legal_representative_name if company else None,
        # With a company the person who filed is its agent (经办人); for a person they are the same.
        "CONTACTMAN": str(person),
        "CONTACTMANPAGETYPE": ID_TYPE_CITIZEN,
        "CONTACTMANPAGECODE": person.id_number,
        "TELPHONE": person.phone,
        "APPLYFROM": HANDLING_FORM_WINDOW if case.walk_in else HANDLING_FORM_ONLINE,
        "RECEIVETIME": _time(case.submitted_at),
        "LEGALTIMELIMIT": version.statutory_days,
        "PROMISETIMELIMIT": version.promised_days,
    }


def _acceptance(case: Case) -> dict[str, Any] | None:
    if case.status == CaseStatus.NOT_ACCEPTED:
        return {
            "ACCEPTRESULT": 0,
            "ACCEPTTIME": _time(case.closed_at),
            "ACCEPTDEFAULT": 0,
            "ACCEPTMAN": None,
            "HANDLEDEPTNAME": case.department.name,
            "PROMISEENDDATE": None,
            "NOTACCEPTREASON": case.refusal_reason,
        }
    if case.accepted_at is None:
        return None
    return {
        "ACCEPTRESULT": 1,
        "ACCEPTTIME": _time(case.accepted_at),
        "ACCEPTDEFAULT": _flag(case.accepted_by_default),
        "ACCEPTMAN": _handler(case.accepted_by),
        "HANDLEDEPTNAME": case.department.name,
        "PROMISEENDDATE": _date(case.due_on),
        "NOTACCEPTREASON": None,
    }


def _process(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "NODESEQ": sequence,
            "NODECODE": event.action,
            "NODENAME": str(event.get_action_display()),
            "FROMSTATE": event.from_status or None,
            "TOSTATE": event.to_status,
            "HANDLEDEPTNAME": event.department.name if event.department else None,
            "HANDLEDEPTCODE": event.department.credit_code if event.department else None,
            "HANDLER": _handler(event.actor),
            "HANDLETIME": _time(event.at),
            "HANDLEOPINION": event.note,
            "HANDLEBASIS": event.basis,
        }
        for sequence, event in enumerate(case.events.all(), start=1)
    ]


def _special_procedures(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "SPECIALTYPE": PROCEDURE_EXTENSION
            if procedure.kind == ProcedureKind.EXTENSION
            else PROCEDURE_OTHER,
            "SPECIALKIND": procedure.kind,
            "SPECIALNAME": str(procedure.get_kind_display()),
            "SPECIALBASIS": procedure.basis,
            "SPECIALREASON": procedure.reason,
            "SPECIALSTARTDATE": _date(procedure.started_on),
            "SPECIALENDDATE": _date(procedure.ended_on),
            "SPECIALDAYS": procedure.working_days,
        }
        for procedure in case.special_procedures.all()
    ]


def _conclusion(case: Case) -> dict[str, Any] | None:
    if case.concluded_at is None:
        return None
    due = case.due_on
    return {
        "RESULTCODE": case.conclusion_code,
        "RESULTNAME": str(case.get_conclusion_code_display()),
        "TRANSACTRESULT": case.result,
        "TRANSACTDESCRIBE": case.conclusion_reason,
        "TRANSACTTIME": _time(case.concluded_at),
        "HANDLEDEPTNAME": case.department.name,
        "ISINTIME": _flag(due is None or timezone.localdate(case.concluded_at) <= due),
    }


def _delivery(case: Case) -> dict[str, Any] | None:
    if case.delivered_at is None:
        return None
    code, name = DELIVERY_CODES.get(DeliveryMethod(case.delivery_method), ("9", "其他"))
    return {
        "DELIVERYTYPE": code,
        "DELIVERYTYPENAME": name,
        "DELIVERYTIME": _time(case.delivered_at),
        "DELIVERYADDRESS": case.delivery_address or None,
        "EXPRESSNO": case.tracking_number or None,
    }


def case_exchange_record(case: Case) -> dict[str, Any]:
    """One case as the national exchange expects it (identifiers decrypted)."""
    return {
        "STANDARD": EXCHANGE_STANDARD,
        "PROJID": case.number,
        "SOURCEID": str(case.pk),
        "STATE": case.status,
        "STATENAME": STATE_NAMES.get(CaseStatus(case.status), ""),
        "INF_APPLY": _application(case),
        "INF_ACCEPT": _acceptance(case),
        "INF_PROCESS": _process(case),
        "INF_SPECIAL": _special_procedures(case),
        "INF_RESULT": _conclusion(case),
        "INF_DELIVERY": _delivery(case),
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
