"""Life-event bundles (一件事一次办): one application for several items of several departments.

A bundle application is one **parent** case (``Case.bundle`` set) and one **child** case per chosen item
(``Case.parent``). The parent is what the applicant sees and submits once; the children are ordinary cases,
each with its own guide version, form, materials and handling department, pre-reviewed, accepted and
concluded by that department like any other case. The parent is filed under the bundle's lead item (the
first in stage order) only so that every column a case needs has a value: no department handles it, and
the staff queues, the scheduler and the national exchange leave it out. Its state follows the children:
submitted with the first stage, accepted (numbered, with the one query password and due date) with its
first accepted child, concluded when the last of them is finished, withdrawn when all of them are. The
stages and the hand-over between them are in ``bundle_stages.py``, the one form in ``bundle_forms.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from onewindow.cases.models import Case, CaseEvent, CaseStatus, ConclusionCode, EventAction
from onewindow.cases.services._common import (
    STATUS_ZH,
    applicant_check,
    case_lock,
    case_transition,
    idempotency_claim,
    idempotency_remember,
    request_fingerprint,
)
from onewindow.cases.services.bundle_stages import (
    FINISHED_STATUSES,
    bundle_stage_due,
    bundle_stages,
    handed_over_types,
)
from onewindow.cases.services.handling import CONCLUSION_ZH
from onewindow.cases.services.intake import (
    _company_check,
    _published_version,
    case_receive,
    case_start,
    case_withdraw,
    submission_problems,
)
from onewindow.catalogue.models import Bundle, BundleItem, Item
from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem
from onewindow.core.services import audit_record
from onewindow.identity.models import AssuranceLevel, Company
from onewindow.identity.selectors import principal_for_user

# A child in one of FINISHED_STATUSES will not change any more as far as the bundle is concerned.
_WITHDRAWABLE = frozenset({CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.CORRECTION_REQUESTED})


def _item_name(item: Item) -> str:
    version = item.published_version
    return version.name if version is not None else item.basic.name


def bundle_entries_chosen(bundle: Bundle, optional_items: Iterable[Item]) -> list[BundleItem]:
    """The bundle's required entries and the optional ones the applicant ticked, in stage order. Ticking an
    item that is not an optional entry of this bundle is refused rather than ignored."""
    entries = list(bundle.entries.select_related("item__published_version").order_by("stage", "order"))
    optional = {entry.item_id: entry for entry in entries if entry.optional}
    wanted = {item.pk for item in optional_items}
    unknown = wanted - set(optional)
    if unknown:
        raise DomainError(
            code="bundle_item_unknown",
            message=f"所选事项不是“{bundle.name}”的可选事项，请按页面列出的事项选择。",
        )
    chosen = [entry for entry in entries if not entry.optional or entry.item_id in wanted]
    if not chosen:
        raise DomainError(code="bundle_empty", message=f"“{bundle.name}”没有可办理的事项，请至少选择一项。")
    return chosen


def bundle_required_level(entries: Iterable[BundleItem]) -> int:
    """The assurance level the whole bundle needs: the highest minimum of its chosen items."""
    return max(
        (
            entry.item.published_version.min_assurance_level
            for entry in entries
            if entry.item.published_version is not None
        ),
        default=AssuranceLevel.L1,
    )


def _entries_check(entries: list[BundleItem], person_level: int) -> None:
    """Every chosen item can be applied for online, and the person's level suffices for the highest one."""
    for entry in entries:
        name = _item_name(entry.item)
        try:
            version = _published_version(entry.item)
        except DomainError:
            raise DomainError(
                code="item_not_published",
                message=f"“{name}”当前未发布，该“一件事”暂不能在线办理。",
                status=409,
            ) from None
        if not version.is_online:
            raise DomainError(
                code="item_not_online",
                message=f"“{name}”暂不支持网上申请，请到办事指南所列地点的窗口办理该“一件事”。",
            )
    required = bundle_required_level(entries)
    if person_level < required:
        raise DomainError(
            code="assurance_level_too_low",
            message=f"办理该“一件事”需要 L{required} 级实名认证（其中事项要求的最高等级），您当前为 L{person_level} 级。请先在“我的账户”完成更高等级的身份认证，再继续申请。",
            status=403,
        )


