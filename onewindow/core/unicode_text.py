"""Lone UTF-16 surrogates: text Python holds but UTF-8 cannot encode (``"\\ud800"`` from a JSON escape).

Refused at the door (core.input_middleware); anything stored before that is replaced with U+FFFD (�) when
shown (core.templating, the API's JSON renderer), so no page or answer fails to encode.
"""

from __future__ import annotations

import re

from django.utils.safestring import SafeString, mark_safe

SURROGATES = re.compile("[\ud800-\udfff]")


def text_repair(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD; safe strings stay safe."""
    if SURROGATES.search(text) is None:
        return text
    repaired = SURROGATES.sub("\ufffd", text)
    return mark_safe(repaired) if isinstance(text, SafeString) else repaired  # noqa: S308
