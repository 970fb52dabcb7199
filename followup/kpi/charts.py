"""Server-rendered SVG bar charts of the key figures (no scripts, no ``style``
attributes: the CSP allows neither). Each chart is an ``img`` with a title
and a description; the page shows the same figures in a table beside it.

Series differ by fill pattern as well as by colour (solid, hatched,
dotted), and every bar carries its value as text, so colour is never the
only signal.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TEXT = "#1e2b3c"
GRID = "#c4c8cc"
COLOURS = ("#1e5aa8", "#a6400f", "#2f6b3a")
LABEL_W = 180  # the group labels' column, SVG user units
BAR_W = 320  # the longest bar
VALUE_W = 70
BAR_H = 13
BAR_GAP = 3
GROUP_GAP = 10
LEGEND_H = 26
LABEL_CHARS = 28


def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _patterns(chart_id: str) -> str:
    """A solid fill, a hatch and dots, one per series, each in its colour."""
    solid, hatch, dots = COLOURS
    return (
        f'<defs><pattern id="{chart_id}-p0" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{solid}"/></pattern>'
        f'<pattern id="{chart_id}-p1" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{hatch}"/></pattern>'
        f'<pattern id="{chart_id}-p2" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#ffffff"/><circle cx="2.5" cy="2.5" r="1.6" fill="{dots}"/></pattern>'
        "</defs>"
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    groups: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[str],
    maximum: float | None = None,
    suffix: str = "",
) -> SafeString:
    """A horizontal bar chart as an inline ``<svg role="img">``.

    GROUPS: ``[(label, [value per series])]`` in drawing order, a value
    ``None`` drawn as "–" without a bar; SERIES: the series' names (at most
    three); MAXIMUM: the value of the longest bar (default: the largest
    value, at least 1); SUFFIX: put after each value ("%" for shares).
    CHART_ID makes the pattern ids unique on the page (letters, digits, "-")."""
    if len(series) > len(COLOURS):
        raise ValueError("at most three series")
    values = [v for _label, vs in groups for v in vs if v is not None]
    top = maximum if maximum is not None else max([1.0, *values])
    per_group = len(series) * (BAR_H + BAR_GAP) - BAR_GAP
    height = LEGEND_H + len(groups) * (per_group + GROUP_GAP) + 4
    width = LABEL_W + BAR_W + VALUE_W
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" data-chart="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        _patterns(chart_id),
    ]
    x = LABEL_W
    for i, name in enumerate(series):
        out.append(
            f'<rect x="{x}" y="6" width="14" height="12" fill="url(#{chart_id}-p{i})" stroke="{COLOURS[i]}"/>'
            f'<text x="{x + 18}" y="16" font-size="11" fill="{TEXT}">{escape(name)}</text>'
        )
        x += 26 + 7 * len(name)
    out.append(
        f'<line x1="{LABEL_W}" y1="{LEGEND_H - 2}" x2="{LABEL_W}" y2="{height - 2}" stroke="{GRID}" stroke-width="1"/>'
    )
    y = LEGEND_H
    for label, vs in groups:
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        out.append(
            f'<text x="{LABEL_W - 6}" y="{y + per_group / 2 + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{TEXT}"><title>{escape(label)}</title>{escape(short)}</text>'
        )
        for i, value in enumerate(vs):
            bar_y = y + i * (BAR_H + BAR_GAP)
            if value is None:
                text, length = "–", 0.0
            else:
                text, length = _number(value) + suffix, BAR_W * min(max(value, 0) / top, 1.0)
                out.append(
                    f'<rect x="{LABEL_W}" y="{bar_y}" width="{length:.1f}" height="{BAR_H}" '
                    f'fill="url(#{chart_id}-p{i})" stroke="{COLOURS[i]}" stroke-width="0.8" data-value="{value}">'
                    f"<title>{escape(label)}, {escape(series[i])}: {escape(text)}</title></rect>"
                )
            out.append(
                f'<text x="{LABEL_W + length + 4:.1f}" y="{bar_y + BAR_H - 2}" font-size="10" '
                f'fill="{TEXT}">{escape(text)}</text>'
            )
        y += per_group + GROUP_GAP
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
