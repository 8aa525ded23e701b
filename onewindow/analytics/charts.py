"""Charts drawn as inline SVG on the server: nothing to download, readable without JavaScript, printable in
the PDF, and each bar carries its figure as text for screen readers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    display: str
    x: float
    width: float
    height: float
    y: float


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    baseline: float


def bar_chart(title: str, points: list[tuple[str, float | None, str]], *, height: int = 180) -> BarChart:
    """Vertical bars scaled to the largest value; ``points`` are (label, value, shown text)."""
    plot_height = height - 40
    slot = 72
    width = max(slot * len(points), 240)
    top = max((v for _label, v, _text in points if v), default=0) or 1
    bars = []
    for index, (label, value, text) in enumerate(points):
        bar_height = plot_height * (value or 0) / top
        bars.append(
            Bar(
                label=label if len(label) <= 7 else label[:6] + "…",
                value=value or 0,
                display=text,
                x=index * slot + 10,
                width=slot - 20,
                height=bar_height,
                y=20 + plot_height - bar_height,
            )
        )
    return BarChart(title=title, bars=bars, width=width, height=height, baseline=20 + plot_height)
