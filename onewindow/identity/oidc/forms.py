"""The administrators' form for registering a department system."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LinesField(forms.CharField):
    """One address per line (or separated by spaces), as a list."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"})

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        return str(value or "").split()


class OidcClientForm(forms.Form):
    name = forms.CharField(
        label=_("System name"),
        max_length=255,
        help_text=_("As people will see it, e.g. the department and the system: 市市场监管局 企业登记系统."),
    )
    redirect_uris = LinesField(
        label=_("Redirect URIs"),
        help_text=_(
            "Where the platform sends people back after they sign in; one per line, exactly as the system sends it."
        ),
    )
    post_logout_redirect_uris = LinesField(
        label=_("Post-logout redirect URIs"),
        required=False,
        help_text=_(
            "Where the platform may send people after they log out through the system; one per line."
        ),
    )
    skip_authorization = forms.BooleanField(
        label=_("Government system: sign people in without asking for their consent each time"),
        required=False,
        initial=True,
    )