@transaction.atomic
def bundle_case_start(
    *,
    user: Any,
    bundle: Bundle,
    optional_items: Iterable[Item] = (),
    company: Company | None = None,
    idempotency_key: str | None = None,
) -> Case:
    """Start a bundle application: the parent case and a draft child for every required item and every
    ticked optional one, each in its item's department, all or nothing. The person's assurance level must
    reach the highest minimum of the chosen items."""
    optional_items = list(optional_items)
    claim, earlier = idempotency_claim(
        user=user,
        key=idempotency_key,
        fingerprint=request_fingerprint(
            op="bundle_start",
            bundle=bundle.pk,
            optional=sorted(str(item.pk) for item in optional_items),
            company=company.pk if company else None,
        ),
    )
    if earlier is not None:
        return earlier
    principal = principal_for_user(user)
    person = principal.person
    if person is None:
        raise DomainError(
            code="applicant_not_a_person", message="请先以个人实名账户登录后再申请办理事项。", status=403
        )
    if principal.on_behalf_of is not None:
        raise DomainError(
            code="bundle_not_for_agents",
            message="“一件事”暂不支持委托代理人代为申请，请切换为本人办理，或由委托人本人申请。",
            status=403,
        )
    if not bundle.is_published:
        raise DomainError(
            code="bundle_not_published", message="该“一件事”当前未发布，暂不能申请。", status=409
        )
    entries = bundle_entries_chosen(bundle, optional_items)
    _entries_check(entries, person.assurance_level)
    agency = _company_check(user, person, company) if company is not None else None
    lead = entries[0].item
    parent = Case.objects.create(
        applicant=person,
        company=company,
        agency=agency,
        item=lead,
        item_version=_published_version(lead),
        department_id=lead.department_id,
        bundle=bundle,
    )
    CaseEvent.objects.create(
        case=parent,
        action=EventAction.STARTED,
        to_status=CaseStatus.DRAFT,
        department_id=parent.department_id,
        actor=user,
        at=clock.now(),
        public=False,
    )
    audit_record(
        actor=user,
        action="case.bundle_start",
        target=parent,
        changes={"bundle": bundle.code, "items": [entry.item.implementation_code for entry in entries]},
    )
    for entry in entries:
        case_start(user=user, item=entry.item, company=company, parent=parent)
    idempotency_remember(claim, parent)
    return parent


def _children_locked(parent: Case) -> list[Case]:
    # Always in the same order, so two requests on one bundle lock its children without a deadlock.
    return list(
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "department")
        .filter(parent=parent)
        .order_by("pk")
    )


def _entry_order(parent: Case) -> dict[Any, tuple[int, int]]:
    assert parent.bundle is not None
    return {entry.item_id: (entry.stage, entry.order) for entry in parent.bundle.entries.all()}


def _bundle_problems(parent: Case, children: list[Case]) -> list[FieldProblem]:
    """Every problem of every child, each naming its item; and a required item whose draft was discarded."""
    assert parent.bundle is not None
    problems: list[FieldProblem] = []
    live = [child for child in children if child.status == CaseStatus.DRAFT]
    live_items = {child.item_id for child in live}
    for entry in parent.bundle.entries.select_related("item__published_version").filter(optional=False):
        if entry.item_id not in live_items:
            problems.append(
                FieldProblem(
                    field=f"bundle.{entry.item_id}",
                    code="bundle_item_missing",
                    message=f"“{_item_name(entry.item)}”是必办事项，其申请已被撤回。请重新申请该“一件事”。",
                )
            )
    stages = bundle_stages(parent, children)
    for number, group in stages:
        handed = handed_over_types(stages, number)
        for child in group:
            if child.status == CaseStatus.DRAFT:
                problems.extend(_child_problems(child, handed))
    return problems


