from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.secmon.models import IncidentSeverity


class IncidentReportForm(forms.Form):
    # Rendered by the template as a list of the open alerts.
    alert = forms.UUIDField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    severity = forms.ChoiceField(label=_("Severity"), choices=IncidentSeverity.choices)
    note = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class IncidentStepForm(forms.Form):
    note = forms.CharField(
        label=_("Note on this step"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
