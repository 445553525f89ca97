"""How the Reports page shows figures: numbers as people read them, the change from the
previous period, and bar charts drawn on the server as inline SVG.

The console's Content-Security-Policy allows no inline styles or scripts, so the SVG uses
presentation attributes and classes from console.css only. Each chart is an image with a
title and a description that states every value, and each bar may link to the conversations
behind it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape


def format_value(value: float | None, unit: str) -> str:
    """A figure for people: 42.5% for rates, 3 min 20 s for durations, 1,234 for counts."""
    if value is None:
        return "—"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "seconds":
        return format_seconds(value)
    return f"{value:,.0f}"


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 60:
        whole = int(minutes)
        rest = round(seconds - whole * 60)
        return f"{whole} min {rest} s" if rest else f"{whole} min"
    hours = minutes / 60
    if hours < 48:
        return f"{int(hours)} h {round(minutes - int(hours) * 60)} min"
    return f"{hours / 24:.1f} days"


def format_change(current: float | None, previous: float | None, unit: str) -> str:
    """The change from the previous period: percentage points for rates, percent otherwise."""
    if current is None or previous is None:
        return "no comparison"
    if unit == "rate":
        points = (current - previous) * 100
        return "no change" if abs(points) < 0.05 else f"{points:+.1f} pts"
    if previous == 0:
        return "no change" if current == 0 else "new"
    percent = (current - previous) / previous * 100
    return "no change" if abs(percent) < 0.05 else f"{percent:+.0f}%"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    previous: float | None = None
    href: str | None = None


# Layout in SVG user units; the image scales to its container's width.
_WIDTH, _LABEL_WIDTH, _VALUE_WIDTH = 640, 190, 120
_ROW, _BAR, _PREVIOUS_BAR, _TOP = 34, 14, 6, 26


def bar_chart(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], unit: str
) -> Markup:
    """Horizontal bars, the current period's value in colour and the previous period's as a thin
    grey bar under it. Values of `unit` (see `format_value`); rates are drawn on 0..100%.
    `chart_id` must be unique in the page (it names the title and description)."""
    values = [v for bar in bars for v in (bar.value, bar.previous) if v is not None]
    scale = 1.0 if unit == "rate" else max(values, default=0) or 1.0
    span = _WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    height = _TOP + _ROW * max(len(bars), 1) + 6
    spoken = "; ".join(
        f"{bar.label}: {format_value(bar.value, unit)} "
        f"(previous period {format_value(bar.previous, unit)})"
        for bar in bars
    )
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)} {escape(spoken or "No data.")}</desc>',
        f'<g class="legend" aria-hidden="true"><rect x="{_LABEL_WIDTH}" y="6" width="12" '
        f'height="10" class="bar-current"/><text x="{_LABEL_WIDTH + 16}" y="15">this period</text>'
        f'<rect x="{_LABEL_WIDTH + 110}" y="8" width="12" height="6" class="bar-previous"/>'
        f'<text x="{_LABEL_WIDTH + 126}" y="15">previous period</text></g>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="{_TOP + 16}" class="chart-empty">No data</text>')
    for index, bar in enumerate(bars):
        y = _TOP + index * _ROW
        width = 0.0 if bar.value is None else span * min(bar.value / scale, 1.0)
        before = 0.0 if bar.previous is None else span * min(bar.previous / scale, 1.0)
        tip = (
            f"{bar.label}: {format_value(bar.value, unit)}, "
            f"previous period {format_value(bar.previous, unit)}"
        )
        row = (
            f"<title>{escape(tip)}</title>"
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end" class="chart-label">'
            f"{escape(_shorten(bar.label))}</text>"
            f'<rect x="{_LABEL_WIDTH}" y="{y + 2}" width="{width:.1f}" height="{_BAR}" '
            f'class="bar-current"/>'
            f'<rect x="{_LABEL_WIDTH}" y="{y + 4 + _BAR}" width="{before:.1f}" '
            f'height="{_PREVIOUS_BAR}" class="bar-previous"/>'
            f'<text x="{_LABEL_WIDTH + span + 8}" y="{y + 13}" class="chart-value">'
            f"{escape(format_value(bar.value, unit))}</text>"
        )
        if bar.href:
            parts.append(f'<a href="{escape(bar.href)}" class="chart-link">{row}</a>')
        else:
            parts.append(f"<g>{row}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704: every piece of text above is escaped


def _shorten(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
