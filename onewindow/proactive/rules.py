"""The proactive-service rules, kept as data (``rules.json``) so that a new reminder is a new entry, not new
code. Each rule names what it watches (a licence type's expiry, a child's age from a birth certificate or a
birth-registration case) and the catalogue item or life-event bundle to apply for."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from onewindow.proactive.models import RecommendationKind

RULES_FILE = Path(__file__).with_name("rules.json")


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str
    title: str
    detail: str
    days_before: int
    item: str = ""  # implementation code
    bundle: str = ""  # life-event bundle code
    licence_type: str = ""
    child_age: int = 0
    birth_licence_type: str = ""
    birth_items: tuple[str, ...] = field(default_factory=tuple)
    birth_date_field: str = "birth_date"
    child_name_field: str = ""


def _rule(raw: dict[str, object]) -> Rule:
    rule = Rule(**{**raw, "birth_items": tuple(raw.get("birth_items", ()))})  # type: ignore[arg-type]
    if rule.kind not in RecommendationKind.values:
        raise ValueError(f"rule {rule.key}: unknown kind {rule.kind}")
    if not (rule.item or rule.bundle):
        raise ValueError(f"rule {rule.key}: names neither an item nor a bundle")
    if rule.kind == RecommendationKind.LICENCE_EXPIRY and not rule.licence_type:
        raise ValueError(f"rule {rule.key}: a licence-expiry rule needs licence_type")
    if rule.kind == RecommendationKind.LIFE_EVENT and not rule.child_age:
        raise ValueError(f"rule {rule.key}: a life-event rule needs child_age")
    return rule


@cache
def rules_load(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules, checked: a broken rules file fails loudly at the first run, not silently per person."""
    return tuple(_rule(raw) for raw in json.loads(path.read_text(encoding="utf-8")))
