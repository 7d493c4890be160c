"""Small server-side SVG charts (no JavaScript): bars for reports, a line for a camera's hours."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from monitor.core.localtime import format_local


def bar_chart(
    items: Sequence[tuple[str, float]], *, title: str = "", width: int = 640, unit: str = "%"
) -> str:
    """Horizontal bars, one per (label, value in 0..100), labelled with the value."""
    bar_h, gap, left, top = 18, 6, 200, 28 if title else 8
    height = top + len(items) * (bar_h + gap) + 8
    plot = width - left - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(
            f'<text x="4" y="18" font-family="DejaVu Sans" font-size="14" '
            f'font-weight="bold">{escape(title)}</text>'
        )
    for index, (label, value) in enumerate(items):
        y = top + index * (bar_h + gap)
        length = max(0.0, min(100.0, value)) / 100 * plot
        colour = "#1e7b34" if value >= 99 else "#a15c00" if value >= 95 else "#b3261e"
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" font-family="DejaVu Sans" '
            f'font-size="11">{escape(label[:32])}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{left + length + 4:.1f}" y="{y + 13}" font-family="DejaVu Sans" '
            f'font-size="11">{value:.1f}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    points: Sequence[tuple[datetime, float]],
    *,
    title: str = "",
    width: int = 640,
    height: int = 180,
) -> str:
    """A line over time of values in 0..1 (for example hourly availability), as percent."""
    left, right, top, bottom = 40, 10, 24 if title else 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">'
    ]
    if title:
        parts.append(
            f'<text x="4" y="16" font-family="DejaVu Sans" font-size="13" '
            f'font-weight="bold">{escape(title)}</text>'
        )
    for pct in (0, 50, 100):
        y = top + plot_h * (1 - pct / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-family="DejaVu Sans" '
            f'font-size="10">{pct}%</text>'
        )
    if points:
        first, last = points[0][0], points[-1][0]
        span = max(1.0, (last - first).total_seconds())
        coords = [
            (
                left + plot_w * (when - first).total_seconds() / span,
                top + plot_h * (1 - max(0.0, min(1.0, value))),
            )
            for when, value in points
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5fbf" stroke-width="1.5"/>')
        for when, anchor, x in ((first, "start", left), (last, "end", width - right)):
            parts.append(
                f'<text x="{x}" y="{height - 6}" text-anchor="{anchor}" font-family="DejaVu Sans" '
                f'font-size="10">{format_local(when)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
