"""Forms of the 12345 pages: field-level checks only; the services decide the rest."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.hotline.models import DESCRIPTION_MAX, DispatchCategory, Kind, Satisfaction
from onewindow.organisations.models import Department, Region


class CitizenTicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=Kind.choices, initial=Kind.HELP)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Your request"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    region = forms.ModelChoiceField(label=_("District"), queryset=Region.objects.none(), required=False)
    address = forms.CharField(label=_("Address or place"), max_length=200, required=False)
    caller_phone = forms.CharField(label=_("Phone for the reply"), max_length=20, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["region"].queryset = Region.objects.order_by("code")  # type: ignore[attr-defined]


class PhoneIntakeForm(CitizenTicketForm):
    caller_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)


class DispatchForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Dispatch catalogue entry"), queryset=DispatchCategory.objects.filter(is_active=True)
    )
    region = forms.ModelChoiceField(
        label=_("District"), queryset=Region.objects.order_by("code"), required=False
    )
    lead = forms.ModelChoiceField(
        label=_("Lead department (leave empty to follow the routing rule)"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the return"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept the return and re-dispatch")), ("0", _("Reject the return"))],
        coerce=lambda v: v == "1",
    )
    department = forms.ModelChoiceField(
        label=_("Re-dispatch to"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
    )
    note = forms.CharField(label=_("Decision note"), max_length=500)


class RedispatchForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Re-dispatch to"), queryset=Department.objects.filter(is_active=True).order_by("name")
    )
    note = forms.CharField(label=_("Reason"), max_length=500)


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Response to the caller"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("Co-handler's opinion"), max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class CallBackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"), choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Number of the ticket handling the same request"), max_length=20)
