"""The supervision rules: the current version, and a change as a new version (never an edit)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.supervision.models import RuleVersion

RULE_FIELDS = (
    "warn_percent",
    "red_after_days",
    "correction_days",
    "delivery_days",
    "order_reply_days",
    "max_limit_days",
    "returns_breach",
)
# (lowest, highest) allowed for each rule.
RULE_BOUNDS = {
    "warn_percent": (1, 99),
    "red_after_days": (0, 60),
    "correction_days": (1, 30),
    "delivery_days": (1, 60),
    "order_reply_days": (1, 30),
    "max_limit_days": (1, 120),
    "returns_breach": (2, 10),
}


def rule_version_current() -> RuleVersion:
    """The rules in force: the newest version (the law's defaults when none was ever saved)."""
    current = RuleVersion.objects.order_by("-number").first()
    if current is None:
        current = RuleVersion.objects.create(number=1, note="默认规则（法定时限）")
    return current


@transaction.atomic
def rule_version_create(*, actor: Any | None, values: dict[str, Any], note: str) -> RuleVersion:
    """Save changed rules as the next version; alerts already raised keep the version that raised them."""
    problems = []
    clean: dict[str, int] = {}
    for field in RULE_FIELDS:
        low, high = RULE_BOUNDS[field]
        try:
            value = int(values[field])
        except (KeyError, TypeError, ValueError):
            problems.append(FieldProblem(field=field, code="required", message="请填写整数。"))
            continue
        if not low <= value <= high:
            problems.append(
                FieldProblem(field=field, code="out_of_range", message=f"应在 {low} 到 {high} 之间。")
            )
        clean[field] = value
    note = (note or "").strip()
    if not note:
        problems.append(FieldProblem(field="note", code="required", message="请说明这次修改了什么、为什么。"))
    if problems:
        raise DomainError(
            code="supervision_rules_invalid", message="监察规则有误，请修改后再保存。", problems=problems
        )
    current = RuleVersion.objects.select_for_update().order_by("-number").first()
    number = current.number + 1 if current is not None else 1
    version = RuleVersion.objects.create(number=number, note=note[:300], created_by=actor, **clean)
    audit_record(actor=actor, action="supervision.rules_change", target=version, changes=clean)
    return version


def rule_version_load(*, path: Path) -> RuleVersion:
    """Load a rule set from a JSON data file (the demo's) as a new version when it differs from the current."""
    data = json.loads(path.read_text(encoding="utf-8"))
    current = RuleVersion.objects.order_by("-number").first()
    if current is not None and all(getattr(current, field) == data.get(field) for field in RULE_FIELDS):
        return current
    return rule_version_create(actor=None, values=data, note=data.get("note", "从数据文件导入"))
