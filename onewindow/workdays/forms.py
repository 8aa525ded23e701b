"""The upload of a year's official holiday list."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# An official list is a few dozen rows; anything near this size is not one.
CALENDAR_MAX_BYTES = 1024 * 1024


class CalendarImportForm(forms.Form):
    """A CSV or JSON file in the format of docs/calendar-import.md. The format is told by the content."""

    file = forms.FileField(label=_("Holiday list (CSV or JSON, UTF-8)"), help_text=_("At most 1 MB."))

    def clean_file(self) -> tuple[bytes, str]:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > CALENDAR_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."), code="too_large")
        content = upload.read()
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                _("The file must be UTF-8 text (CSV or JSON)."), code="encoding"
            ) from exc
        if "\x00" in text:
            raise forms.ValidationError(_("The file must be UTF-8 text (CSV or JSON)."), code="encoding")
        # calendar_parse picks its parser by name; the name a browser sends is not evidence, the content is.
        kind = "json" if text.lstrip().startswith(("{", "[")) else "csv"
        return content, f"upload.{kind}"
