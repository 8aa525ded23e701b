"""The exchange page's forms: which items to export, and the workbook to import."""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from onewindow.organisations.models import Department

# A provincial catalogue of thousands of items with their materials stays well below this.
IMPORT_MAX_BYTES = 10 * 1024 * 1024


class ExportForm(forms.Form):
    """Which items go into the downloaded workbook."""

    department = forms.ModelChoiceField(
        label=_("department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("all my departments"),
    )
    latest = forms.BooleanField(
        label=_("newest version, including unpublished drafts"),
        required=False,
        help_text=_("Otherwise only published versions are exported."),
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    """An .xlsx workbook with the sheets 事项 and 材料, as the export writes it."""

    file = forms.FileField(
        label=_("Workbook (.xlsx)"), help_text=_("At most 10 MB. Use an exported workbook as the template.")
    )
    publish = forms.BooleanField(
        label=_("submit and publish the imported versions"),
        required=False,
        help_text=_(
            "Only for platform administrators. Otherwise every imported item stays a draft for review."
        ),
    )

    def __init__(self, *args: Any, may_publish: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]

    def clean_file(self) -> UploadedFile:
        """Judge the upload by its content (an Office Open XML zip), not by its name."""
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."), code="too_large")
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise forms.ValidationError(
                _("The file is not an Excel workbook (.xlsx)."), code="not_xlsx"
            ) from exc
        if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
            raise forms.ValidationError(_("The file is not an Excel workbook (.xlsx)."), code="not_xlsx")
        upload.seek(0)
        return upload
