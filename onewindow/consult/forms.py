"""Forms of 我要问 and 投诉建议."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.consult.models import BODY_MAX, AnswerRating, ComplaintKind, ComplaintOutcome
from onewindow.organisations.models import Department


def _departments() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
    )


class AskForm(forms.Form):
    department = _departments()
    title = forms.CharField(label=_("Question in one line"), max_length=100)
    body = forms.CharField(label=_("Details"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    allow_public = forms.BooleanField(
        label=_("The answer may be published in the service's FAQ (without my name)"), required=False
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the answer?"),
        choices=AnswerRating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ComplaintKind.choices,
        widget=forms.RadioSelect,
        initial=ComplaintKind.COMPLAINT,
    )
    department = _departments()
    body = forms.CharField(
        label=_("What happened, or what do you suggest?"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    anonymous = forms.BooleanField(
        label=_("Submit anonymously (your account is not recorded)"), required=False
    )
    contact = forms.CharField(
        label=_("Contact for the reply (optional, seen only by the handlers)"), max_length=100, required=False
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    propose_faq = forms.BooleanField(label=_("Propose this answer for the service's FAQ"), required=False)


class FaqReviewForm(forms.Form):
    publish = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Publish in the FAQ")), ("0", _("Do not publish"))],
        coerce=lambda v: v == "1",
    )
    faq_question = forms.CharField(label=_("Question as the FAQ shows it"), max_length=200, required=False)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ComplaintOutcome.choices)
    text = forms.CharField(
        label=_("What was done"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
