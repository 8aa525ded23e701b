"""Forms of the assisted-service pages (field checks only; the rules are in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.assist.models import ConsentMethod
from onewindow.catalogue.models import Item


class ResidentForm(forms.Form):
    """The resident at the point, from their ID card (read by the reader, or typed with the card in hand)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=11,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("Needed only for someone not yet registered: the resident's own or a family member's."),
    )
    document_checked = forms.BooleanField(label=_("I have checked the original ID card"), required=False)


class SandboxCardForm(forms.Form):
    """Sandbox only: put a card on the (simulated) reader."""

    name = forms.CharField(label=_("Name on the card"), max_length=100)
    id_number = forms.CharField(label=_("ID number on the card"), max_length=18)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.published_version.name}（{obj.department.short_name or obj.department.name}）"


class AssistItemForm(forms.Form):
    item = ItemChoiceField(label=_("Item"), queryset=Item.objects.none(), empty_label=_("Please choose"))

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = items


class ConsentForm(forms.Form):
    consent_method = forms.ChoiceField(
        label=_("How the resident consents"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    sms_code = forms.CharField(
        label=_("SMS code the resident received"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CallbackForm(forms.Form):
    name = forms.CharField(label=_("How should we address you"), max_length=100)
    phone = forms.CharField(
        label=_("Your mobile phone"),
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    topic = forms.CharField(
        label=_("What would you like to ask (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CallbackCloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome of the call"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrackForm(forms.Form):
    case_number = forms.CharField(label=_("Case number"), max_length=40)
    password = forms.CharField(label=_("Query password"), max_length=40, widget=forms.PasswordInput)
