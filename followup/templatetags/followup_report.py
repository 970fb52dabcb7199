"""The pedagogisk rapport in sections on pages and in the PDF."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from .. import report_text

register = template.Library()


@register.filter
def report_sections(text: str, heading_level: int = 3) -> SafeString:
    """TEXT (a pedagogisk rapport) as headed ``<section>`` elements."""
    return report_text.as_html(text or "", heading_level=int(heading_level))


@register.simple_tag
def report_hints() -> list[tuple[str, str]]:
    """[(section title, what to write there)] for the edit page."""
    return [(str(title), str(hint)) for title, hint in report_text.HINTS]
