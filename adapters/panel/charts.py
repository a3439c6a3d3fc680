"""Charts as SVG drawn on the server: no script, no library, readable by a screen reader.

Every chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>`` (the page
puts a table with the same numbers beside it). Every label is escaped here, so the result
may be placed in a page as it is; colours are attributes, not styles (the panel's CSP allows
no inline style).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

__all__ = ["Point", "line_chart"]

# Colours with at least 3:1 contrast against white (WCAG 1.4.11 for graphics).
LINE = "#1a5e9a"
AXIS = "#4a4a4a"
GRID = "#d0d0d0"
TEXT = "#222222"
_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True, slots=True)
class Point:
    """One point: where it is on the x axis, its value, and how the axis names it."""

    x: float
    y: float
    label: str


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart(points: Sequence[Point], *, chart_id: str, title: str, description: str,
               y_max: float | None = None, x_min: float | None = None,
               x_max: float | None = None, width: int = 640, height: int = 260,
               x_labels: int = 6, origin: bool = False) -> Markup:
    """A line through ``points`` with a dot at each, on axes from 0 to ``y_max`` (the
    highest value when None); at most ``x_labels`` labels along the x axis. ``origin``:
    the line starts at (``x_min``, 0), as a running total does (no dot there)."""
    key = _ID.sub("-", chart_id) or "chart"
    left, right, top, bottom = 48, 16, 16, 36
    inner_w, inner_h = width - left - right, height - top - bottom
    ordered = sorted(points, key=lambda p: p.x)
    low = x_min if x_min is not None else (ordered[0].x if ordered else 0.0)
    high = x_max if x_max is not None else (ordered[-1].x if ordered else 1.0)
    if high <= low:
        high = low + 1
    top_value = max([y_max or 0.0, *(p.y for p in ordered), 1.0])

    def sx(x: float) -> float:
        return left + (x - low) / (high - low) * inner_w

    def sy(y: float) -> float:
        return top + inner_h - y / top_value * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{key}" '
        f'viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{key}-title">{_e(title)}</title>',
        f'<desc id="{key}-desc">{_e(description)}</desc>',
    ]
    # Horizontal grid lines with their values: 0, a quarter, … the top.
    for step in range(5):
        value = top_value * step / 4
        y = sy(value)
        parts.append(f'<line x1="{left}" y1="{_n(y)}" x2="{left + inner_w}" y2="{_n(y)}" '
                     f'stroke="{GRID if step else AXIS}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" '
                     f'font-size="12" fill="{TEXT}">{_e(_n(round(value, 1)))}</text>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + inner_h}" '
                 f'stroke="{AXIS}" stroke-width="1"/>')
    if ordered:
        every = max(1, -(-len(ordered) // max(1, x_labels)))
        for index, point in enumerate(ordered):
            if index % every and index != len(ordered) - 1:
                continue
            parts.append(f'<text x="{_n(sx(point.x))}" y="{height - bottom + 18}" '
                         f'text-anchor="middle" font-size="12" fill="{TEXT}">'
                         f'{_e(point.label)}</text>')
        line = [Point(low, 0, ""), *ordered] if origin else ordered
        path = " ".join(f"{_n(sx(p.x))},{_n(sy(p.y))}" for p in line)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" '
                     f'stroke-width="2"/>')
        for point in ordered:
            parts.append(f'<circle class="chart-point" cx="{_n(sx(point.x))}" '
                         f'cy="{_n(sy(point.y))}" r="4" fill="{LINE}">'
                         f'<title>{_e(point.label)}: {_e(_n(point.y))}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # every piece of text above is escaped
