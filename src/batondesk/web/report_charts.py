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
    if unit == "money":
        return f"{value:,.2f}"
    if unit == "score":
        return f"{value:+.2f}"
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


@dataclass(frozen=True)
class Column:
    label: str  # shown under the column (e.g. a day)
    value: float | None
    detail: str = ""  # added to the column's tooltip and the chart's description


_COLUMNS_HEIGHT, _COLUMNS_TOP, _COLUMNS_BOTTOM, _COLUMNS_LEFT = 180, 12, 34, 64


def column_chart(
    chart_id: str,
    title: str,
    description: str,
    columns: Sequence[Column],
    unit: str,
    low: float,
    high: float,
) -> Markup:
    """Vertical columns on a fixed scale `low`..`high` (a negative `low` draws values below
    zero downwards from a zero line), one per label in order, e.g. one per day. Empty
    columns (None) are left blank and said to be empty."""
    span_x = _WIDTH - _COLUMNS_LEFT - 8
    span_y = _COLUMNS_HEIGHT - _COLUMNS_TOP - _COLUMNS_BOTTOM
    step = span_x / max(len(columns), 1)
    width = max(2.0, step * 0.7)

    def y_of(value: float) -> float:
        clipped = min(max(value, low), high)
        return _COLUMNS_TOP + span_y * (high - clipped) / (high - low)

    zero = y_of(0.0 if low <= 0 <= high else low)
    spoken = "; ".join(
        f"{c.label}: {format_value(c.value, unit) if c.value is not None else 'no data'}"
        + (f" ({c.detail})" if c.detail else "")
        for c in columns
    )
    parts = [
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {_WIDTH} {_COLUMNS_HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)} {escape(spoken or "No data.")}</desc>',
        f'<g aria-hidden="true"><text x="{_COLUMNS_LEFT - 6}" y="{_COLUMNS_TOP + 4}" '
        f'text-anchor="end" class="chart-label">{escape(format_value(high, unit))}</text>'
        f'<text x="{_COLUMNS_LEFT - 6}" y="{_COLUMNS_TOP + span_y + 4}" text-anchor="end" '
        f'class="chart-label">{escape(format_value(low, unit))}</text>'
        f'<line x1="{_COLUMNS_LEFT}" x2="{_WIDTH - 8}" y1="{zero:.1f}" y2="{zero:.1f}" '
        f'class="chart-axis"/></g>',
    ]
    # Label every day when they fit, else about ten of them.
    every = max(1, round(len(columns) / 10))
    for index, column in enumerate(columns):
        x = _COLUMNS_LEFT + index * step + (step - width) / 2
        shown = format_value(column.value, unit) if column.value is not None else "no data"
        tip = f"{column.label}: {shown}" + (f" ({column.detail})" if column.detail else "")
        bar = ""
        if column.value is not None:
            top = min(y_of(column.value), zero)
            height = max(abs(y_of(column.value) - zero), 1.0)
            bar = (
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
                f'class="bar-current"/>'
            )
        label = ""
        if index % every == 0:
            label = (
                f'<text x="{x + width / 2:.1f}" y="{_COLUMNS_HEIGHT - 14}" text-anchor="middle" '
                f'class="chart-label">{escape(column.label)}</text>'
            )
        parts.append(f"<g><title>{escape(tip)}</title>{bar}{label}</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704: every piece of text above is escaped


def _shorten(label: str, limit: int = 26) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
