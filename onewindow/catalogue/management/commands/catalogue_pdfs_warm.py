"""``onewindow catalogue_pdfs_warm``: draw every published guide's PDFs (guide, blank and sample form) into
the PDF cache, most-visited first, so no visitor waits for WeasyPrint. ``onewindow run`` starts it in the
background after loading the demo; run it after an import too."""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from onewindow.catalogue.selectors import item_published_get, items_published
from onewindow.catalogue.views import form_pdf, guide_pdf

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Draw the published guides' PDFs into the PDF cache (most-visited items first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=0, help="only the N most-visited items")

    def handle(self, *args: object, **options: object) -> None:
        codes = list(items_published().values_list("implementation_code", flat=True))
        if limit := int(options["limit"] or 0):  # type: ignore[call-overload]
            codes = codes[:limit]
        started, failed = time.monotonic(), 0
        with translation.override("zh-hans"):
            for code in codes:
                item = item_published_get(implementation_code=code)
                try:
                    guide_pdf(item)
                    version = item.published_version
                    if version is not None and (version.form_schema or {}).get("properties"):
                        form_pdf(item, "blank")
                        form_pdf(item, "sample")
                except Exception:  # one broken guide must not keep the others from the cache
                    failed += 1
                    logger.exception("drawing the PDFs of %s failed", code)
        self.stdout.write(
            f"PDF cache: {len(codes) - failed} of {len(codes)} guides drawn in {time.monotonic() - started:.0f} s"
        )
