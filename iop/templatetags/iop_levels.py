"""Level words for the four criteria levels (1–4) of a goal."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Level

register = template.Library()

#: What each level means, in words a parent uses (the criteria levels of
#: IOP-LOGG are begynnernivå, under utvikling, kompetent, fremragende).
PLAIN_WORDS = {
    Level.BEGINNER: gettext_lazy("Has made a start"),
    Level.DEVELOPING: gettext_lazy("On the way"),
    Level.COMPETENT: gettext_lazy("Masters it"),
    Level.EXCELLENT: gettext_lazy("Masters it very well"),
}


@register.filter
def level_word(value: int | None, internal: bool = True) -> str:
    """The level VALUE (1–4, or None) as words: for staff (INTERNAL) the
    criteria level's name ("Competent"), for guardians the everyday words
    ("Masters it"). "–" when there is no level; an unknown number is shown
    as it is."""
    if value in (None, ""):
        return "–"
    try:
        level = Level(int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return str(level.label) if internal else str(PLAIN_WORDS[level])


@register.filter
def criteria_rows(goal: Any, plain: bool = False) -> list[tuple[Any, list[tuple[Any, str]]]]:
    """GOAL's criteria, [(axis, [(level, text) × 4]) × 2]; with PLAIN the
    axes in a guardian's words (:meth:`iop.models.Goal.plain_criteria`)."""
    return goal.plain_criteria() if plain else goal.criteria()


@register.simple_tag
def plain_level_words() -> list[tuple[int, str]]:
    """[(level, plain words)] for the 1–4 scale, for a legend."""
    return [(int(level), _(str(words))) for level, words in PLAIN_WORDS.items()]


AIM_PREFIX = re.compile(r"^\s*(?:(?:KM|Kompetansemål|Kompetansemal|Kunskapskrav|Mål)\s*:\s*)+", re.IGNORECASE)


@register.filter
def without_aim_prefix(text: str | None) -> str:
    """A goal's free-text competence aim without a typed "KM:" or
    "Kompetansemål:" in front (the page puts its own label there):
    "KM: lese med forståelse" → "lese med forståelse"; None → ""."""
    return AIM_PREFIX.sub("", text or "")
