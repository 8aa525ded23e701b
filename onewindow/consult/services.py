"""Writes for 我要问 and 投诉建议: validated, row-locked, one audit entry each."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onewindow.catalogue.models import Item
from onewindow.catalogue.public_cache import public_generation_bump
from onewindow.consult.models import (
    BODY_MAX,
    AnswerRating,
    Complaint,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintStatus,
    FaqStatus,
    Question,
    QuestionStatus,
)
from onewindow.consult.permissions import faq_reviewer_of, is_supervisor, member_check, member_of
from onewindow.core import clock
from onewindow.core.errors import DomainError, FieldProblem, PermissionDenied
from onewindow.core.services import audit_record
from onewindow.organisations.models import Department
from onewindow.workdays.selectors import working_days_add


def _text(value: str, field: str, label: str, *, minimum: int = 5, maximum: int = BODY_MAX) -> str:
    value = value.strip()
    if len(value) < minimum:
        raise DomainError(
            f"{field}.required",
            f"请填写{label}（不少于 {minimum} 个字）。",
            problems=[FieldProblem(field, "required", f"请填写{label}。")],
        )
    if len(value) > maximum:
        raise DomainError(
            f"{field}.too_long",
            f"{label}不能超过 {maximum} 个字。",
            problems=[FieldProblem(field, "too_long", f"{label}不能超过 {maximum} 个字。")],
        )
    return value


def _department_for(item: Item | None, department: Department | None) -> Department:
    if item is not None:
        return item.department
    if department is None:
        raise DomainError(
            "consult.department_required",
            "请选择事项或部门。",
            problems=[FieldProblem("department", "required", "请选择事项或部门。")],
        )
    return department


@transaction.atomic
def question_ask(
    *,
    asker: Any,
    title: str,
    body: str,
    item: Item | None = None,
    department: Department | None = None,
    allow_public: bool = False,
) -> Question:
    """A signed-in citizen asks; the item's department (or the chosen one) must answer within the deadline."""
    if not getattr(asker, "is_authenticated", False):
        raise PermissionDenied("请先登录后再提问。")
    title = _text(title, "title", "问题标题", minimum=4, maximum=100)
    body = _text(body, "body", "问题内容")
    target = _department_for(item, department)
    now = clock.now()
    question = Question.objects.create(
        asker=asker,
        item=item,
        department=target,
        title=title,
        body=body,
        allow_public=allow_public,
        asked_at=now,
        due_on=working_days_add(now.date(), settings.ONEWINDOW_CONSULT_ANSWER_DAYS).date,
    )
    audit_record(actor=asker, action="question.ask", target=question, changes={"department": target.name})
    return question


@transaction.atomic
def question_answer(*, question: Question, actor: Any, answer: str, propose_faq: bool = False) -> Question:
    """The department answers; with the asker's consent it may propose the answer for the item's FAQ."""
    question = Question.objects.select_for_update().select_related("department").get(pk=question.pk)
    member_check(actor, question.department)
    if not question.can_answer():
        raise DomainError("question.answered", "该问题已答复。", status=409)
    question.answer = _text(answer, "answer", "答复", minimum=10)
    question.answered_by, question.answered_at, question.status = actor, clock.now(), QuestionStatus.ANSWERED
    question.answer_public = bool(propose_faq and question.allow_public and question.item_id)
    if question.answer_public:
        question.faq_status = FaqStatus.PENDING
    question.save()
    audit_record(
        actor=actor,
        action="question.answer",
        target=question,
        changes={
            # The day in Beijing, not the stored UTC instant's .date(): just after midnight they differ.
            "on_time": timezone.localdate(question.answered_at) <= question.due_on,
            "faq": question.faq_status,
        },
    )
    return question


