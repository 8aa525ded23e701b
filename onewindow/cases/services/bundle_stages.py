"""Stages of a life event (一件事): a later stage starts only when every case of the stages before it is
finished, and what those cases produced (a licence such as the 出生医学证明) is handed over to it.

The bundle is submitted once; only its first stage goes to the departments then. When the last case of a
stage is finished — concluded (``CaseHook.CONCLUDED``, after the licences app has issued the licence), not
accepted or withdrawn — the next stage's drafts get what the earlier stages produced
(``CaseHook.STAGE_STARTING``: the licences app attaches the licences at trust level A) and are received by
their departments as if submitted that moment. If no case of the earlier stages was approved, the later
stages cannot go on and are withdrawn. The bundle's one due date is recomputed at each stage: the promised
days of the stages still to run, each stage as long as its slowest item.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from onewindow.cases.hooks import CaseHook, case_hooks_run
from onewindow.cases.models import (
    Case,
    CaseMaterial,
    CaseMessage,
    CaseStatus,
    ConclusionCode,
    EventAction,
    TrustLevel,
)
from onewindow.cases.services._common import case_lock, case_transition
from onewindow.cases.services.intake import case_receive, submission_problems
from onewindow.cases.services.materials import _attach, _material_of
from onewindow.catalogue.models import BundleItem, CaseType, Material
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.core.services import audit_record
from onewindow.workdays.services import deadline_start

FINISHED_STATUSES = frozenset(
    {CaseStatus.CONCLUDED, CaseStatus.DELIVERED, CaseStatus.NOT_ACCEPTED, CaseStatus.WITHDRAWN}
)
# Withdrawing a stage that cannot go on finishes its cases too: that must not start the advance again.
_advancing: contextvars.ContextVar[bool] = contextvars.ContextVar("bundle_stage_advancing", default=False)


def bundle_entries(parent: Case) -> dict[Any, BundleItem]:
    """The bundle's entries by item."""
    assert parent.bundle_id is not None
    return {entry.item_id: entry for entry in BundleItem.objects.filter(bundle_id=parent.bundle_id)}


def bundle_stages(parent: Case, children: list[Case]) -> list[tuple[int, list[Case]]]:
    """The children grouped by stage, stages in order, each stage's children in the bundle's order."""
    entries = bundle_entries(parent)
    ordered = sorted(
        children,
        key=lambda child: (
            (entries[child.item_id].stage, entries[child.item_id].order)
            if child.item_id in entries
            else (0, 0)
        ),
    )
    stages: dict[int, list[Case]] = {}
    for child in ordered:
        stage = entries[child.item_id].stage if child.item_id in entries else 1
        stages.setdefault(stage, []).append(child)
    return sorted(stages.items())


def handed_over_types(stages: list[tuple[int, list[Case]]], stage: int) -> frozenset[str]:
    """The licence types the items of the stages before ``stage`` issue: the later stage is not asked for them."""
    return frozenset(
        child.item_version.licence_type_code
        for number, group in stages
        if number < stage
        for child in group
        if child.item_version.licence_type_code and child.status != CaseStatus.WITHDRAWN
    )


def _stage_days(group: list[Case]) -> int:
    # Items of one stage run in parallel: the stage takes as long as its slowest item (即办件 take 0 days).
    return max(
        (0 if child.item_version.case_type == CaseType.IMMEDIATE else child.item_version.promised_days)
        for child in group
    )


def bundle_days_remaining(stages: list[tuple[int, list[Case]]], *, from_stage: int) -> int:
    """The promised working days of the stages from ``from_stage`` on (withdrawn items do not count)."""
    return sum(
        _stage_days(live)
        for number, group in stages
        if number >= from_stage
        for live in [[child for child in group if child.status != CaseStatus.WITHDRAWN]]
        if live
    )


def bundle_deadline_set(parent: Case, *, start_on: dt.date, working_days: int) -> None:
    """Point the parent at a fresh clock for the stages still to run; the superseded one goes."""
    old = parent.deadline
    parent.deadline = deadline_start(
        label=f"{parent.number} {parent.bundle.name if parent.bundle else ''}"[:200],
        start_on=start_on,
        working_days=working_days,
    )
    parent.save(update_fields=["deadline", "updated_at"])
    if old is not None:
        old.delete()


def _children_locked(parent: Case) -> list[Case]:
    # Always in id order, as bundles.py does: no deadlock between two requests on one bundle.
    return list(
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "department")
        .filter(parent=parent)
        .order_by("pk")
    )


def _applicant_tell(parent: Case, text: str) -> None:
    CaseMessage.objects.create(
        case=parent, recipient=parent.applicant.user, event=EventAction.SUBMITTED, text=text
    )


@transaction.atomic
def case_material_hand_over(
    *, case: Case, material: Material, reference: str, content: bytes, name: str, actor: Any
) -> CaseMaterial:
    """Attach to a waiting stage what an earlier stage of the same life event produced (its licence's copy),
    at trust level A: the platform hands it over, the applicant is not asked (国务院令716 art. 7). Called by
    the ``CaseHook.STAGE_STARTING`` handlers; the same reference twice keeps the first row."""
    case = case_lock(case, allowed={CaseStatus.DRAFT}, doing="接收前一阶段的办理结果")
    if case.parent_id is None:
        raise DomainError(code="not_a_bundle", message="该办件不属于“一件事”，不能接收其他阶段的办理结果。")
    material = _material_of(case, material)
    earlier = case.materials.filter(material=material, reference=reference).first()
    if earlier is not None:
        return earlier
    return _attach(
        case=case,
        material=material,
        upload=ContentFile(content, name=name),
        trust=TrustLevel.A,
        user=actor,
        reference=reference,
    )


