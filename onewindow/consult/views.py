"""Citizen pages: ask a question (我要问), my questions and their answers with the rating, and the complaint
or suggestion form (投诉建议) with its anonymous option."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.catalogue.models import Item
from onewindow.consult import selectors, services
from onewindow.consult.forms import AskForm, ComplaintForm, RateForm
from onewindow.core.errors import DomainError
from onewindow.core.view_helpers import refusals_as_http


def _item(request: HttpRequest) -> Item | None:
    raw = request.GET.get("item") or request.POST.get("item") or ""
    try:
        return (
            Item.objects.select_related("department", "published_version").filter(pk=uuid.UUID(raw)).first()
        )
    except ValueError:
        return None


def _problems(form: Any, error: DomainError) -> None:
    placed = False
    for problem in error.problems:
        if problem.field in form.fields:
            form.add_error(problem.field, problem.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    item = _item(request)
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = services.question_ask(
                asker=request.user,
                item=item,
                department=data["department"],
                title=data["title"],
                body=data["body"],
                allow_public=data["allow_public"],
            )
        except DomainError as error:
            _problems(form, error)
        else:
            messages.success(
                request,
                _("Your question was sent. The department answers by %(date)s.") % {"date": question.due_on},
            )
            return redirect("consult:question", pk=question.pk)
    return render(request, "consult/ask.html", {"form": form, "item": item})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "consult/mine.html",
        {
            "questions": selectors.questions_of(user=request.user)[:50],
            "complaints": selectors.complaints_of(user=request.user)[:50],
        },
    )


@login_required
def question(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        q = selectors.question_get_for_asker(user=request.user, pk=pk)
    return render(request, "consult/question.html", {"question": q, "form": RateForm()})


@login_required
@require_POST
def rate(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    with refusals_as_http():
        q = selectors.question_get_for_asker(user=request.user, pk=pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.question_rate(
                question=q,
                actor=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Thank you for rating the answer."))
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Please choose a rating."))
    return redirect("consult:question", pk=q.pk)


def complain(request: HttpRequest) -> HttpResponse:
    """Open to everyone: signed in for a named complaint, or anonymous with an optional contact."""
    item = _item(request)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            complaint = services.complaint_submit(
                submitter=request.user,
                kind=data["kind"],
                body=data["body"],
                department=data["department"],
                item=item,
                anonymous=data["anonymous"],
                contact=data["contact"],
            )
        except DomainError as error:
            _problems(form, error)
        else:
            return render(request, "consult/complaint_sent.html", {"complaint": complaint})
    return render(request, "consult/complain.html", {"form": form, "item": item})