@transaction.atomic
def question_faq_review(*, question: Question, actor: Any, publish: bool, faq_question: str = "") -> Question:
    """A department head or administrator reviews a proposed answer before it joins the item's FAQ."""
    question = Question.objects.select_for_update().select_related("department").get(pk=question.pk)
    if not faq_reviewer_of(actor, question.department):
        raise PermissionDenied("只有部门负责人或部门管理员可以审核常见问题。")
    if question.faq_status != FaqStatus.PENDING:
        raise DomainError("question.not_pending", "该问答不在待审核状态。", status=409)
    if publish:
        question.faq_question = _text(
            faq_question or question.title, "faq_question", "常见问题的问法", minimum=4, maximum=200
        )
    question.faq_status = FaqStatus.PUBLISHED if publish else FaqStatus.REJECTED
    question.reviewed_by = actor
    question.save(update_fields=["faq_status", "faq_question", "reviewed_by", "updated_at"])
    if publish:
        public_generation_bump()  # the guide pages are cached per publication: the new FAQ shows at once
    audit_record(
        actor=actor, action="question.faq_review", target=question, changes={"faq": question.faq_status}
    )
    return question


@transaction.atomic
def question_rate(*, question: Question, actor: Any, rating: int, comment: str = "") -> Question:
    """The asker rates the answer (满意 / 基本满意 / 不满意), once."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.asker_id != getattr(actor, "pk", None):
        raise PermissionDenied("只有提问人可以评价答复。")
    if not question.can_rate():
        raise DomainError("question.not_rateable", "该问题尚未答复或已评价。", status=409)
    if rating not in AnswerRating.values:
        raise DomainError("question.rating", "请选择满意、基本满意或不满意。")
    question.rating, question.rating_comment = rating, comment.strip()[:300]
    question.save(update_fields=["rating", "rating_comment", "updated_at"])
    audit_record(actor=actor, action="question.rate", target=question, changes={"rating": rating})
    return question


@transaction.atomic
def complaint_submit(
    *,
    submitter: Any,
    kind: str,
    body: str,
    department: Department | None = None,
    item: Item | None = None,
    anonymous: bool = False,
    contact: str = "",
) -> Complaint:
    """File a complaint or suggestion. Anonymous: the account is not recorded, not even in the audit trail."""
    if kind not in ComplaintKind.values:
        raise DomainError("complaint.kind", "请选择投诉或建议。")
    signed_in = getattr(submitter, "is_authenticated", False)
    if not anonymous and not signed_in:
        raise PermissionDenied("实名投诉请先登录；也可以选择匿名提交。")
    body = _text(body, "body", "内容", minimum=10)
    contact = contact.strip()
    if len(contact) > 100:
        raise DomainError("complaint.contact", "联系方式不能超过 100 个字。")
    target = _department_for(item, department)
    now = clock.now()
    days = settings.ONEWINDOW_COMPLAINT_DAYS
    complaint = Complaint.objects.create(
        kind=kind,
        department=target,
        item=item,
        body=body,
        anonymous=anonymous,
        submitter=None if anonymous else submitter,
        contact=contact,
        reference=f"T{now:%Y%m%d}{secrets.token_hex(4).upper()}",
        received_at=now,
        due_on=working_days_add(now.date(), days).date,
    )
    audit_record(
        actor=None if anonymous else submitter,
        actor_label="匿名" if anonymous else None,
        action="complaint.submit",
        target=complaint,
        changes={"kind": kind, "department": target.name},
    )
    return complaint


@transaction.atomic
def complaint_conclude(*, complaint: Complaint, actor: Any, outcome: str, text: str) -> Complaint:
    """The department or a supervisor records the outcome (办理结果) and closes the complaint."""
    complaint = Complaint.objects.select_for_update().select_related("department").get(pk=complaint.pk)
    if not (member_of(actor, complaint.department) or is_supervisor(actor)):
        raise PermissionDenied("只有被投诉部门或监察人员可以办理。")
    if complaint.status != ComplaintStatus.RECEIVED:
        raise DomainError("complaint.concluded", "该件已办结。", status=409)
    if outcome not in ComplaintOutcome.values:
        raise DomainError(
            "complaint.outcome",
            "请选择办理结果。",
            problems=[FieldProblem("outcome", "required", "请选择办理结果。")],
        )
    complaint.outcome, complaint.outcome_text = outcome, _text(text, "text", "办理情况说明", minimum=10)
    complaint.status, complaint.concluded_by, complaint.concluded_at = (
        ComplaintStatus.CONCLUDED,
        actor,
        clock.now(),
    )
    complaint.save()
    audit_record(
        actor=actor,
        action="complaint.conclude",
        target=complaint,
        changes={
            "outcome": outcome,
            "on_time": timezone.localdate(complaint.concluded_at) <= complaint.due_on,
        },
    )
    return complaint
