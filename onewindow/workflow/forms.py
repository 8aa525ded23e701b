"""Forms of the task page: the opinion given with an action, the step a return goes back to, the colleague a
task is transferred to. The services check everything again; these only collect the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.workflow.models import ProcessStep


class OpinionForm(forms.Form):
    """通过 / 填写意见: an opinion, optional when approving."""

    opinion = forms.CharField(
        label=_("Opinion"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    """退回: the opinion is required; the earlier step defaults to the nearest one."""

    opinion = forms.CharField(
        label=_("Reason for returning"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    to_step = forms.ModelChoiceField(
        label=_("Return to"),
        queryset=ProcessStep.objects.none(),
        required=False,
        empty_label=_("The previous step"),
    )

    def __init__(self, *args: Any, steps: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_step"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = steps if steps is not None else ProcessStep.objects.none()


class ColleagueChoiceField(forms.ModelChoiceField):
    """Staff by their name (the username only when no name is recorded)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", "") or obj.username)


class TransferForm(forms.Form):
    """转办 / 改派: a colleague holding the step's role in the task's department."""

    to_user = ColleagueChoiceField(label=_("Transfer to"), queryset=None)

    def __init__(self, *args: Any, colleagues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = colleagues
