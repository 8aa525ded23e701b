"""The events department systems can subscribe to, and what each carries.

Names are ``case.<new status>`` for the national case lifecycle, ``task.<what happened>`` for the steps
of department processing and ``supervision.<what happened>`` for e-supervision. Payloads carry ids, numbers and states, never an applicant's name or identifiers:
the receiver fetches what it needs over the API with its own token, which is checked and logged.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

CASE_EVENTS = {
    "case.submitted": _("case submitted (收件)"),
    "case.correction_requested": _("correction requested (补齐补正)"),
    "case.accepted": _("case accepted (受理)"),
    "case.not_accepted": _("case not accepted (不予受理)"),
    "case.in_process": _("case in process (办理中)"),
    "case.suspended": _("special procedure started (特别程序)"),
    "case.concluded": _("case concluded (办结)"),
    "case.delivered": _("result delivered (送达)"),
    "case.withdrawn": _("case withdrawn (撤回)"),
}
# The workflow's audit actions (workflow.task_<verb>) and the event each one is.
TASK_VERBS = {
    "claim": "task.claimed",
    "release": "task.released",
    "transfer": "task.transferred",
    "approve": "task.completed",
    "return": "task.returned",
    "opinion": "task.commented",
}
TASK_EVENTS = {
    "task.created": _("task created (new step to do)"),
    "task.claimed": _("task claimed (签收)"),
    "task.released": _("task released (退签)"),
    "task.transferred": _("task transferred (转办)"),
    "task.completed": _("task approved (通过)"),
    "task.returned": _("task returned (退回)"),
    "task.commented": _("opinion added"),
}
# E-supervision (issue #15), sent to the supervised department's subscribers: the supervision app records them
# itself (it sits above this one), in the transaction of the change.
SUPERVISION_EVENTS = {
    "supervision.alert_raised": _("supervision alert raised (预警、亮牌或违规记录)"),
    "supervision.order_issued": _("supervision order issued (督办单)"),
    "supervision.order_replied": _("supervision order replied (督办答复)"),
}
EVENT_TYPES: dict[str, Any] = {**CASE_EVENTS, **TASK_EVENTS, **SUPERVISION_EVENTS}
ALL_EVENTS = "*"


def case_data(case: Any) -> dict[str, Any]:
    return {
        "id": str(case.pk),
        "number": case.number,
        "status": case.status,
        "version": case.version,
        "item": {"implementation_code": case.item.implementation_code, "name": case.item_version.name},
    }


def task_data(task: Any) -> dict[str, Any]:
    return {
        "id": str(task.pk),
        "name": task.name,
        "status": task.status,
        "role": task.role,
        "step_id": str(task.step_id),
        "action": task.action,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "case_id": str(task.case_id),
    }
