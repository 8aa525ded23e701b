"""Forms of the catalogue workbench: a new item, a guide draft with its fees, FAQ and materials, the review.

Field-level checks only (formats, uploads, JSON Schema syntax); the data-quality rules come from
``quality.py`` when a draft is submitted."""

from __future__ import annotations

import json
import zipfile
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from onewindow.catalogue.models import (
    HandlingForm,
    ItemType,
    ItemVersion,
    Material,
    OnlineDepth,
    ServiceObject,
    Theme,
)
from onewindow.catalogue.quality import form_schema_error
from onewindow.core.errors import DomainError
from onewindow.core.identifiers import basic_code_check
from onewindow.organisations.models import (
    REGION_PREFIX_LENGTH,
    Department,
    ExerciseLevel,
    Region,
    RegionLevel,
)

# Blank forms and samples are printed in the hall: large scans are fine, whole archives are not.
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
_ZIP = b"PK\x03\x04"
_MAGIC = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))


def document_upload_check(upload: UploadedFile) -> UploadedFile:
    """Accept PDF, Word (.docx), Excel (.xlsx), PNG or JPEG up to 10 MB, judged by content, not by name.

    The stored name gets the extension of what the content is, so a download opens in the right program."""
    if upload.size is not None and upload.size > UPLOAD_MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than 10 MB."), code="too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = next((ext for magic, ext in _MAGIC if head.startswith(magic)), None)
    if kind is None and head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            names = set()
        upload.seek(0)
        if "word/document.xml" in names:
            kind = "docx"
        elif "xl/workbook.xml" in names:
            kind = "xlsx"
    if kind is None:
        raise forms.ValidationError(
            _("Only PDF, Word (.docx), Excel (.xlsx), PNG or JPEG files can be uploaded."), code="file_type"
        )
    upload.name = f"{PurePath(upload.name or 'file').stem[:80] or 'file'}.{kind}"
    return upload


class DocumentField(forms.FileField):
    """A guide document upload (blank form, filled sample, result sample)."""

    widget = forms.FileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("PDF, Word, Excel, PNG or JPEG, at most 10 MB."))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if isinstance(upload, UploadedFile):
            return document_upload_check(upload)
        return upload


class JSONObjectField(forms.JSONField):
    """A JSON object typed in a text area; empty means ``{}``."""

    default_error_messages = {"invalid": _("This is not valid JSON: check brackets, commas and quotes.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 12, "class": "code-input", "spellcheck": "false"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value or {}, ensure_ascii=False, indent=2)

    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is None:
            return {}
        if not isinstance(parsed, dict):
            raise forms.ValidationError(
                _("Write a JSON object, starting with { and ending with }."), code="object"
            )
        return parsed


def _checkboxes(choices: Any, label: Any, *, required: bool = True) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=required, widget=forms.CheckboxSelectMultiple
    )


class _GuideFields(forms.ModelForm):
    """What the item create form and the guide editor share: the code lists as check boxes."""

    service_objects = _checkboxes(ServiceObject.choices, _("service objects"))
    handling_forms = _checkboxes(HandlingForm.choices, _("handling forms"))

    class Meta:
        model = ItemVersion
        fields: tuple[str, ...] = ()
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "acceptance_conditions": forms.Textarea(attrs={"rows": 3}),
            "process_description": forms.Textarea(attrs={"rows": 3}),
            "fee_basis": forms.Textarea(attrs={"rows": 2}),
        }


