from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.supervision.models import RuleVersion
from onewindow.supervision.rules import RULE_BOUNDS, RULE_FIELDS


class InstructionForm(forms.Form):
    instruction = forms.CharField(
        label=_("Instruction to the department"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("What the department has done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Closing note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RulesForm(forms.Form):
    """A new version of the rules: every field, pre-filled with the current version."""

    def __init__(self, *args: object, current: RuleVersion, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in RULE_FIELDS:
            low, high = RULE_BOUNDS[field]
            model_field: Any = RuleVersion._meta.get_field(field)
            self.fields[field] = forms.IntegerField(
                label=model_field.verbose_name,
                help_text=model_field.help_text,
                min_value=low,
                max_value=high,
                initial=getattr(current, field),
            )
        self.fields["note"] = forms.CharField(label=_("What changed and why"), max_length=300)
