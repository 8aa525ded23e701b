"""PDFs of the catalogue (the printable guide, the application form blank, as a sample and as filled) drawn by
WeasyPrint from the same templates the web pages use, so the hall's print-out and the web never disagree.

Chinese needs a CJK font on the machine (Debian's ``fonts-noto-cjk``); without one it prints as boxes.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import content_disposition_header

# WeasyPrint logs seven progress steps at INFO for every document: noise in the server log (fontTools' font
# subsetting lines are silenced in settings.LOGGING).
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def pdf_cache_dir() -> Path:
    """Where public PDFs (guides, blank and sample forms) are kept once drawn, by the hash of their HTML."""
    return Path(settings.DATA_DIR) / "pdf-cache"


def pdf_render(
    template_name: str,
    context: dict[str, Any],
    *,
    request: HttpRequest | None = None,
    cached: bool = False,
) -> bytes:
    """Render a template to PDF bytes (A4, CJK fonts; the page size lives in the template's CSS).

    ``cached`` keeps the PDF in the data directory under the SHA-256 of its HTML, so a changed guide draws a
    new one and an unchanged one is never drawn twice: drawing a long guide takes longer than a web worker's
    timeout on a small machine. Only for public documents — never for a person's filled form or notice.
    """
    context = {"LANGUAGE_CODE": translation.get_language(), **context}
    html = render_to_string(template_name, context, request=request)
    if not cached:
        return _draw(html)
    path = pdf_cache_dir() / f"{hashlib.sha256(html.encode('utf-8', 'replace')).hexdigest()}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    content = _draw(html)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Written aside and renamed: two workers drawing the same guide never serve a half-written file.
    partial = path.with_suffix(f".{os.getpid()}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(partial, path)
    return content


def _draw(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment every page view would pay

    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_refuse_fetch).write_pdf()


def application_form_pdf(*, version: Any, data: dict[str, Any]) -> bytes:
    """The filled application form (申请书) of an online application as a PDF, from the same template as
    the guide's filled form: a material marked "generated online" is this, never an upload."""
    from onewindow.catalogue.forms_render import schema_to_fields

    fields = schema_to_fields(version.form_schema or {}, version.form_ui or {}, data=data)
    context = {"item": version.item, "version": version, "fields": fields, "mode": "filled"}
    return pdf_render("catalogue/pdf/form.html", context)


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The templates inline their CSS and hold no images: a URL here could only come from catalogue text,
    # and the renderer must never reach out to the network (or the file system) on its behalf.
    raise ValueError(f"PDF rendering does not fetch {url}")


def pdf_response(content: bytes, filename: str, *, as_attachment: bool = False) -> HttpResponse:
    """A PDF response: shown in the browser (to print) or downloaded, under a readable Chinese file name."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename) or "inline"
    return response
