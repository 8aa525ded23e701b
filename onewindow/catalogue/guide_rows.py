"""A guide version as rows an editor or reviewer reads: every field in plain words, its materials, and the
differences from the published version (what the review page and the version page show)."""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue import services
from onewindow.catalogue.models import (
    HandlingForm,
    ItemVersion,
    Material,
    OnlineDepth,
    ServiceObject,
)
from onewindow.catalogue.selectors import theme_names

_CODE_LISTS = {"service_objects": ServiceObject, "handling_forms": HandlingForm, "online_depth": OnlineDepth}
_SHOWN_FIELDS = ("change_note", *services.GUIDE_FIELDS)


def _model_field(model: Any, name: str) -> Any:
    return model._meta.get_field(name)


def _display(version: ItemVersion, name: str) -> str:
    """A guide field as an editor reads it: labels for codes, one line per fee or question."""
    field = _model_field(ItemVersion, name)
    value = getattr(version, name)
    if name in _CODE_LISTS:
        labels = dict(_CODE_LISTS[name].choices)
        return "、".join(str(labels.get(code, code)) for code in value or [])
    if name == "fee_items":
        return "\n".join(
            f"{fee.get('name', '')}：{fee.get('standard', '')}"
            + (f"（{gettext('basis')}：{fee['basis']}）" if fee.get("basis") else "")
            + (f"（{gettext('can be waived')}）" if fee.get("waivable") else "")
            for fee in value or []
        )
    if name == "faq":
        return "\n".join(
            f"{gettext('Q')}：{entry.get('q', '')}\n{gettext('A')}：{entry.get('a', '')}"
            for entry in value or []
        )
    if name in {"form_schema", "form_ui"}:
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) if value else ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name.rsplit("/", 1)[-1] if value else ""
    return "" if value is None else str(value)


def _relations(version: ItemVersion) -> list[tuple[str, Any, str]]:
    return [
        ("themes", _("themes"), "、".join(theme_names(version.themes.all()))),
        ("joint_departments", _("joint bodies"), "、".join(d.name for d in version.joint_departments.all())),
    ]


def guide_rows(version: ItemVersion) -> list[dict[str, Any]]:
    """Every guide field of a version as (label, value) rows."""
    rows = [
        {
            "name": name,
            "label": _model_field(ItemVersion, name).verbose_name,
            "value": _display(version, name),
        }
        for name in _SHOWN_FIELDS
    ]
    return rows + [
        {"name": name, "label": label, "value": value} for name, label, value in _relations(version)
    ]


def version_diff(old: ItemVersion | None, new: ItemVersion) -> list[dict[str, Any]]:
    """Field by field: the published value, the new value and whether it changed (everything is new at v1)."""
    before = {row["name"]: row["value"] for row in guide_rows(old)} if old is not None else {}
    return [
        row | {"old": before.get(row["name"], ""), "changed": before.get(row["name"], "") != row["value"]}
        for row in guide_rows(new)
        if row["name"] != "change_note"
    ]


_MATERIAL_SHOWN = (
    "name",
    "necessity",
    "condition",
    "form",
    "originals",
    "copies",
    "paper_size",
    "source",
    "licence_type_code",
    "legal_basis",
    "acceptance_standard",
    "filling_notes",
    "blank_form",
    "sample",
)


def _material_values(material: Material) -> dict[str, str]:
    values = {}
    for name in _MATERIAL_SHOWN:
        field = _model_field(Material, name)
        value = getattr(material, name)
        if getattr(field, "choices", None):
            value = dict(field.flatchoices).get(value, value)
        elif hasattr(value, "name") and not isinstance(value, str):
            value = value.name.rsplit("/", 1)[-1] if value else ""
        values[str(field.verbose_name)] = str(value)
    return values


def material_rows(version: ItemVersion) -> list[dict[str, Any]]:
    return [{"material": m, "values": _material_values(m)} for m in version.materials.order_by("order")]


def material_diff(old: ItemVersion | None, new: ItemVersion) -> list[dict[str, Any]]:
    """Materials matched by key: added, removed, changed (with what changed) or unchanged."""
    before = {m.key: m for m in old.materials.order_by("order")} if old is not None else {}
    rows = []
    for material in new.materials.order_by("order"):
        previous = before.pop(material.key, None)
        if previous is None:
            rows.append({"material": material, "change": "added", "fields": []})
            continue
        old_values, new_values = _material_values(previous), _material_values(material)
        changed = [
            {"label": label, "old": old_values[label], "new": value}
            for label, value in new_values.items()
            if old_values[label] != value
        ]
        rows.append({"material": material, "change": "changed" if changed else "same", "fields": changed})
    rows += [{"material": material, "change": "removed", "fields": []} for material in before.values()]
    return rows
