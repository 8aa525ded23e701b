"""Forms of the issuing department's licence pages. Field-level checks only: the services decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from onewindow.licences.models import LicenceType, SignatureAlgorithm


class SuspendForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("licence action", "Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    basis = forms.CharField(
        label=pgettext_lazy("licence action", "Legal basis"), max_length=300, required=False
    )


class LiftForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("licence action", "Reason"), max_length=500, required=False)
    basis = forms.CharField(
        label=pgettext_lazy("licence action", "Legal basis"), max_length=300, required=False
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("licence action", "Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    basis = forms.CharField(label=pgettext_lazy("licence action", "Legal basis"), max_length=300)


class RenewForm(forms.Form):
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        help_text=_("Leave empty to start today."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=pgettext_lazy("licence action", "Reason"), max_length=500, required=False)


class ChangeForm(forms.Form):
    """One text field per face field of the licence's type (prefilled), and the reason for the change."""

    reason = forms.CharField(label=_("Reason for the change"), max_length=500)

    def __init__(self, *args: Any, licence_type: LicenceType, face: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keys = [str(f.get("key")) for f in licence_type.face_fields if isinstance(f, dict) and f.get("key")]
        labels = {
            str(f.get("key")): str(f.get("label") or f.get("key"))
            for f in licence_type.face_fields
            if isinstance(f, dict)
        }
        keys += [key for key in face if key not in keys]
        self.face_keys = keys
        for key in keys:
            self.fields[f"face_{key}"] = forms.CharField(
                label=labels.get(key, key), max_length=500, required=False, initial=face.get(key, "")
            )
        self.order_fields([f"face_{key}" for key in keys] + ["reason"])

    def face(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"face_{key}", "") for key in self.face_keys}


class LicenceTypeForm(forms.Form):
    code = forms.CharField(
        label=_("Licence type code"),
        max_length=40,
        help_text=_("Digits and capital letters only: it becomes part of every licence identifier."),
    )
    name = forms.CharField(label=_("Licence type name"), max_length=100)
    validity_years = forms.IntegerField(
        label=_("Validity (years)"),
        min_value=1,
        max_value=100,
        required=False,
        help_text=_("Leave empty for long-term licences."),
    )
    reminder_days = forms.IntegerField(
        label=_("Remind holders this many days before expiry"), min_value=0, max_value=366, initial=30
    )
    face_fields = forms.CharField(
        label=_("Face fields"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: key|label|source, e.g. business_scope|Business scope|form.business_scope. The source is "
            "form.<field> of the application form, case.number, case.item or holder.name."
        ),
    )

    def clean_face_fields(self) -> list[dict[str, str]]:
        rows = []
        for line in (self.cleaned_data.get("face_fields") or "").splitlines():
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            rows.append(
                {
                    "key": parts[0],
                    "label": parts[1] if len(parts) > 1 else "",
                    "source": parts[2] if len(parts) > 2 else "",
                }
            )
        return rows


class SigningKeyForm(forms.Form):
    algorithm = forms.ChoiceField(label=_("Algorithm"), choices=SignatureAlgorithm.choices)
