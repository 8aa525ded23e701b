"""Workbench forms for cases. Every action form carries the case version the clerk saw
(``expected_version``): two clerks acting at once, the second is told the case moved on (409)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import ConclusionCode, DeliveryMethod, ProcedureKind
from onewindow.catalogue.models import Item

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class CaseActionForm(forms.Form):
    """The base of every action: the version of the case the page showed."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(CaseActionForm):
    pass


class ProcessStartForm(CaseActionForm):
    pass


class ResumeForm(CaseActionForm):
    pass


class RefuseForm(CaseActionForm):
    reason = forms.CharField(
        label=_("Reason for not accepting"),
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("Printed on the notice of non-acceptance; cite the rule the application does not meet."),
    )


class CorrectionForm(CaseActionForm):
    """The materials of the guide to correct, each with its problem. The checkboxes post material ids
    (``material``) and the problems ``problem_<id>``; the service refuses any material not in the guide."""

    material = forms.TypedMultipleChoiceField(
        label=_("Materials to complete or correct"),
        coerce=str,
        choices=(),
        error_messages={"required": _("Tick at least one material and describe its problem.")},
    )

    def __init__(self, *args: Any, guide_materials: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guide_materials = guide_materials
        # Any id is let through here on purpose: whether it is in the guide is the service's rule to enforce.
        posted = self.data.getlist("material") if hasattr(self.data, "getlist") else []
        material_field = self.fields["material"]
        assert isinstance(material_field, forms.TypedMultipleChoiceField)
        material_field.choices = [(str(m.pk), m.name) for m in guide_materials] + [
            (value, value) for value in posted if value not in {str(m.pk) for m in guide_materials}
        ]

    def problems(self) -> list[tuple[str, str]]:
        """(material id, problem text) for every ticked material, in the order posted."""
        return [(pk, str(self.data.get(f"problem_{pk}", ""))) for pk in self.cleaned_data["material"]]

    def rows(self) -> list[dict[str, Any]]:
        """The guide's materials with what was ticked and typed, for the template."""
        ticked = set(self.data.getlist("material")) if hasattr(self.data, "getlist") else set()
        return [
            {
                "material": m,
                "checked": str(m.pk) in ticked,
                "problem": self.data.get(f"problem_{m.pk}", "") if self.is_bound else "",
            }
            for m in self.guide_materials
        ]


class SuspendForm(CaseActionForm):
    kind = forms.ChoiceField(
        label=_("Special procedure"),
        choices=[(k, label) for k, label in ProcedureKind.choices if k != ProcedureKind.EXTENSION],
    )
    reason = forms.CharField(label=_("Reason for the special procedure"), max_length=2000, widget=TEXTAREA)
    basis = forms.CharField(label=_("Basis (law and article)"), max_length=300)
    expected_working_days = forms.IntegerField(
        label=_("Expected duration (working days)"),
        min_value=1,
        max_value=250,
        help_text=_("Told to the applicant in the written notice, with the reason."),
    )


class ExtendForm(CaseActionForm):
    working_days = forms.IntegerField(label=_("Extend by (working days)"), min_value=1, max_value=15)
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=2000,
        widget=TEXTAREA,
        help_text=_("The applicant is told this reason."),
    )
    basis = forms.CharField(
        label=_("Basis (law and article)"), max_length=300, initial="《中华人民共和国行政许可法》第四十二条"
    )


class ExtensionDecideForm(CaseActionForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the extension")), ("refuse", _("Do not approve"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Opinion of the head"),
        max_length=2000,
        required=False,
        widget=TEXTAREA,
        help_text=_("Required when not approving."),
    )


class ConcludeForm(CaseActionForm):
    code = forms.TypedChoiceField(label=_("Conclusion"), choices=ConclusionCode.choices, coerce=int)
    result = forms.CharField(
        label=_("Licence or document issued"),
        max_length=2000,
        required=False,
        help_text=_("For an approval: the licence or document issued, with its number."),
    )
    reason = forms.CharField(
        label=_("Reason and basis"),
        max_length=2000,
        required=False,
        widget=TEXTAREA,
        help_text=_("Required to deny, void or forward: the reason and its legal basis."),
    )


class DeliverForm(CaseActionForm):
    method = forms.ChoiceField(label=_("Delivery method"), choices=DeliveryMethod.choices)
    address = forms.CharField(label=_("Postal address"), max_length=300, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=50, required=False)


class PersonFindForm(forms.Form):
    identifier = forms.CharField(
        label=_("Mobile phone or ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("The ID number from the card presented, or the mobile phone number."),
    )


class PersonRegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=11, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    id_number = forms.CharField(label=_("ID number"), max_length=18)


class ItemChoiceField(forms.ModelChoiceField):
    """Items by the name of their published guide."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.published_version.name)


class WalkInItemForm(forms.Form):
    item = ItemChoiceField(label=_("Item"), queryset=Item.objects.none(), empty_label=_("Please choose"))

    def __init__(self, *args: Any, items: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.ModelChoiceField)
        item_field.queryset = items
