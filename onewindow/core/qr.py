"""QR codes drawn as inline SVG for the printed documents (case notices, e-licences): the PDF renderer never
fetches anything, and segno escapes the text it holds."""

from __future__ import annotations

import segno


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an inline ``<svg>`` titled with the URL. Error level M and scale 3 with the
    quiet zone: about 3 cm on A4, readable by any phone camera."""
    return segno.make(url, error="m").svg_inline(scale=3, title=url)
