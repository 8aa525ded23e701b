"""What every case service shares: the row lock with the optimistic version check, the one way a case changes
state (event + audit + notification), idempotency keys and who may act on a case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from onewindow.cases.models import Case, CaseEvent, CaseStatus, IdempotencyKey
from onewindow.core import clock, crypto
from onewindow.core.errors import DomainError, NotFound, PermissionDenied
from onewindow.core.hashing import canonical_json
from onewindow.core.queue import enqueue_in_transaction
from onewindow.core.services import audit_record
from onewindow.halls.selectors import comprehensive_window_serves
from onewindow.identity.models import AgencyScope
from onewindow.identity.selectors import principal_for_user
from onewindow.organisations.models import Role
from onewindow.organisations.selectors import staff_memberships

# For messages: DomainError text is Chinese (the model labels go through i18n for pages).
STATUS_ZH = {
    CaseStatus.DRAFT: "草稿",
    CaseStatus.SUBMITTED: "已收件（待预审）",
    CaseStatus.CORRECTION_REQUESTED: "待补齐补正",
    CaseStatus.ACCEPTED: "已受理",
    CaseStatus.NOT_ACCEPTED: "不予受理",
    CaseStatus.IN_PROCESS: "办理中",
    CaseStatus.SUSPENDED: "特别程序中（暂停计时）",
    CaseStatus.CONCLUDED: "已办结",
    CaseStatus.DELIVERED: "已送达",
    CaseStatus.WITHDRAWN: "已撤回",
}
HANDLING_ROLES = (Role.WINDOW_CLERK, Role.REVIEWER, Role.APPROVER)


def case_lock(case: Case, *, allowed: Iterable[str], doing: str, expected_version: int | None = None) -> Case:
    """Lock the case row for this transaction and check nobody changed it meanwhile.

    ``doing`` completes "不能…" in the message. Both a stale ``expected_version`` and a state that no longer
    allows the action are conflicts (409): a second clerk accepting a case just accepted gets here.
    """
    # of=("self",): lock the case only, not the guide version and department rows joined for reading.
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("item", "item_version", "department")
        .get(pk=case.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            code="case_state_conflict",
            message=f"该办件已被他人处理，当前状态为“{STATUS_ZH[CaseStatus(locked.status)]}”。请刷新后再操作。",
            status=409,
        )
    if locked.status not in set(allowed):
        raise DomainError(
            code="case_state_conflict",
            message=f"该办件当前状态为“{STATUS_ZH[CaseStatus(locked.status)]}”，不能{doing}。请刷新后查看最新情况。",
            status=409,
        )
    return locked


def case_transition(
    case: Case,
    *,
    to: str,
    action: str,
    actor: Any | None,
    fields: Iterable[str] = (),
    note: str = "",
    basis: str = "",
    public: bool = True,
    changes: dict[str, Any] | None = None,
    notify: bool = True,
    notify_with: dict[str, str] | None = None,
) -> CaseEvent:
    """Save a locked case in its new state (``fields`` are the other columns the caller set) and record it:
    one timeline event, one audit entry, and the applicant's notification queued with them."""
    before = case.status
    case.status = to
    case.version += 1
    case.save(update_fields=["status", "version", "updated_at", *fields])
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=before,
        to_status=to,
        department_id=case.department_id,
        actor=actor,
        at=clock.now(),
        note=note,
        basis=basis,
        public=public,
    )
    audit_record(
        actor=actor,
        action=f"case.{action}",
        target=case,
        changes={"status": [before, to], **(changes or {})},
    )
    if notify:
        _notify(
            case_id=str(case.pk), event=action, case_event_id=str(event.pk), extra=dict(notify_with or {})
        )
    if case.parent_id is not None:
        # A bundle's child: its parent follows once the last child is finished, whichever way (conclusion,
        # refusal, withdrawal, return) it got there — so this is the one place every such path passes.
        from onewindow.cases.services.bundle_stages import bundle_stage_advance  # (cycle)
        from onewindow.cases.services.bundles import FINISHED_STATUSES, bundle_parent_settle  # (cycle)

        if to in FINISHED_STATUSES:
            bundle_parent_settle(parent_id=case.parent_id, actor=actor)
            # A refusal or a withdrawal may finish a stage too (a conclusion does so through its hook, once
            # the licence it issues exists): the next stage starts, or cannot go on.
            if to != CaseStatus.CONCLUDED:
                bundle_stage_advance(parent_id=case.parent_id, actor=actor)
    return event