def _stage_start(
    parent: Case, stages: list[tuple[int, list[Case]]], number: int, drafts: list[Case], actor: Any
) -> None:
    earlier = [
        child
        for stage, group in stages
        if stage < number
        for child in group
        if child.conclusion_code == ConclusionCode.APPROVED
    ]
    started = []
    for draft in drafts:
        # The licences app attaches what the earlier stages issued (trust level A) before the pre-review.
        case_hooks_run(CaseHook.STAGE_STARTING, case=draft, actor=actor, earlier=earlier)
        try:
            with transaction.atomic():
                child = case_lock(draft, allowed={CaseStatus.DRAFT}, doing="提交")
                case_receive(child, actor=None, action=EventAction.SUBMITTED)
        except DomainError as refused:
            # Something only the applicant can give is still missing: the item waits as a draft on the
            # bundle's page, where it is completed and submitted.
            _applicant_tell(
                parent,
                f"“{parent.bundle.name if parent.bundle else ''}”第 {number} 阶段的“{draft.item_version.name}”"
                f"还不能提交：{refused.message} 请在“我的办件”中补充后提交。",
            )
            continue
        started.append(child)
    if started:
        audit_record(
            actor=actor,
            action="case.bundle_stage_start",
            target=parent,
            changes={"stage": number, "children": [str(child.pk) for child in started]},
        )
    if parent.number and parent.deadline_id is not None:
        bundle_deadline_set(
            parent,
            start_on=clock.today(),
            working_days=bundle_days_remaining(stages, from_stage=number),
        )


def _stage_cancel(parent: Case, number: int, drafts: list[Case], actor: Any) -> None:
    for draft in drafts:
        child = case_lock(draft, allowed={CaseStatus.DRAFT}, doing="撤回")
        child.closed_at = clock.now()
        case_transition(
            child,
            to=CaseStatus.WITHDRAWN,
            action=EventAction.WITHDRAWN,
            actor=actor,
            fields=["closed_at"],
            note=f"前一阶段的事项均未办结通过，第 {number} 阶段无法继续办理，已自动撤回。",
        )


def bundle_stage_advance(*, parent_id: Any, actor: Any) -> None:
    """Start the next stage of a submitted life event once every case of the stages before it is finished
    (called inside the finishing child's transaction)."""
    if _advancing.get():
        return
    parent = (
        Case.objects.select_for_update(of=("self",))
        .select_related("bundle", "deadline", "applicant__user")
        .get(pk=parent_id)
    )
    if parent.status not in (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED):
        return
    stages = bundle_stages(parent, _children_locked(parent))
    for number, group in stages:
        unfinished = [child for child in group if child.status not in FINISHED_STATUSES]
        if not unfinished:
            continue
        if any(child.status != CaseStatus.DRAFT for child in unfinished):
            return  # this stage is with its departments
        token = _advancing.set(True)
        try:
            earlier = [child for stage, g in stages if stage < number for child in g]
            if earlier and not any(child.conclusion_code == ConclusionCode.APPROVED for child in earlier):
                _stage_cancel(parent, number, unfinished, actor)
                continue
            _stage_start(parent, stages, number, unfinished, actor)
        finally:
            _advancing.reset(token)
        return
    from onewindow.cases.services.bundles import bundle_parent_settle  # (cycle: bundles uses this module)

    # Every stage finished (the last ones cancelled): the bundle ends.
    bundle_parent_settle(parent_id=parent.pk, actor=actor)


def bundle_stage_due(stages: list[tuple[int, list[Case]]]) -> tuple[int, list[Case]] | None:
    """The stage now running (every earlier one finished) with the drafts its automatic start left behind —
    it found something only the applicant can give; None when there are none."""
    for position, (number, group) in enumerate(stages):
        unfinished = [child for child in group if child.status not in FINISHED_STATUSES]
        if not unfinished:
            continue
        drafts = [child for child in unfinished if child.status == CaseStatus.DRAFT]
        # The first stage is submitted with the bundle; a later one only after the stages before it.
        return (number, drafts) if position > 0 and drafts else None
    return None


def bundle_stage_on_concluded(*, case: Case, actor: Any, **_: Any) -> None:
    """``CaseHook.CONCLUDED`` (registered last, in ``CasesConfig.ready()``): a concluded child may finish its
    stage."""
    if case.parent_id is not None:
        bundle_stage_advance(parent_id=case.parent_id, actor=actor)


def bundle_waiting_problems(parent: Case, children: list[Case]) -> dict[Any, int]:
    """For the bundle page: how many things each draft child still misses, not counting what an earlier
    stage will hand over to it."""
    stages = bundle_stages(parent, children)
    missing: dict[Any, int] = {}
    for number, group in stages:
        handed = handed_over_types(stages, number)
        for child in group:
            if child.status == CaseStatus.DRAFT:
                missing[child.pk] = len(submission_problems(child, handed_over=handed))
    return missing
