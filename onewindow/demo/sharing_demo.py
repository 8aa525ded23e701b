"""Demo data of the data-sharing platform: the resource catalogue and the departments' approvals, from the
JSON files in ``demo/sharing/`` (the sandbox registries read their records from ``demo/sharing/registries/``),
loaded through the sharing services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onewindow.organisations.models import Department
from onewindow.sharing.models import SharedResource, SharingApproval
from onewindow.sharing.services import approval_decide, approval_request, resource_save

DATA_DIR = Path(__file__).resolve().parent / "sharing"


def _read(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return rows


def sharing_demo_load(*, departments: dict[str, Department]) -> dict[str, int]:
    """Create the missing resources and approvals; return how many were created."""
    created = {"shared_resources": 0, "sharing_approvals": 0}
    resources: dict[str, SharedResource] = {}
    for row in _read("resources.json"):
        resource = SharedResource.objects.filter(code=row["code"]).first()
        if resource is None:
            resource = resource_save(
                actor=None,
                provider=departments[row["provider"]],
                code=row["code"],
                name=row["name"],
                registry_name=row["registry"],
                subject_kind=row["subject_kind"],
                sharing_class=row["sharing_class"],
                update_frequency=row["update_frequency"],
                legal_basis=row["legal_basis"],
                fields=row["fields"],
                material_keys=row["material_keys"],
                description=row.get("description", ""),
            )
            created["shared_resources"] += 1
        resources[row["code"]] = resource
    for row in _read("approvals.json"):
        resource, consumer = resources[row["resource"]], departments[row["consumer"]]
        if SharingApproval.objects.filter(
            resource=resource, consumer=consumer, purpose=row["purpose"]
        ).exists():
            continue
        approval = approval_request(
            actor=None, resource=resource, consumer=consumer, fields=row["fields"], purpose=row["purpose"]
        )
        if row["decision"] in {"approved", "refused"} and approval.status == "requested":
            approval_decide(
                actor=None, approval=approval, approve=row["decision"] == "approved", note=row.get("note", "")
            )
        created["sharing_approvals"] += 1
    return created
