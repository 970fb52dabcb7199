"""How a goal is named where its own text may still be empty (a new IOP goal
starts empty, and a teacher may clear the text while rewriting it)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import truncatechars
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..models import Goal

register = template.Library()


@register.filter
def goal_name(goal: Goal) -> str:
    """GOAL named after a button's or link's words for a screen reader
    ("Delete: …"): its text, shortened to 40 characters; a goal without text
    by its subject and when it was created, so two empty goals still differ."""
    text = goal.text.strip()
    if text:
        return str(truncatechars(text, 40))
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
