"""Assisted filing (帮办代办): a grassroots point files an online application in a resident's name.

The resident is the applicant (the case is theirs, in their 我的办件); the point's staff member only filled in
and uploaded for them, so the case enters the handling department's pre-review like any online application.
Who may assist, and the resident's consent, are checked by ``onewindow.assist`` before it calls this.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import Case, CaseEvent, CaseStatus, EventAction, TrustLevel
from onewindow.cases.services.intake import _published_version, case_file_for_person
from onewindow.catalogue.form_limits import form_size_check
from onewindow.catalogue.models import Item, Material
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.identity.models import AssuranceLevel, Person


@transaction.atomic
def case_assisted_file(
    *,
    helper: Any,
    person: Person,
    item: Item,
    form_data: dict[str, Any],
    materials: Sequence[tuple[Material, Any]],
    assisted_by: str,
) -> Case:
    """Start and submit ``item`` for ``person``, filled in by ``helper`` at the point named ``assisted_by``
    (shown on the timeline: "由 … 帮办"). Materials are the scans the helper uploaded (trust level C: the
    handling department still checks them)."""
    version = _published_version(item)
    if not version.is_online:
        raise DomainError(
            code="item_not_online", message="该事项暂不支持网上申请，请引导群众到办事指南所列地点的窗口办理。"
        )
    if person.assurance_level < version.min_assurance_level:
        raise DomainError(
            code="assurance_level_too_low",
            message=f"该事项需要 L{version.min_assurance_level} 级实名认证，请先核验群众的居民身份证。",
            status=403,
        )
    form_size_check(schema=version.form_schema, data=form_data)
    case = Case.objects.create(
        applicant=person,
        item=item,
        item_version=version,
        department_id=item.department_id,
        form_data=form_data,
        filed_by=helper,
    )
    CaseEvent.objects.create(
        case=case,
        action=EventAction.STARTED,
        to_status=CaseStatus.DRAFT,
        department_id=case.department_id,
        actor=helper,
        at=clock.now(),
        note=f"由{assisted_by}帮办",
    )
    audit_record(
        actor=helper,
        action="case.assisted_file",
        target=case,
        changes={
            "person": str(person.pk),
            "point": assisted_by,
            "level": int(AssuranceLevel(person.assurance_level)),
        },
    )
    case_hooks_run(CaseHook.STARTED, case=case, actor=helper)
    return case_file_for_person(case=case, materials=materials, trust=TrustLevel.C, actor=helper)