def _notify(*, case_id: str, event: str, case_event_id: str, extra: dict[str, str]) -> None:
    """Queue the applicant's notification in this transaction (core.queue): it commits with the change. Only
    ids and the sealed (encrypted) query password go into the task row, which keeps its arguments."""
    from onewindow.cases.tasks import case_notify

    enqueue_in_transaction(case_notify, case_id=case_id, event=event, case_event_id=case_event_id, **extra)


# --- idempotency --------------------------------------------------------------------------------------


def request_fingerprint(**parts: Any) -> str:
    # Keyed: a request may carry a form with an ID number, and a plain digest of a few guessable fields
    # could be reversed by trying every number (the same reason identity uses keyed look-up hashes).
    return crypto.lookup_hash(canonical_json(parts), purpose="cases.idempotency")


def idempotency_claim(
    *, user: Any, key: str | None, fingerprint: str
) -> tuple[IdempotencyKey | None, Case | None]:
    """Claim ``key`` for this request, or find the case an earlier request with it produced.

    The row is inserted before any work: a concurrent retry blocks on the unique index (PostgreSQL) or on the
    write lock (SQLite) until the first request commits, then finds its case instead of making a second.
    """
    if not key:
        return None, None
    key = key.strip()
    if not 1 <= len(key) <= 100:
        raise DomainError(
            code="idempotency_key_invalid", message="幂等键（Idempotency-Key）长度应为 1–100 个字符。"
        )
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint), None
    except IntegrityError:
        existing = IdempotencyKey.objects.select_related("case").get(user=user, key=key)
    if existing.fingerprint != fingerprint or existing.case is None:
        raise DomainError(
            code="idempotency_key_reused",
            message="该幂等键（Idempotency-Key）已用于另一个请求，请为新的请求生成新的键。",
            status=422,
        )
    return None, existing.case


def idempotency_remember(claim: IdempotencyKey | None, case: Case) -> None:
    if claim is not None:
        claim.case = case
        claim.save(update_fields=["case", "updated_at"])


# --- who may act ----------------------------------------------------------------------------------------


def applicant_check(case: Case, user: Any) -> None:
    """The user is the applicant, acts for the applicant company, or acts in the applicant person's name,
    with the ``apply`` scope. Anyone else is told the case does not exist (404), as the selectors do."""
    principal = principal_for_user(user)
    if principal.person is None:
        raise NotFound("未找到该办件，或您无权查看。")
    if case.company_id is None:
        if case.applicant_id == principal.person.pk:
            return
        # An agent in the principal's name (委托代理) with the ``apply`` scope.
        if (
            principal.on_behalf_of is not None
            and case.applicant_id == principal.on_behalf_of.pk
            and principal.allows(AgencyScope.APPLY)
        ):
            return
    elif (
        principal.company is not None
        and principal.company.pk == case.company_id
        and principal.allows(AgencyScope.APPLY)
    ):
        return
    raise NotFound("未找到该办件，或您无权查看。")


def staff_check(
    user: Any, case: Case, roles: Iterable[str], doing: str, *, at_comprehensive_window: bool = False
) -> None:
    """The user holds one of ``roles`` in the case's handling department — or, for the window's own acts
    (``at_comprehensive_window``: acceptance, refusal, correction, walk-ins, handing out), works the
    comprehensive window of a centre where the case's item is stationed (前台综合受理、综合窗口出件)."""
    if at_comprehensive_window and comprehensive_window_serves(user=user, item_id=case.item_id):
        return
    if (
        not staff_memberships(user=user)
        .filter(department_id=case.department_id, role__in=list(roles))
        .exists()
    ):
        raise PermissionDenied(f"只有办件所属部门（{case.department.name}）的相应岗位人员可以{doing}。")


def text_required(value: str, *, code: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(code=code, message=message)
    return value
