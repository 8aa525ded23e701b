"""The confidentiality review form (保密审查)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.opendata.models import ReviewDecision


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=forms.DateInput(attrs={"type": "date"}))
    basis = forms.CharField(
        label=_("Basis of the decision"),
        help_text=_("The rules applied, e.g. 保守国家秘密法, 数据安全法 art. 41, the small-cell threshold."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
