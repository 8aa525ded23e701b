"""The subscription form of the webhooks page; the service checks everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_application_model

from onewindow.organisations.models import Department
from onewindow.webhooks.events import EVENT_TYPES


class SubscriptionForm(forms.Form):
    application = forms.ModelChoiceField(
        label=_("Department system"), queryset=get_application_model().objects.none(), empty_label=None
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), empty_label=None
    )
    url = forms.CharField(
        label=_("Receiver URL"),
        max_length=500,
        help_text=_(
            "The system's address that receives the events, e.g. https://system.example.gov.cn/hooks"
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"), choices=list(EVENT_TYPES.items()), widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = get_application_model().objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
