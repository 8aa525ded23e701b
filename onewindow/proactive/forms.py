"""The personal space's choices per kind."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    in_site = forms.BooleanField(label=_("Remind me in my space (untick to opt out)"), required=False)
    sms = forms.BooleanField(label=_("Also send me an SMS"), required=False)
