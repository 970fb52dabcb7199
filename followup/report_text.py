"""The pedagogisk rapport's text in sections.

The report is one text (so two teachers' edits merge field by field, see
:mod:`iop.concurrency`) made of sections, each started by a heading line
``## Title``. Reports written before this format used a title underlined
with ``=====``; both are read. Pages and the PDF show the sections as
headed parts, never the markers.

Hints on what to write are shown beside the text on the edit page, never
put in it; a report whose section is empty, or still holds a hint from an
older draft, cannot be sent (:func:`unfinished`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEADING = re.compile(r"^##\s+(?P<title>\S.*?)\s*$")
UNDERLINE = re.compile(r"^=+\s*$")
ITEM = re.compile(r"^-\s+(?P<text>.*)$")

#: (section title, what to write there): the hints of the edit page.
HINTS = (
    (gettext_lazy("The pupil's main challenges"), gettext_lazy("What the pupil finds hard, and in which situations.")),
    (gettext_lazy("What the pupil masters"), gettext_lazy("Describe the pupil's strengths and what works well.")),
)


@dataclass(frozen=True)
class ReportSection:
    title: str  # "" for text before the first heading
    body: str


def heading(title: str) -> str:
    """The line that starts a section titled TITLE."""
    return f"## {title}"


def sections(text: str) -> list[ReportSection]:
    """TEXT split into its sections, in order (bodies stripped; text before
    the first heading is a section with an empty title; empty text: [])."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[ReportSection] = []
    title: str | None = None
    body: list[str] = []

    def close() -> None:
        joined = "\n".join(body).strip("\n")
        if title is not None or joined.strip():
            out.append(ReportSection(title=title or "", body=joined.rstrip()))

    i = 0
    while i < len(lines):
        line = lines[i]
        match = HEADING.match(line)
        underlined = bool(line.strip()) and i + 1 < len(lines) and bool(UNDERLINE.match(lines[i + 1]))
        if match or underlined:
            close()
            title, body = (match.group("title") if match else line.strip()), []
            i += 1 if match else 2
            continue
        body.append(line)
        i += 1
    close()
    return out


def _hint_texts() -> set[str]:
    """Every hint in every language the app speaks (an older draft may hold one)."""
    out: set[str] = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out |= {str(hint).strip() for _title, hint in HINTS}
    return out


def unfinished(text: str) -> list[str]:
    """Titles of TEXT's sections that are empty or hold only a hint; ["" ]
    when the whole text is empty."""
    parts = sections(text)
    if not parts:
        return [""]
    hints = _hint_texts()
    return [p.title for p in parts if p.title and (not p.body.strip() or p.body.strip() in hints)]


def _body_html(body: str) -> SafeString:
    """BODY as paragraphs and lists: lines "- text" are list items, indented
    lines after an item belong to it, blank lines part paragraphs."""
    blocks: list[SafeString] = []
    items: list[list[str]] = []
    para: list[str] = []

    def flush_para() -> None:
        if para:
            blocks.append(format_html("<p>{}</p>", mark_safe("<br>".join(format_html("{}", p) for p in para))))  # noqa: S308
            para.clear()

    def flush_items() -> None:
        if items:
            lis = format_html_join(
                "",
                "<li>{}</li>",
                ((mark_safe("<br>".join(format_html("{}", x) for x in item)),) for item in items),  # noqa: S308
            )
            blocks.append(format_html("<ul>{}</ul>", lis))
            items.clear()

    for line in body.split("\n"):
        item = ITEM.match(line)
        if item:
            flush_para()
            items.append([item.group("text")])
        elif line.startswith((" ", "\t")) and line.strip() and items:
            items[-1].append(line.strip())
        elif not line.strip():
            flush_para()
            flush_items()
        else:
            flush_items()
            para.append(line)
    flush_para()
    flush_items()
    return mark_safe("".join(blocks))  # noqa: S308 - every text is escaped by format_html


def as_html(text: str, *, heading_level: int = 3, empty: str | None = None) -> SafeString:
    """TEXT as ``<section>`` elements with an ``<h{heading_level}>`` title
    each (escaped); an empty section says EMPTY (default: "Not written yet.")."""
    empty_text = _("Not written yet.") if empty is None else empty
    out = []
    for part in sections(text):
        title = format_html("<h{0}>{1}</h{0}>", heading_level, part.title) if part.title else ""
        body = _body_html(part.body) if part.body.strip() else format_html('<p class="report-empty">{}</p>', empty_text)
        out.append(format_html('<section class="report-section">{}{}</section>', title, body))
    return mark_safe("".join(out))  # noqa: S308 - the parts are built by format_html


def hint_for(title: str) -> str:
    """The hint on what to write in the section titled TITLE (in any language
    the app speaks), in the current language; "" when the section has none."""
    current = {str(t).strip(): str(h) for t, h in HINTS}
    if title in current:
        return current[title]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found = next((i for i, (t, _h) in enumerate(HINTS) if str(t).strip() == title), None)
        if found is not None:
            return str(HINTS[found][1])
    return ""


def compose(parts: list[tuple[str, str]]) -> str:
    """The report text made of PARTS, (title, body) pairs in order; a part
    with an empty title is text without a heading. Inverse of :func:`sections`."""
    out = []
    for title, body in parts:
        body = body.replace("\r\n", "\n").strip("\n").rstrip()
        out.append(f"{heading(title)}\n{body}\n" if title else f"{body}\n")
    return "\n".join(out)
