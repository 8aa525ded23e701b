"""Forms of the task page (the opinion given with an action, the step a return goes back to, the colleague a
task is transferred to) and of the administrators' process pages (upload, generator, assignment). The services
check everything again; these only collect the input."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models import Item
from onewindow.organisations.models import Department
from onewindow.workflow.bpmn import MAX_BPMN_BYTES, STEP_ROLES, StepSpec
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


# --- administrators' pages: processes ------------------------------------------------------------------------

BPMN_SUFFIXES = (".bpmn", ".xml")


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments by their name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DepartmentsChoiceField(forms.ModelMultipleChoiceField):
    """Departments by their short name (the name when none is recorded)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.short_name or obj.name)


class _DefinitionForm(forms.Form):
    """Key, name and the maintaining department shared by the upload and the generator."""

    key = forms.CharField(
        label=_("Process key"),
        max_length=64,
        help_text=_(
            "Letters, digits, “_”, “.” or “-”, starting with a letter, e.g. food-licence. "
            "Publishing under an existing key makes its next version."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "code-input"}),
    )
    name = forms.CharField(label=_("Process name"), max_length=200)
    department = DepartmentChoiceField(
        label=_("Maintained by"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_(
            "For a new key: the department whose administrators may publish its next versions. "
            "An existing key keeps its department."
        ),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], platform_admin: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments
        if platform_admin:
            field.empty_label = _("Platform administrators only")
        elif len(departments) == 1:
            field.initial = departments[0].pk
            field.empty_label = None


class ProcessUploadForm(_DefinitionForm):
    """A BPMN 2.0 file drawn in a modeller; the service checks its content."""

    file = forms.FileField(
        label=_("BPMN file (.bpmn or .xml)"),
        help_text=_("UTF-8, at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml,application/xml,text/xml"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if not str(upload.name or "").lower().endswith(BPMN_SUFFIXES):
            raise forms.ValidationError(_("Choose a .bpmn or .xml file."), code="suffix")
        if upload.size is not None and upload.size > MAX_BPMN_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."), code="too_large")
        return bytes(upload.read())


class ProcessGenerateForm(_DefinitionForm):
    """The name, key and maintaining department of a generated process; its steps come in a formset."""


class StepRowForm(forms.Form):
    """One step of a generated process: several departments make it a parallel joint review (并联审批)."""

    name = forms.CharField(label=_("Step name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Step role"), required=False)
    limit_days = forms.IntegerField(
        label=_("Limit (working days)"), min_value=0, max_value=365, required=False
    )
    departments = DepartmentsChoiceField(
        label=_("Handling departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", "---------"), *[(r.value, r.label) for r in STEP_ROLES]]
        field = self.fields["departments"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = departments if departments is not None else Department.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A row with a name is a step: it needs a role and a limit. A row without one must stay empty.
        if not data.get("name"):
            if data.get("role") or data.get("limit_days") is not None or data.get("departments"):
                self.add_error("name", _("Give the step a name, or clear the row."))
            return data
        if not data.get("role"):
            self.add_error("role", _("Choose the role that handles this step."))
        if data.get("limit_days") is None and "limit_days" not in self.errors:
            self.add_error("limit_days", _("Enter the step's limit in working days."))
        return data

    def step(self) -> StepSpec | None:
        """The step this row describes, or ``None`` for an empty row."""
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return StepSpec(
            name=data["name"].strip(),
            role=data["role"],
            limit_days=data["limit_days"],
            departments=tuple(d.credit_code for d in data.get("departments") or ()),
        )


STEP_ROWS = 8


class BaseStepFormSet(forms.BaseFormSet):
    """The step rows: empty ones are ignored, at least one must be filled."""

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        kwargs["form_kwargs"] = {"departments": departments}
        super().__init__(*args, **kwargs)

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.steps():
            raise forms.ValidationError(_("Fill in at least one step."), code="no_steps")

    def steps(self) -> list[StepSpec]:
        return [step for form in self.forms if (step := form.step()) is not None]


StepFormSet = cast(
    type[BaseStepFormSet],
    forms.formset_factory(
        StepRowForm,
        formset=BaseStepFormSet,
        extra=STEP_ROWS,
        max_num=STEP_ROWS,
        absolute_max=STEP_ROWS,
        validate_max=True,
    ),
)


class ProcessAssignForm(forms.Form):
    """Which process an item's new cases run: an item found by a search, and a process key."""

    q = forms.CharField(widget=forms.HiddenInput, required=False)
    item = forms.ModelChoiceField(label=_("Item"), queryset=Item.objects.none(), empty_label=None)
    key = forms.ChoiceField(label=_("Process"))

    def __init__(self, *args: Any, items: QuerySet[Item], keys: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)
        item.queryset = items
        key = self.fields["key"]
        assert isinstance(key, forms.ChoiceField)
        key.choices = [("", "---------"), *keys]

    def items_show(self, items: Any) -> None:
        """List ``items`` (the search's matches) when the form is shown again."""
        field = self.fields["item"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = items
