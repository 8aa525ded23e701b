"""Forms for organisation data: the department form (admin) and the spreadsheet upload."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import DomainError
from onewindow.organisations.models import Department
from onewindow.organisations.services import department_credit_code_validate

# Large enough for tens of thousands of rows, small enough that openpyxl's parse stays cheap.
IMPORT_MAX_BYTES = 5 * 1024 * 1024


class DepartmentAdminForm(forms.ModelForm):
    """A department, with the written reason a person gives to keep a credit code that fails its checksum."""

    override_reason = forms.CharField(
        label=_("checksum mismatch confirmation reason"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only needed when the credit code fails the GB 32100 checksum but was really issued."),
    )

    class Meta:
        model = Department
        fields = ("name", "short_name", "credit_code", "region", "level", "nature", "parent", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code = cleaned.get("credit_code")
        if code:
            try:
                cleaned["credit_code"] = department_credit_code_validate(
                    credit_code=code, override_reason=cleaned.get("override_reason", "")
                )
            except DomainError as error:
                field = "override_reason" if error.code == "credit_code.checksum" else "credit_code"
                self.add_error(field, error.message)
        return cleaned


def xlsx_upload_check(upload: UploadedFile) -> UploadedFile:
    """Refuse anything but an Office Open XML workbook, judged by its content, not its name."""
    if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
        raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise forms.ValidationError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx") from exc
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise forms.ValidationError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx")
    upload.seek(0)
    return upload


class OrganisationImportForm(forms.Form):
    """The upload of a workbook with the sheets 区划, 部门 and 人员."""

    file = forms.FileField(label=_("Workbook (.xlsx)"), help_text=_("At most 5 MB. Use the template below."))

    def clean_file(self) -> UploadedFile:
        return xlsx_upload_check(self.cleaned_data["file"])