class ItemCreateForm(_GuideFields):
    """A new implementation entry: its identity plus the guide fields every draft must have."""

    basic_code = forms.CharField(
        label=_("basic code"),
        max_length=12,
        help_text=_("12 characters: province (00 = national), item type, main item, sub-item (000 = none)."),
    )
    department = forms.ModelChoiceField(label=_("implementing body"), queryset=Department.objects.none())
    region = forms.ModelChoiceField(
        label=_("region"),
        queryset=Region.objects.order_by("code"),
        required=False,
        help_text=_("Leave empty to use the implementing body's region."),
    )

    class Meta(_GuideFields.Meta):
        fields = (
            "name",
            "item_type",
            "level",
            "legal_basis",
            "acceptance_conditions",
            "statutory_days",
            "promised_days",
            "case_type",
            "service_objects",
            "handling_forms",
            "result_name",
            "result_type",
            "address",
            "office_hours",
            "consultation_phone",
            "complaint_phone",
        )

    field_order = ("basic_code", "name", "item_type", "department", "level", "region")

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["level"].initial = ExerciseLevel.MUNICIPAL

    def clean_basic_code(self) -> str:
        try:
            return basic_code_check(self.cleaned_data["basic_code"])
        except DomainError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code, item_type = cleaned.get("basic_code"), cleaned.get("item_type")
        if code and item_type and code[2:4] != item_type:
            self.add_error(
                "basic_code",
                _("Characters 3–4 of the basic code must be the item type (%(type)s).") % {"type": item_type},
            )
        department, region = cleaned.get("department"), cleaned.get("region")
        if department is not None:
            if region is None:
                cleaned["region"] = department.region
            elif not _within(region, department.region):
                self.add_error(
                    "region", _("The region must be the implementing body's region or lie within it.")
                )
        return cleaned


def _within(region: Region, area: Region) -> bool:
    prefix = area.code[: REGION_PREFIX_LENGTH[RegionLevel(area.level)]]
    return region.code.startswith(prefix)


