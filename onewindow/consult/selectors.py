"""Reads for 我要问 and 投诉建议: the asker sees their own (another's is a 404), a department its own, a
supervisor every complaint; the public sees only reviewed FAQ entries, never who asked."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from onewindow.catalogue.models import Item
from onewindow.consult.models import Complaint, ComplaintStatus, FaqStatus, Question, QuestionStatus
from onewindow.consult.permissions import is_supervisor, member_of
from onewindow.core.errors import NotFound, PermissionDenied
from onewindow.organisations.selectors import staff_memberships


def item_published_faq(item: Item) -> list[dict[str, str]]:
    """The item's reviewed answers, for the guide's FAQ (registered with the catalogue)."""
    return [
        {"q": q, "a": a}
        for q, a in Question.objects.filter(item=item, faq_status=FaqStatus.PUBLISHED)
        .order_by("answered_at")
        .values_list("faq_question", "answer")
    ]


def questions_of(*, user: Any) -> QuerySet[Question]:
    if not getattr(user, "is_authenticated", False):
        return Question.objects.none()
    return Question.objects.filter(asker=user).select_related("item__basic", "department")


def question_get_for_asker(*, user: Any, pk: uuid.UUID | str) -> Question:
    question = questions_of(user=user).filter(pk=pk).first()
    if question is None:
        raise NotFound("未找到该问题，或您无权查看。")
    return question


def _department_ids(user: Any) -> set[uuid.UUID]:
    return {m.department_id for m in staff_memberships(user=user)}


def questions_for_department(*, user: Any, answered: bool = False) -> QuerySet[Question]:
    status = QuestionStatus.ANSWERED if answered else QuestionStatus.OPEN
    return (
        Question.objects.filter(department_id__in=_department_ids(user), status=status)
        .select_related("item__basic", "department")
        .order_by("due_on" if not answered else "-answered_at")
    )


def questions_faq_pending(*, user: Any) -> QuerySet[Question]:
    return questions_for_department(user=user, answered=True).filter(faq_status=FaqStatus.PENDING)


def question_get_for_staff(*, user: Any, pk: uuid.UUID | str) -> Question:
    question = Question.objects.select_related("item__basic", "department", "asker").filter(pk=pk).first()
    if question is None:
        raise NotFound("未找到该问题。")
    if not member_of(user, question.department):
        raise PermissionDenied("该问题不属于您的部门。")
    return question


def complaints_for_staff(*, user: Any, concluded: bool = False) -> QuerySet[Complaint]:
    complaints = Complaint.objects.select_related("department", "item__basic")
    if not is_supervisor(user):
        complaints = complaints.filter(department_id__in=_department_ids(user))
    status = ComplaintStatus.CONCLUDED if concluded else ComplaintStatus.RECEIVED
    return complaints.filter(status=status).order_by("due_on" if not concluded else "-concluded_at")


def complaint_get_for_staff(*, user: Any, pk: uuid.UUID | str) -> Complaint:
    complaint = Complaint.objects.select_related("department", "item__basic").filter(pk=pk).first()
    if complaint is None:
        raise NotFound("未找到该投诉建议。")
    if not (member_of(user, complaint.department) or is_supervisor(user)):
        raise PermissionDenied("该投诉建议不属于您的部门。")
    return complaint


def complaints_of(*, user: Any) -> QuerySet[Complaint]:
    """A citizen's own signed complaints (anonymous ones are linked to nobody)."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    return Complaint.objects.filter(submitter=user).select_related("department")
