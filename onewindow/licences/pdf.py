"""The licence as an A4 PDF (WeasyPrint, CJK fonts, the house way of ``catalogue.pdf``): the type name as title,
number, holder, face fields, validity, issuer and issue date under the issuing department's seal, the
identifier and signing key, and a QR code of the short verification link (``v/<code>/``).

A copy made for use in another case carries the 国办函〔2016〕108号 watermark across every page: who provided
it, for which service only, and until when.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from onewindow.catalogue.pdf import pdf_render
from onewindow.core import clock
from onewindow.core.qr import qr_svg
from onewindow.licences.models import Licence, LicenceStatus
from onewindow.licences.seal import seal_svg
from onewindow.licences.selectors import licence_short_code
from onewindow.licences.wallet_selectors import face_rows

TEMPLATE = "licences/pdf_licence.html"
# A copy for a long-term licence (no expiry of its own) is usable this long unless the caller says otherwise.
COPY_DEFAULT_DAYS = 365
# The watermark sentence is repeated down the page often enough that no cut-out leaves a clean area.
_WATERMARK_LINES = 24


def licence_verify_url(licence: Licence) -> str:
    """The absolute short verification link printed as the QR code (short enough for a small, robust QR)."""
    path = reverse("licence_verify:short", args=[licence_short_code(licence)])
    return f"{settings.ONEWINDOW_PUBLIC_BASE_URL}{path}"


def copy_until(licence: Licence, copy_valid_until: dt.date | None) -> dt.date:
    """The last day a copy may be used: as asked, never past the licence's own expiry."""
    until = copy_valid_until or licence.valid_until or clock.today() + dt.timedelta(days=COPY_DEFAULT_DAYS)
    return min(until, licence.valid_until) if licence.valid_until else until


def watermark_text(licence: Licence, *, copy_for: str, valid_until: dt.date) -> str:
    """The 108号 wording for a copy used in another case."""
    return _(
        "This copy was provided by %(issuer)s for use only in handling the government service "
        "“%(service)s”; valid until %(date)s"
    ) % {
        "issuer": licence.issuer_name,
        "service": copy_for,
        "date": f"{valid_until.year}年{valid_until.month}月{valid_until.day}日",
    }


def licence_pdf_context(
    licence: Licence, *, copy_for: str = "", copy_valid_until: dt.date | None = None
) -> dict[str, Any]:
    """Everything the PDF template shows."""
    url = licence_verify_url(licence)
    context: dict[str, Any] = {
        "licence": licence,
        "licence_type": licence.licence_type,
        "issuer": licence.issuer,
        "holder_code_label": licence.get_holder_type_display(),
        "face_rows": face_rows(licence),
        "verify_url": url,
        # segno's SVG and ours escape every text they hold.
        "qr_svg": mark_safe(qr_svg(url)),  # noqa: S308
        "seal_svg": mark_safe(  # noqa: S308
            seal_svg(
                licence.issuer_name,
                purpose=_("E-licence seal"),
                title=_("Seal of %(issuer)s") % {"issuer": licence.issuer_name},
            )
        ),
        "not_valid": licence.status != LicenceStatus.VALID,
        "today": clock.today(),
    }
    if copy_for:
        until = copy_until(licence, copy_valid_until)
        context["watermark"] = watermark_text(licence, copy_for=copy_for, valid_until=until)
        context["watermark_lines"] = range(_WATERMARK_LINES)
    return context


def licence_html(licence: Licence, *, copy_for: str = "", copy_valid_until: dt.date | None = None) -> str:
    """The HTML the PDF is drawn from (for checks and previews)."""
    return render_to_string(
        TEMPLATE, licence_pdf_context(licence, copy_for=copy_for, copy_valid_until=copy_valid_until)
    )


def licence_pdf(licence: Licence, *, copy_for: str = "", copy_valid_until: dt.date | None = None) -> bytes:
    """The licence as A4 PDF bytes; with ``copy_for`` (the name of the service it is used for) a watermarked
    copy valid until ``copy_valid_until`` (default: the licence's expiry). Callers check who may have it."""
    return pdf_render(
        TEMPLATE, licence_pdf_context(licence, copy_for=copy_for, copy_valid_until=copy_valid_until)
    )


def licence_pdf_filename(licence: Licence, *, copy: bool = False) -> str:
    """A readable file name: the type name and number (and 复印件 for a watermarked copy)."""
    suffix = "-复印件" if copy else ""
    number = "".join(ch for ch in licence.number if ch.isalnum() or ch in "-_")
    return f"{licence.type_name}-{number}{suffix}.pdf"
