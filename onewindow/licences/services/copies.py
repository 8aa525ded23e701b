"""The 108号 watermarked copy of a licence attached to an application, drawn after the attachment.

Drawing the PDF (WeasyPrint) took most of a submission's time when it ran inside the applicant's request
(issue #18: 2.3 s of 3.4 s on a loaded machine). The attachment now writes its row with the licence's
identifier at once — the pre-review counts it, the department sees the reference — and queues
``licence_copy_draw_job`` in the same transaction (the task row commits with the attachment: nothing
acknowledged is lost). The worker draws the copy; a download that comes first draws it itself, once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from onewindow.cases.models import CaseMaterial, TrustLevel
from onewindow.cases.services import case_material_file_fill
from onewindow.licences.models import Licence
from onewindow.licences.pdf import licence_pdf

# How long the watermarked copy in an application may be relied on: the handling period with its
# extensions and special procedures, never beyond the licence's own validity.
COPY_VALID_DAYS = 90


def licence_copy_until(licence: Licence, made_on: dt.date) -> dt.date:
    """The copy serves 90 days from its attachment, never beyond the licence's own validity."""
    until = made_on + dt.timedelta(days=COPY_VALID_DAYS)
    return min(until, licence.valid_until) if licence.valid_until is not None else until


def licence_copy_draw(case_material: Any) -> bool:
    """Draw and store the watermarked copy of the licence a row names, if the row is a licence attachment
    still without its file; True when it is one (and now has its file)."""
    if case_material.file.name or case_material.trust_level != TrustLevel.A or not case_material.reference:
        return False
    licence = (
        Licence.objects.filter(identifier=case_material.reference)
        .select_related("licence_type", "issuer", "signing_key")
        .first()
    )
    if licence is None:
        return False
    content = licence_pdf(
        licence,
        copy_for=case_material.case.item_version.name,
        copy_valid_until=licence_copy_until(licence, timezone.localdate(case_material.created_at)),
    )
    case_material_file_fill(case_material_id=case_material.pk, content=content)
    return True


def licence_copy_draw_pending(case_material_id: Any) -> bool:
    """The worker's side: the row may have been removed, or drawn by a download, in the meantime."""
    row = CaseMaterial.objects.filter(pk=case_material_id).select_related("case__item_version").first()
    return row is not None and licence_copy_draw(row)