def _child_problems(child: Case, handed: frozenset[str]) -> list[FieldProblem]:
    """A child's problems, each naming its item; what an earlier stage hands over is not asked for."""
    return [
        FieldProblem(
            field=f"{child.pk}.{problem.field}",
            code=problem.code,
            message=f"{child.item_version.name}：{problem.message}",
        )
        for problem in submission_problems(child, handed_over=handed)
    ]


@transaction.atomic
def bundle_case_submit(*, case: Case, actor: Any, idempotency_key: str | None = None) -> Case:
    """Submit a bundle at once: every child is checked (a later stage not for what an earlier one will hand
    over) and every problem of every child is reported together (nothing is submitted then); otherwise each
    child of the first stage goes to its own department's pre-review queue, the later stages wait for it
    (``bundle_stages.py``), and the parent is marked submitted. The same ``idempotency_key`` again returns the
    parent without a resubmission."""
    claim, earlier = idempotency_claim(
        user=actor, key=idempotency_key, fingerprint=request_fingerprint(op="bundle_submit", case=case.pk)
    )
    if earlier is not None:
        return earlier
    if not case.is_bundle:
        raise DomainError(code="not_a_bundle", message="该办件不是“一件事”申请。", status=409)
    parent = case_lock(case, allowed={CaseStatus.DRAFT}, doing="提交")
    applicant_check(parent, actor)
    children = _children_locked(parent)
    problems = _bundle_problems(parent, children)
    if problems:
        items = len({problem.field.split(".", 1)[0] for problem in problems})
        raise DomainError(
            code="bundle_incomplete",
            message=f"该“一件事”还有 {len(problems)} 处需要补充或修改（涉及 {items} 个事项），请逐项处理后再一次提交。",
            problems=problems,
        )
    # Locked in id order, submitted in the bundle's order; only the first stage still open goes to its
    # departments now — the later ones start as the stages before them conclude (bundle_stages.py).
    stages = bundle_stages(parent, children)
    first, live = next(
        (
            (number, [child for child in group if child.status == CaseStatus.DRAFT])
            for number, group in stages
            if any(child.status == CaseStatus.DRAFT for child in group)
        ),
        (1, []),
    )
    for child in live:
        case_receive(child, actor=actor, action=EventAction.SUBMITTED)
    waiting = sum(
        1 for number, group in stages if number > first for child in group if child.status == CaseStatus.DRAFT
    )
    parent.submitted_at = clock.now()
    departments = "、".join(dict.fromkeys(child.department.name for child in live))
    note = f"第 {first} 阶段的 {len(live)} 个事项已分别送{departments}预审。"
    if waiting:
        note += f"其余 {waiting} 个事项将在前一阶段办结后自动提交，所需证照自动送达，无需再次提交。"
    case_transition(
        parent,
        to=CaseStatus.SUBMITTED,
        action=EventAction.SUBMITTED,
        actor=actor,
        fields=["submitted_at"],
        note=note,
        changes={"children": [str(child.pk) for child in live], "stage": first},
    )
    idempotency_remember(claim, parent)
    return parent


@transaction.atomic
def bundle_stage_submit(*, case: Case, actor: Any) -> Case:
    """Submit a later stage the applicant completed after its automatic start found something missing (the
    earlier stages are finished): every problem of its items is reported at once, or each goes to its
    department."""
    if not case.is_bundle:
        raise DomainError(code="not_a_bundle", message="该办件不是“一件事”申请。", status=409)
    parent = case_lock(case, allowed={CaseStatus.SUBMITTED, CaseStatus.ACCEPTED}, doing="提交")
    applicant_check(parent, actor)
    stages = bundle_stages(parent, _children_locked(parent))
    due = bundle_stage_due(stages)
    if due is None:
        raise DomainError(
            code="bundle_stage_not_due",
            message="当前没有需要您提交的事项：后一阶段会在前一阶段办结后自动提交。",
            status=409,
        )
    number, drafts = due
    # Whatever the earlier stages handed over is attached by now: anything still missing is asked for.
    problems = [problem for child in drafts for problem in _child_problems(child, frozenset())]
    if problems:
        raise DomainError(
            code="bundle_incomplete",
            message=f"第 {number} 阶段还有 {len(problems)} 处需要补充或修改，请逐项处理后再提交。",
            problems=problems,
        )
    for child in drafts:
        case_receive(child, actor=actor, action=EventAction.SUBMITTED)
    return parent


