"""The merged form of a life-event bundle (一表申请): every field that several of its items ask for — the
applicant's name, ID number and phone, the child's or the company's data — is asked once and copied into each
item's own form.

Fields merge by name: the demo and provincial catalogues build their forms from shared templates, so
``id_number`` is the same thing in every item. A catalogue administrator overrides that per item in
``Bundle.field_map`` — ``{"<implementation code>": {"<field>": "<shared name>"}}`` — to merge two fields
named differently (``insured_name`` → ``baby_name``) or, with ``""``, to keep a same-named field separate.
Two fields of different types never merge. Only top-level fields merge; a nested group stays with its item.

Pure functions, no database: ``selectors.bundle_merged_form`` feeds them the bundle's published forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SHARED_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")


@dataclass(frozen=True)
class BundleForm:
    """One item's form as the merge sees it."""

    item_id: Any
    implementation_code: str
    item_name: str
    schema: dict[str, Any]
    ui: dict[str, Any]


@dataclass
class FieldTarget:
    """Where a shared field's value goes: one item's own field."""

    item_id: Any
    item_name: str
    field: str


@dataclass
class SharedField:
    """A field asked once for several items."""

    name: str
    schema: dict[str, Any]
    required: bool
    help: str
    targets: list[FieldTarget] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or self.name)

    @property
    def item_names(self) -> list[str]:
        return list(dict.fromkeys(target.item_name for target in self.targets))


@dataclass
class MergedForm:
    """The shared fields (asked once) and, per item, the fields only that item asks."""

    shared: list[SharedField]
    own: dict[Any, list[str]]

    def schema(self) -> dict[str, Any]:
        """A JSON Schema of the shared fields, for the bundle page's form and its validation."""
        return {
            "type": "object",
            "properties": {shared.name: shared.schema for shared in self.shared},
            "required": [shared.name for shared in self.shared if shared.required],
        }

    def ui(self) -> dict[str, Any]:
        return {
            "order": [shared.name for shared in self.shared],
            "help": {shared.name: shared.help for shared in self.shared if shared.help},
        }

    def split(self, data: dict[str, Any]) -> dict[Any, dict[str, Any]]:
        """The shared values as each item's form data (only the fields given)."""
        per_item: dict[Any, dict[str, Any]] = {}
        for shared in self.shared:
            if shared.name not in data:
                continue
            for target in shared.targets:
                per_item.setdefault(target.item_id, {})[target.field] = data[shared.name]
        return per_item

    def gather(self, forms_data: dict[Any, dict[str, Any]]) -> dict[str, Any]:
        """The shared values as the items hold them now: the first item (in stage order) that has one."""
        data: dict[str, Any] = {}
        for shared in self.shared:
            for target in shared.targets:
                value = (forms_data.get(target.item_id) or {}).get(target.field)
                if value not in (None, "", []):
                    data[shared.name] = value
                    break
        return data

    def shared_targets(self) -> set[tuple[Any, str]]:
        """(item, field) pairs filled from the shared section."""
        return {(target.item_id, target.field) for shared in self.shared for target in shared.targets}


def _kind(schema: dict[str, Any]) -> tuple[Any, Any]:
    return schema.get("type"), schema.get("format")


def merged_form(forms: list[BundleForm], field_map: dict[str, Any] | None = None) -> MergedForm:
    """Merge the items' forms (given in stage order) per the field map (see the module docstring)."""
    field_map = field_map if isinstance(field_map, dict) else {}
    candidates: dict[str, SharedField] = {}
    for form in forms:
        overrides = field_map.get(form.implementation_code) or {}
        properties = form.schema.get("properties") or {}
        required = set(form.schema.get("required") or [])
        hints = form.ui.get("help")
        help_hints: dict[str, Any] = hints if isinstance(hints, dict) else {}
        for name, sub in properties.items():
            sub = sub or {}
            if sub.get("type") == "object":
                continue
            shared_name = overrides.get(name, name) if isinstance(overrides, dict) else name
            if not shared_name:
                continue
            candidate = candidates.get(shared_name)
            if candidate is None:
                candidate = candidates[shared_name] = SharedField(
                    name=shared_name, schema=sub, required=False, help=str(help_hints.get(name) or "")
                )
            elif _kind(candidate.schema) != _kind(sub):
                continue
            candidate.required = candidate.required or name in required
            candidate.targets.append(FieldTarget(item_id=form.item_id, item_name=form.item_name, field=name))
    shared = [candidate for candidate in candidates.values() if len(candidate.targets) > 1]
    taken = {(target.item_id, target.field) for candidate in shared for target in candidate.targets}
    own = {
        form.item_id: [
            name for name in (form.schema.get("properties") or {}) if (form.item_id, name) not in taken
        ]
        for form in forms
    }
    return MergedForm(shared=shared, own=own)


def field_map_problems(forms: list[BundleForm], field_map: Any) -> list[tuple[str, str]]:
    """What is wrong with a field map, as (where, Chinese message) pairs; empty when it is usable."""
    if field_map in (None, ""):
        return []
    if not isinstance(field_map, dict):
        return [("field_map", "合并表单字段对照应为“事项实施编码 → {字段: 共用字段名}”的对象。")]
    by_code = {form.implementation_code: form for form in forms}
    problems: list[tuple[str, str]] = []
    for code, overrides in field_map.items():
        form = by_code.get(code)
        if form is None:
            problems.append((f"field_map.{code}", f"合并表单字段对照中的事项 {code} 不在该“一件事”中。"))
            continue
        if not isinstance(overrides, dict):
            problems.append((f"field_map.{code}", f"“{form.item_name}”的字段对照应为“字段: 共用字段名”。"))
            continue
        properties = form.schema.get("properties") or {}
        for name, shared_name in overrides.items():
            if name not in properties:
                problems.append((f"field_map.{code}.{name}", f"“{form.item_name}”的申请表没有字段 {name}。"))
            elif not isinstance(shared_name, str) or (shared_name and not SHARED_NAME.match(shared_name)):
                problems.append(
                    (
                        f"field_map.{code}.{name}",
                        f"“{form.item_name}”字段 {name} 的共用字段名应为英文字母开头的字母、数字或下划线（留空表示单独填写）。",
                    )
                )
    return problems
