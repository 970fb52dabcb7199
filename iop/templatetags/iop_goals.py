"""How a goal is named where its own text may still be empty (a new IOP goal
starts empty, and a teacher may clear the text while rewriting it)."""

from __future__ import annotations

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Goal

register = template.Library()


@register.filter
def name_cut(text: str, length: int = 40) -> str:
    """TEXT shortened for a screen reader's name of a button or link to at most
    LENGTH characters with "…", cut between two words (never mid-word); a
    first word longer than that is cut where it must be."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if text[length - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


@register.filter
def goal_name(goal: Goal) -> str:
    """GOAL named after a button's or link's words for a screen reader
    ("Delete: …"): its text, shortened to 40 characters at a word; a goal without text
    by its subject and when it was created, so two empty goals still differ."""
    text = goal.text.strip()
    if text:
        return name_cut(text)
    when = formats.date_format(timezone.localtime(goal.created_at), "SHORT_DATETIME_FORMAT")
    # The section's subject only when it is loaded already: naming never costs a query.
    loaded = goal.section_id and Goal.section.is_cached(goal)  # type: ignore[attr-defined]
    subject = goal.section.subject if loaded else goal.subject  # type: ignore[union-attr]
    if subject:
        return _("goal without text in %(subject)s, created %(when)s") % {"subject": subject, "when": when}
    return _("social or general goal without text, created %(when)s") % {"when": when}


@register.filter
def goal_text(goal: Goal) -> str:
    """GOAL's text for reading, or words saying it has none yet (not a bare "–")."""
    return goal.text if goal.text.strip() else _("This goal has no text yet.")
