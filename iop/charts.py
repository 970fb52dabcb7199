"""Server-rendered SVG charts of a goal's progression (usable in the PDF too).

No scripts and no ``style`` attributes (the CSP allows neither): only SVG
presentation attributes. Each chart is an ``img`` with a title and a text
description, and the pages show the same data as a table.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple, Protocol

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from students.dates import short

from .models import Level
from .templatetags.iop_levels import PLAIN_WORDS

QUALITY_COLOUR = "#1e5aa8"
INDEPENDENCE_COLOUR = "#a6400f"
GRID_COLOUR = "#c4c8cc"
TEXT_COLOUR = "#1e2b3c"


class LogLike(Protocol):
    @property
    def date(self) -> datetime.date: ...
    @property
    def quality(self) -> int | None: ...
    @property
    def independence(self) -> int | None: ...


def _series(logs: Sequence[LogLike], attr: str) -> list[tuple[datetime.date, int]]:
    return [(e.date, v) for e in logs if (v := getattr(e, attr))]


def level_name(level: int, plain: bool = False) -> str:
    """The name of criteria level LEVEL (1–4): the criteria level's own name
    ("Competent"), or with PLAIN the everyday words a guardian reads
    ("Masters it")."""
    return str(PLAIN_WORDS[Level(level)]) if plain else str(Level(level).label)


def describe(logs: Sequence[LogLike], plain: bool = False) -> str:
    """The levels reached, in words (the last six of each axis); PLAIN as for
    :func:`level_name`, the axes too ("How well" for "Quality")."""
    parts = []
    axes = (_("How well"), _("How independently")) if plain else (_("Quality"), _("Independence"))
    for attr, label in zip(("quality", "independence"), axes, strict=True):
        series = _series(logs, attr)
        if series:
            steps = " → ".join(level_name(v, plain) for _d, v in series[-6:])
            parts.append(f"{label}: {steps}")
    return "; ".join(parts) or _("No levels logged yet.")


#: Width of a character of the 12 px axis labels, generous (DejaVu Sans, the
#: PDF's font, averages 6.4 px), and the free space left of the longest label.
LABEL_CHAR_PX = 7.4
LABEL_EDGE_PX = 16


def _label_margin(plain: bool = False) -> int:
    """The left margin in px of a full-size chart: the longest level word in
    the current language, the gap to the plot (8 px) and LABEL_EDGE_PX to the
    chart's edge, so the axis labels never touch it."""
    longest = max(len(level_name(level, plain)) for level in Level)
    return round(longest * LABEL_CHAR_PX) + 8 + LABEL_EDGE_PX


class _Point(NamedTuple):
    date: datetime.date
    quality: int | None
    independence: int | None


def progression_svg(
    logs: Sequence[LogLike], *, title: str = "", small: bool = False, plain: bool = False
) -> SafeString:
    """A line per axis (quality, independence) of the level reached over time:
    quality solid with round marks, independence dashed with square marks, the
    two drawn a few pixels apart so equal levels show both lines. With no level
    logged, a short sentence (``<p class="progression-empty">``) instead. PLAIN
    (a guardian's page) names the levels in everyday words.

    The same levels, title and size in the same language give the same chart:
    it is drawn once per process (the plan pages draw one for every goal)."""
    points = tuple(_Point(e.date, e.quality, e.independence) for e in logs)
    return _progression_svg(points, title, small, plain, get_language())


@lru_cache(maxsize=4096)
def _progression_svg(
    logs: tuple[_Point, ...], title: str, small: bool, plain: bool, language: str | None
) -> SafeString:
    q_series, i_series = _series(logs, "quality"), _series(logs, "independence")
    if not (q_series or i_series):
        return format_html('<p class="progression-empty">{}</p>', _("No levels logged yet."))
    width, height = (160, 48) if small else (560, 240)
    left, right, top, bottom = (4, 4, 6, 6) if small else (_label_margin(plain), 16, 16, 40)
    plot_w, plot_h = width - left - right, height - top - bottom
    shift = 1.5 if small else 3.0  # quality a little above, independence a little below
    dates = sorted({d for d, _v in q_series + i_series})
    label = _("Progression: %(goal)s") % {"goal": title[:120]} if title else _("Progression")
    desc = describe(logs, plain)
    stop = "" if label.endswith((".", "!", "?")) else "."  # a goal's text ending in "." gets no second one
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}{stop} {escape(desc)}" class="progression">',
        f"<title>{escape(label)}</title><desc>{escape(desc)}</desc>",
    ]

    def y(level: int) -> float:
        return top + plot_h - (level - 1) * plot_h / 3

    span = (dates[-1] - dates[0]).days if len(dates) > 1 else 0

    def x(day: datetime.date) -> float:
        if not span:
            return left + plot_w / 2
        return left + (day - dates[0]).days * plot_w / span

    for level in Level:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(level.value):.1f}" y2="{y(level.value):.1f}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
        )
        if not small:
            out.append(
                f'<text x="{left - 8}" y="{y(level.value) + 4:.1f}" text-anchor="end" font-size="12" '
                f'fill="{TEXT_COLOUR}">{escape(level_name(level, plain))}</text>'
            )
    axes = ((q_series, QUALITY_COLOUR, "", -shift, "circle"), (i_series, INDEPENDENCE_COLOUR, "6 4", shift, "square"))
    for series, colour, dash, dy, mark in axes:
        if not series:
            continue
        points = " ".join(f"{x(d):.1f},{y(v) + dy:.1f}" for d, v in series)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{2 if small else 3}"{dash_attr}/>'
        )
        r = 2.5 if small else 4.5
        for d, v in series:
            cx, cy = x(d), y(v) + dy
            if mark == "circle":
                out.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{r}" fill="{colour}"/>')
            else:
                out.append(
                    f'<rect x="{cx - r:.1f}" y="{cy - r:.1f}" width="{2 * r}" height="{2 * r}" fill="white" '
                    f'stroke="{colour}" stroke-width="2"/>'
                )
    if not small:
        if dates:
            out.append(
                f'<text x="{left}" y="{height - 20}" font-size="12" fill="{TEXT_COLOUR}">{short(dates[0])}</text>'
            )
            if len(dates) > 1:
                out.append(
                    f'<text x="{left + plot_w}" y="{height - 20}" text-anchor="end" font-size="12" '
                    f'fill="{TEXT_COLOUR}">{short(dates[-1])}</text>'
                )
        legend_y = height - 4
        out.append(
            f'<line x1="{left}" x2="{left + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{QUALITY_COLOUR}" '
            f'stroke-width="3"/><text x="{left + 30}" y="{legend_y}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(_('Quality'))}</text>"
            f'<line x1="{left + 150}" x2="{left + 174}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{INDEPENDENCE_COLOUR}" stroke-width="3" stroke-dasharray="6 4"/>'
            f'<text x="{left + 180}" y="{legend_y}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(_('Independence'))}</text>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every interpolated text is escaped above