@transaction.atomic
def bundle_case_withdraw(*, case: Case, actor: Any, reason: str = "") -> Case:
    """Withdraw a bundle: every child not yet accepted is withdrawn (a submitted one needs a reason). Children
    already accepted carry on with their departments; the parent is withdrawn once no child is left."""
    if not case.is_bundle:
        raise DomainError(code="not_a_bundle", message="该办件不是“一件事”申请。", status=409)
    parent = case_lock(
        case, allowed={CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED}, doing="撤回"
    )
    applicant_check(parent, actor)
    # Later stages first: withdrawing an earlier stage would otherwise cancel them under our feet.
    stages = bundle_stages(parent, _children_locked(parent))
    withdrawable = [
        child for _number, group in reversed(stages) for child in group if child.status in _WITHDRAWABLE
    ]
    if not withdrawable:
        raise DomainError(
            code="case_state_conflict",
            message="该“一件事”的事项均已受理或办结，不能再撤回。如需撤回已受理的事项，请联系承办部门。",
            status=409,
        )
    for child in withdrawable:
        # Each child's withdrawal settles the parent once the last child is finished (see below).
        case_withdraw(case=child, actor=actor, reason=reason)
    parent.refresh_from_db()
    return parent


def _outcome(child: Case) -> str:
    if child.conclusion_code is not None:
        return CONCLUSION_ZH[ConclusionCode(child.conclusion_code)]
    return STATUS_ZH[CaseStatus(child.status)]


def bundle_parent_settle(*, parent_id: Any, actor: Any) -> None:
    """Called (inside the child's transaction) when a child reaches a finished state: once every child is
    finished the parent follows — withdrawn if every child was withdrawn, otherwise concluded, approved
    (code 0) if every child that was not withdrawn was approved, else with no single code and each item's
    outcome in its result."""
    parent = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item_version", "department", "bundle")
        .get(pk=parent_id)
    )
    if parent.status not in (CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.ACCEPTED):
        return
    order = _entry_order(parent)
    children = sorted(
        parent.children.select_related("item_version"), key=lambda child: order.get(child.item_id, (0, 0))
    )
    if any(child.status not in FINISHED_STATUSES for child in children):
        return
    decided = [child for child in children if child.status != CaseStatus.WITHDRAWN]
    parent.closed_at = clock.now()
    if not decided:
        was_draft = parent.status == CaseStatus.DRAFT
        case_transition(
            parent,
            to=CaseStatus.WITHDRAWN,
            action=EventAction.WITHDRAWN,
            actor=actor,
            fields=["closed_at"],
            note="该“一件事”的全部事项均已撤回。",
            public=not was_draft,
            notify=not was_draft,
        )
        return
    approved = all(child.conclusion_code == ConclusionCode.APPROVED for child in decided)
    parent.conclusion_code = ConclusionCode.APPROVED if approved else None
    parent.result = "；".join(f"{child.item_version.name}：{_outcome(child)}" for child in decided)
    parent.concluded_at = parent.closed_at
    note = "全部事项均已出证办结。" if approved else f"全部事项已办理完毕：{parent.result}。"
    case_transition(
        parent,
        to=CaseStatus.CONCLUDED,
        action=EventAction.CONCLUDED,
        actor=actor,
        fields=["closed_at", "conclusion_code", "result", "concluded_at"],
        note=note,
        changes={"code": parent.conclusion_code},
    )
