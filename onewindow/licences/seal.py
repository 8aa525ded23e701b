"""The issuing department's round seal drawn as SVG from its name: a red ring, a five-pointed star and the
name on the upper arc (the layout of an official seal, 国务院《关于国家行政机关和企业事业单位社会团体印章管理的
规定》), with the seal's purpose written straight under the star.

Drawn from the department's own name rather than a scanned image: nothing to upload, nothing fetched while
rendering, and the same SVG works in the PDF (WeasyPrint) and on web pages. It shows who issued the licence;
what proves it is the digital signature printed beside it.
"""

from __future__ import annotations

import math

from django.utils.html import escape

SEAL_RED = "#d7141a"
_SIZE = 200  # viewBox units; the seal is drawn at whatever size the page gives it
_CENTRE = _SIZE / 2
_RING_RADIUS = 93
_RING_WIDTH = 5.5
# The name's glyphs sit on this radius (their baseline), tops toward the ring.
_NAME_OUTER = 84
_STAR_RADIUS = 30
# The name spreads over an arc of 20° a character, at least _MIN_ARC (short names stand apart, as on a real
# seal) and at most _MAX_ARC (long names close up and get smaller).
_MIN_ARC = 150
_MAX_ARC = 240
_FONT = "Noto Serif CJK SC, Noto Sans CJK SC, serif"


def _star_points(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.382  # a regular pentagram: inner / outer = 1 / φ²
    points = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = math.radians(-90 + index * 36)
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy + radius * math.sin(angle):.2f}")
    return " ".join(points)


def _name_glyphs(name: str) -> list[str]:
    count = len(name)
    if not count:
        return []
    step = min(max(count * 20, _MIN_ARC), _MAX_ARC) / count if count > 1 else 0.0
    font_size = min(26.0, max(10.0, math.radians(step or 20) * _NAME_OUTER * 0.82))
    baseline = _NAME_OUTER - font_size * 0.9
    start = -step * (count - 1) / 2
    glyphs = []
    for index, char in enumerate(name):
        angle = start + index * step
        radians = math.radians(angle)
        x = _CENTRE + baseline * math.sin(radians)
        y = _CENTRE - baseline * math.cos(radians)
        glyphs.append(
            f'<text x="{-font_size / 2:.2f}" y="0" font-size="{font_size:.2f}" '
            f'transform="translate({x:.2f} {y:.2f}) rotate({angle:.2f})">{escape(char)}</text>'
        )
    return glyphs


def seal_svg(name: str, *, purpose: str = "", title: str = "") -> str:
    """The seal of the department called ``name`` as an inline SVG element (safe to mark as HTML: every text
    is escaped). ``purpose`` is the line under the star (e.g. 电子证照专用章); ``title`` its accessible name."""
    name = " ".join(name.split())
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_SIZE} {_SIZE}" class="licence-seal" '
        f'role="img" aria-label="{escape(title or name)}">',
        f"<title>{escape(title or name)}</title>",
        f'<circle cx="{_CENTRE}" cy="{_CENTRE}" r="{_RING_RADIUS}" fill="none" stroke="{SEAL_RED}" '
        f'stroke-width="{_RING_WIDTH}"/>',
        f'<polygon points="{_star_points(_CENTRE, _CENTRE - 2, _STAR_RADIUS)}" fill="{SEAL_RED}"/>',
        f'<g fill="{SEAL_RED}" font-family="{_FONT}" font-weight="700">',
        *_name_glyphs(name),
    ]
    if purpose:
        size = min(16.0, 98 / max(len(purpose), 1))
        width = size * len(purpose)
        parts.append(
            f'<text x="{_CENTRE - width / 2:.2f}" y="{_CENTRE + 52:.2f}" font-size="{size:.2f}">'
            f"{escape(purpose)}</text>"
        )
    parts += ["</g>", "</svg>"]
    return "".join(parts)
