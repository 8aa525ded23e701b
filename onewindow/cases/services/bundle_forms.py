"""The merged form of a life-event application (一表申请): the bundle's page shows one form — the fields
several items share, asked once, then each item's own fields — and saving it writes every item's draft.
How fields merge is the catalogue's (``catalogue/bundle_forms.py``); this applies it to the drafts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext

from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.services._common import applicant_check, case_lock
from onewindow.cases.services.bundle_stages import bundle_stages, handed_over_types
from onewindow.cases.services.materials import case_material_attach
from onewindow.catalogue.bundle_forms import MergedForm
from onewindow.catalogue.models import MaterialSource
from onewindow.catalogue.selectors import bundle_merged_form
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record

SHARED = "shared"


@dataclass
class BundleFormLayout:
    """The one form of a bundle application: a JSON Schema with a ``shared`` group and one group per item
    (``item1``, ``item2`` … in the bundle's order), and which draft each group belongs to."""

    merged: MergedForm
    schema: dict[str, Any]
    ui: dict[str, Any]
    groups: dict[str, Case]
    children: list[Case]

    def data(self) -> dict[str, Any]:
        """The form's current values, read from the drafts."""
        data: dict[str, Any] = {SHARED: self.merged.gather({c.item_id: c.form_data for c in self.children})}
        for key, child in self.groups.items():
            own = self.schema["properties"][key]["properties"]
            data[key] = {name: value for name, value in (child.form_data or {}).items() if name in own}
        return data


def bundle_form_layout(parent: Case) -> BundleFormLayout:
    """The merged form of the items this applicant chose, in the bundle's order."""
    assert parent.bundle is not None
    children = [
        child
        for _number, group in bundle_stages(
            parent, list(parent.children.select_related("item", "item_version"))
        )
        for child in group
        if child.status != CaseStatus.WITHDRAWN
    ]
    merged = bundle_merged_form(bundle=parent.bundle, items=[child.item for child in children])
    properties: dict[str, Any] = {}
    ui: dict[str, Any] = {"order": [SHARED], "help": {}, "widgets": {}}
    if merged.shared:
        properties[SHARED] = {
            "type": "object",
            "title": gettext("Details for every service (asked once)"),
            **merged.schema(),
        }
        ui["help"] |= {f"{SHARED}.{name}": text for name, text in merged.ui()["help"].items()}
    groups: dict[str, Case] = {}
    for number, child in enumerate(children, start=1):
        own = merged.own.get(child.item_id, [])
        if not own:
            continue
        schema = child.item_version.form_schema or {}
        key = f"item{number}"
        groups[key] = child
        item_properties = schema.get("properties") or {}
        properties[key] = {
            "type": "object",
            "title": child.item_version.name,
            "properties": {name: item_properties[name] for name in own},
            "required": [name for name in schema.get("required") or [] if name in own],
        }
        hints = child.item_version.form_ui or {}
        for kind in ("help", "widgets"):
            for name, value in (hints.get(kind) or {}).items():
                if name in own:
                    ui[kind][f"{key}.{name}"] = value
        ui["order"].append(key)
    return BundleFormLayout(
        merged=merged,
        schema={"type": "object", "properties": properties},
        ui=ui,
        groups=groups,
        children=children,
    )


@transaction.atomic
def bundle_form_save(*, case: Case, user: Any, data: dict[str, Any]) -> Case:
    """Save the bundle's one form into every item's draft: each shared value into every item that asks for
    it, each item's own fields into that item (a draft may be incomplete; submission checks it)."""
    if not isinstance(data, dict):
        raise DomainError(code="form_data_invalid", message="表单数据格式不正确。")
    parent = case_lock(case, allowed={CaseStatus.DRAFT}, doing="修改申请表")
    applicant_check(parent, user)
    layout = bundle_form_layout(parent)
    given = data.get(SHARED)
    shared: dict[str, Any] = given if isinstance(given, dict) else {}
    per_item = layout.merged.split(shared)
    targets = layout.merged.shared_targets()
    keys = {child.pk: key for key, child in layout.groups.items()}
    changed = []
    for child in layout.children:
        if child.status != CaseStatus.DRAFT:
            continue
        key = keys.get(child.pk, "")
        locked = case_lock(child, allowed={CaseStatus.DRAFT}, doing="修改申请表")
        form = dict(locked.form_data or {})
        for item_id, field in targets:
            if item_id == locked.item_id:
                form.pop(field, None)
        form |= per_item.get(locked.item_id, {})
        own = layout.schema["properties"].get(key, {}).get("properties", {})
        own_given = data.get(key)
        values: dict[str, Any] = own_given if isinstance(own_given, dict) else {}
        for name in own:
            form.pop(name, None)
            if name in values:
                form[name] = values[name]
        if form != (locked.form_data or {}):
            locked.form_data = form
            locked.version += 1
            locked.save(update_fields=["form_data", "version", "updated_at"])
            changed.append(str(locked.pk))
    audit_record(actor=user, action="case.bundle_form_save", target=parent, changes={"children": changed})
    return parent


@dataclass
class BundleMaterial:
    """One material of the bundle's one list (by key): the items that need it and how many have it."""

    key: str
    name: str
    item_names: list[str]
    missing: int


def bundle_materials_needed(parent: Case) -> list[BundleMaterial]:
    """What the applicant still provides for the drafts of a bundle, each material once (same key = same
    document); what the platform obtains, generates from the form, or an earlier stage hands over is not
    listed."""
    stages = bundle_stages(parent, _children(parent))
    rows: dict[str, BundleMaterial] = {}
    for number, group in stages:
        handed = handed_over_types(stages, number)
        for child in group:
            if child.status != CaseStatus.DRAFT:
                continue
            present = {row.material_id for row in child.materials.all()}
            for material in child.item_version.materials.all():
                licence = material.source == MaterialSource.ELICENCE
                if not (material.asked_as_upload or licence) or material.licence_type_code in handed:
                    continue
                row = rows.setdefault(material.key, BundleMaterial(material.key, material.name, [], 0))
                row.item_names.append(child.item_version.name)
                row.missing += material.pk not in present
    return list(rows.values())


def _children(parent: Case) -> list[Case]:
    return list(
        parent.children.select_related("item", "item_version").prefetch_related(
            "item_version__materials", "materials"
        )
    )


@transaction.atomic
def bundle_material_attach(*, case: Case, user: Any, key: str, upload: Any) -> int:
    """One upload for every draft of the bundle that asks for the material ``key`` (the ID card once, not
    four times); returns how many items received it. Each copy is checked like any upload."""
    parent = case_lock(case, allowed={CaseStatus.DRAFT}, doing="上传材料")
    applicant_check(parent, user)
    content = upload.read()
    name = str(getattr(upload, "name", "") or "upload")
    attached = 0
    for child in _children(parent):
        if child.status != CaseStatus.DRAFT:
            continue
        material = next((m for m in child.item_version.materials.all() if m.key == key), None)
        if material is None or not (material.asked_as_upload or material.source == MaterialSource.ELICENCE):
            continue
        case_material_attach(case=child, user=user, material=material, upload=ContentFile(content, name=name))
        attached += 1
    if not attached:
        raise DomainError(code="material_not_in_guide", message="该“一件事”的事项均不需要上传这份材料。")
    return attached
