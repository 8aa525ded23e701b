"""How a case reads over the API (its summary, its full detail with materials and timeline), and the
authentication and error responses every cases operation declares."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from onewindow.cases.models import Case
from onewindow.core.schemas import COMMON_ERRORS, ErrorOut
from onewindow.identity.api_auth import session_or_token

AUTH = session_or_token("cases")
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, **COMMON_ERRORS}


def _code_label(value: str | int, label: Any) -> dict[str, str]:
    return {"code": str(value), "label": str(label)}


def _summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": _code_label(case.status, case.get_status_display()),
        "version": case.version,
        "item": {
            "implementation_code": case.item.implementation_code,
            "name": case.item_version.name,
            "guide_version": case.item_version.number,
        },
        "department": {"id": case.department.pk, "name": case.department.name},
        "applicant_name": str(case.applicant),
        "company_name": case.company.name if case.company else None,
        "walk_in": case.walk_in,
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_on": case.due_on,
    }


class Summaries:
    """Cases as summaries for the pagination, which counts and slices them in the database: a department may
    have a million cases."""

    def __init__(self, cases: QuerySet[Case]) -> None:
        self.cases = cases

    def __len__(self) -> int:
        return self.cases.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [_summary(case) for case in self.cases[page]]


def _material(row: Any) -> dict[str, Any]:
    return {
        "id": row.pk,
        "material_id": row.material_id,
        "material": row.material.name,
        "original_name": row.original_name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "trust_level": row.trust_level,
        "status": row.status,
        "note": row.note,
        "pledge_text": row.pledge_text,
        "pledged_at": row.pledged_at,
    }


def _detail(case: Case) -> dict[str, Any]:
    # Read afresh: after a change the prefetched relations of the caller's copy are stale.
    case = Case.objects.select_related(
        "applicant__user", "company", "item", "item_version", "department", "delivery_deadline"
    ).get(pk=case.pk)
    return {
        **_summary(case),
        "form_data": case.form_data,
        "intake_due_on": case.intake_due_on,
        "accepted_by_default": case.accepted_by_default,
        "accepted_late": case.accepted_late,
        "refusal_reason": case.refusal_reason,
        "extended_days": case.extended_days,
        "conclusion_code": case.conclusion_code,
        "result": case.result,
        "conclusion_reason": case.conclusion_reason,
        "concluded_at": case.concluded_at,
        "delivery_method": case.delivery_method,
        "tracking_number": case.tracking_number,
        "delivered_at": case.delivered_at,
        "deliver_by": case.delivery_due_on,
        "materials": [_material(row) for row in case.materials.select_related("material")],
        "correction_requests": [
            {
                "notice_number": notice.notice_number,
                "sent_at": notice.sent_at,
                "deadline_on": notice.deadline_on,
                "resolved_at": notice.resolved_at,
                "items": [
                    {
                        "material_id": str(entry["material_id"]),
                        "material": entry["material"],
                        "problem": entry["problem"],
                    }
                    for entry in notice.items
                ],
            }
            for notice in case.correction_requests.order_by("sent_at")
        ],
        "special_procedures": [
            {
                "kind": _code_label(procedure.kind, procedure.get_kind_display()),
                "basis": procedure.basis,
                "reason": procedure.reason,
                "started_on": procedure.started_on,
                "ended_on": procedure.ended_on,
                "working_days": procedure.working_days,
                "expected_working_days": procedure.expected_working_days,
                "expected_end_on": procedure.expected_end_on,
            }
            for procedure in case.special_procedures.order_by("started_on", "created_at")
        ],
        "timeline": [
            {
                "action": _code_label(event.action, event.get_action_display()),
                "status": event.to_status,
                "department": event.department.name if event.department else "",
                "at": event.at,
                "note": event.note,
            }
            for event in case.events.filter(public=True)
            .select_related("department")
            .order_by("at", "created_at")
        ],
    }
