"""Workbench pages: the department's open questions, answers proposed for the FAQ awaiting review, and the
complaints and suggestions for the department (all of them for supervisors)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.consult import selectors, services
from onewindow.consult.forms import AnswerForm, ConcludeForm, FaqReviewForm
from onewindow.consult.permissions import faq_reviewer_of, is_supervisor
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consult/staff/inbox.html",
        {
            "questions": selectors.questions_for_department(user=request.user)[:100],
            "faq_pending": selectors.questions_faq_pending(user=request.user)[:100],
            "complaints": selectors.complaints_for_staff(user=request.user)[:100],
            "concluded": selectors.complaints_for_staff(user=request.user, concluded=True)[:20],
            "supervisor": is_supervisor(request.user),
        },
    )


@login_required
def question(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        q = selectors.question_get_for_staff(user=request.user, pk=pk)
    return render(
        request,
        "consult/staff/question.html",
        {
            "question": q,
            "answer_form": AnswerForm(),
            "review_form": FaqReviewForm(initial={"faq_question": q.title}),
            "reviewer": faq_reviewer_of(request.user, q.department),
        },
    )


def _report(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message)


@login_required
@require_POST
def answer(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        q = selectors.question_get_for_staff(user=request.user, pk=pk)
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.question_answer(question=q, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Answer sent to the asker."))
            except DomainError as error:
                _report(request, error)
        else:
            messages.error(request, _("Please write the answer."))
    return redirect("consult_staff:question", pk=pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        q = selectors.question_get_for_staff(user=request.user, pk=pk)
        form = FaqReviewForm(request.POST)
        if form.is_valid():
            try:
                services.question_faq_review(question=q, actor=request.user, **form.cleaned_data)
                messages.success(request, _("FAQ review recorded."))
            except DomainError as error:
                _report(request, error)
    return redirect("consult_staff:question", pk=pk)


@login_required
def complaint(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        c = selectors.complaint_get_for_staff(user=request.user, pk=pk)
    return render(request, "consult/staff/complaint.html", {"complaint": c, "form": ConcludeForm()})


@login_required
@require_POST
def conclude(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        c = selectors.complaint_get_for_staff(user=request.user, pk=pk)
        form = ConcludeForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_conclude(complaint=c, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Outcome recorded."))
            except DomainError as error:
                _report(request, error)
        else:
            messages.error(request, _("Please choose the outcome and explain what was done."))
    return redirect("consult_staff:complaint", pk=pk)