class GuideForm(_GuideFields):
    """Every guide field of a draft except its identity (type and level come from the codes)."""

    online_depth = _checkboxes(OnlineDepth.choices, _("online depth"), required=False)
    themes = forms.ModelMultipleChoiceField(
        label=_("themes"), queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    joint_departments = forms.ModelMultipleChoiceField(
        label=_("joint bodies"),
        queryset=Department.objects.filter(is_active=True).order_by("region__code", "name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Other bodies that decide together with the implementing body (联办). Hold Ctrl to pick several."
        ),
    )
    result_sample = DocumentField(label=_("result sample"))
    clear_result_sample = forms.BooleanField(label=_("Remove the current result sample"), required=False)
    form_schema = JSONObjectField(
        label=_("application form (JSON Schema)"),
        help_text=_(
            "A JSON Schema (draft 2020-12) of type object; each property's title is the label citizens see. "
            'National identifiers are checked with their checksums through "format": citizen-id, uscc, '
            'division-code, mobile. Mark other personal data with "x-personal": true (ID numbers, phones, '
            "addresses and bank accounts are personal by default): it is stored encrypted and masked."
        ),
    )
    form_ui = JSONObjectField(
        label=_("application form UI hints"),
        help_text=_('Optional: {"order": [...], "widgets": {...}, "help": {...}, "prefill": {...}}.'),
    )
    change_note = forms.CharField(
        label=_("what changed"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Shown to the public in the item's change log. Required for every version after the first."
        ),
    )

    class Meta(_GuideFields.Meta):
        fields = (
            "name",
            "keywords",
            "legal_basis",
            "acceptance_conditions",
            "process_description",
            "statutory_days",
            "statutory_note",
            "promised_days",
            "promised_note",
            "case_type",
            "charges_fee",
            "fee_basis",
            "service_objects",
            "handling_forms",
            "online_depth",
            "supports_booking",
            "supports_online_payment",
            "supports_postal_delivery",
            "supports_kiosk",
            "onsite_visits",
            "onsite_reason",
            "min_assurance_level",
            "cross_region_scope",
            "result_name",
            "result_type",
            "result_sample",
            "licence_type_code",
            "address",
            "office_hours",
            "consultation_phone",
            "complaint_phone",
            "form_schema",
            "form_ui",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.instance
        if version.pk:
            self.fields["themes"].initial = list(version.themes.all())
            self.fields["joint_departments"].initial = list(version.joint_departments.all())
            self.fields["change_note"].initial = version.change_note
        joint = self.fields["joint_departments"]
        joint.queryset = joint.queryset.exclude(pk=version.item.department_id)  # type: ignore[attr-defined]

    def clean_form_schema(self) -> dict[str, Any]:
        schema = self.cleaned_data.get("form_schema") or {}
        if not schema:
            return schema
        if (error := form_schema_error(schema)) is not None:
            where = error.json_path if error.json_path != "$" else ""
            raise forms.ValidationError(
                _("The application form is not a valid JSON Schema%(where)s: %(error)s"),
                code="schema",
                params={"where": f"（{where}）" if where else "", "error": error.message},
            )
        if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
            raise forms.ValidationError(
                _('The application form must be "type": "object" with its fields under "properties".'),
                code="schema_object",
            )
        return schema

    def guide(self) -> dict[str, Any]:
        """The cleaned guide fields for ``item_version_update``; the result sample only when it changes."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "result_sample"}
        upload = self.cleaned_data.get("result_sample")
        if isinstance(upload, UploadedFile):
            data["result_sample"] = upload
        elif self.cleaned_data.get("clear_result_sample"):
            data["result_sample"] = ""
        return data


class FeeItemForm(forms.Form):
    """One fee item (收费项目)."""

    name = forms.CharField(label=_("fee item"), max_length=200)
    standard = forms.CharField(label=_("standard"), max_length=300)
    basis = forms.CharField(label=_("basis"), max_length=300, required=False)
    waivable = forms.BooleanField(label=_("can be waived"), required=False)


class FaqForm(forms.Form):
    """One question and its answer."""

    q = forms.CharField(label=_("question"), max_length=300)
    a = forms.CharField(label=_("answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


FeeItemFormSet = forms.formset_factory(FeeItemForm, extra=1, can_delete=True, can_order=True, max_num=50)
FaqFormSet = forms.formset_factory(FaqForm, extra=1, can_delete=True, can_order=True, max_num=100)


class MaterialRowForm(forms.ModelForm):
    """One material of a draft; ``id`` names the material it edits so its files are kept."""

    id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    blank_form = DocumentField(label=_("blank form"))
    sample = DocumentField(label=_("filled sample"))
    clear_blank_form = forms.BooleanField(label=_("Remove the blank form"), required=False)
    clear_sample = forms.BooleanField(label=_("Remove the filled sample"), required=False)

    class Meta:
        model = Material
        fields = (
            "key",
            "name",
            "necessity",
            "condition",
            "form",
            "originals",
            "copies",
            "paper_size",
            "source",
            "licence_type_code",
            "pledge_allowed",
            "pledge_text",
            "generated_online",
            "legal_basis",
            "acceptance_standard",
            "filling_notes",
            "blank_form",
            "sample",
        )
        widgets = {
            "filling_notes": forms.Textarea(attrs={"rows": 2}),
            "pledge_text": forms.Textarea(attrs={"rows": 3}),
        }

    def material(self, existing: dict[str, Material]) -> dict[str, Any]:
        """The row as a material dict for the services, keeping the files it had unless replaced or removed."""
        data = {
            name: self.cleaned_data[name] for name in self.Meta.fields if name not in {"blank_form", "sample"}
        }
        before = existing.get(str(self.cleaned_data.get("id") or ""))
        for name in ("blank_form", "sample"):
            upload = self.cleaned_data.get(name)
            if isinstance(upload, UploadedFile):
                data[name] = upload
            elif before is not None and not self.cleaned_data.get(f"clear_{name}"):
                data[name] = getattr(before, name).name
        return data


MaterialFormSet = forms.formset_factory(
    MaterialRowForm, extra=1, can_delete=True, can_order=True, max_num=100
)


def material_initial(material: Material) -> dict[str, Any]:
    initial = {name: getattr(material, name) for name in MaterialRowForm.Meta.fields}
    return initial | {"id": material.pk}


class NewVersionForm(forms.Form):
    change_note = forms.CharField(
        label=_("what changes in the new version"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the public in the item's change log, e.g. 材料精简：取消户口簿复印件."),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=(("approve", _("Approve and publish")), ("reject", _("Send back"))),
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("review opinion"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when sending back: say what to change."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not cleaned.get("opinion", "").strip():
            self.add_error("opinion", _("Say what the editor must change before sending the version back."))
        return cleaned


class ItemFilterForm(forms.Form):
    """The filters of the item list."""

    STATUSES = (
        ("", _("any status")),
        ("published", _("published")),
        ("unpublished", _("never published")),
        ("draft", _("has a draft")),
        ("in_review", _("in review")),
        ("rejected", _("sent back")),
    )
    q = forms.CharField(label=_("name or code"), max_length=100, required=False)
    status = forms.ChoiceField(label=_("status"), choices=STATUSES, required=False)
    department = forms.ModelChoiceField(
        label=_("department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("all departments"),
    )
    item_type = forms.ChoiceField(
        label=_("item type"), choices=(("", _("all types")), *ItemType.choices), required=False
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
