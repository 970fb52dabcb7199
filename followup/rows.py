"""The deadline dashboard's rows, written in Python.

The dashboard lists up to 50 deadlines a page. Rendered through
``followup/_deadline_row.html`` (an include, five translations and a CSRF
field each), the rows cost about two fifths of the page's time.
:func:`deadline_row` writes the same HTML as that template writes for a
row without form errors, which is every row of the list. The template stays
for the one row sent back after "Done", which may carry the form's errors.
``tests/followup/test_rows.py`` holds the two to the same output.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from students.dates import short
from students.urlcache import reverse_one

from .models import Deadline


@dataclass(frozen=True)
class RowWords:
    """The interface's words of a row in the active language, looked up once a page."""

    done: str
    overdue: str
    open: str
    what_was_done: str
    open_again: str

    @classmethod
    def current(cls) -> RowWords:
        return cls(
            done=conditional_escape(gettext("Done")),
            overdue=conditional_escape(gettext("Overdue")),
            open=conditional_escape(gettext("Open")),
            what_was_done=conditional_escape(gettext("What was done")),
            open_again=conditional_escape(gettext("Open again")),
        )


def _e(value: Any) -> str:
    return conditional_escape(value)


def namesakes(deadlines: Iterable[Deadline]) -> frozenset[str]:
    """The pupils' names DEADLINES share between different pupils: those rows
    name the pupil with the date of birth too (two "Jonas Haugen" in 9A)."""
    pupils: dict[str, set[Any]] = {}
    for d in deadlines:
        if d.pupil_id:
            pupils.setdefault(d.pupil.full_name, set()).add(d.pupil_id)  # type: ignore[union-attr]
    return frozenset(name for name, ids in pupils.items() if len(ids) > 1)


def deadline_row(
    deadline: Deadline,
    link: str,
    *,
    today: datetime.date,
    csrf_token: str,
    words: RowWords,
    namesakes: frozenset[str] = frozenset(),
) -> SafeString:
    """One ``<tr>`` of the dashboard for DEADLINE (its ``pupil``, ``group``,
    ``school`` and ``responsible`` loaded): the HTML of
    ``followup/_deadline_row.html`` without form errors. LINK is the page the
    deadline is about, TODAY decides "overdue", CSRF_TOKEN goes into the
    "Done" form of an open deadline and the "Open again" form of one done
    by hand; WORDS in the active language; a pupil named in NAMESAKES
    (:func:`namesakes`) with the date of birth too. An
    empty LINK (a deadline about the whole school) gives the title alone."""
    d = deadline
    pk = _e(d.pk)
    title = _e(d.shown_title)  # a built-in duty's in the reader's language
    heading = f'<a class="ds-link" href="{_e(link)}">{title}</a>' if link else title  # no link to the page itself
    if d.pupil_id:
        about = d.pupil.full_name  # type: ignore[union-attr]
        if about in namesakes:
            about = f"{about} ({gettext('b.')} {short(d.pupil.birth_date)})"  # type: ignore[union-attr]
    elif d.group_id:
        about = d.group.name  # type: ignore[union-attr]
    else:
        about = d.school.name
    # Whom the deadline is about, for the form's names: many rows share a title.
    whom = f", {_e(about)}" if d.pupil_id or d.group_id else ""
    responsible = (d.responsible.full_name if d.responsible_id else "") or d.get_responsible_role_display()  # type: ignore[union-attr]
    if d.state == Deadline.State.DONE:
        status = f'<span class="ds-tag" data-color="success">{words.done}</span>'
        if d.done_at:  # the list of done deadlines is in the order they were done
            day = timezone.localtime(d.done_at)
            status += f' <time datetime="{day:%Y-%m-%d}">{_e(date_format(day, "MEDIUM_DATE_FORMAT"))}</time>'
        if d.done_note:
            status += f" {_e(d.done_note)}"
    elif d.due < today:
        status = f'<span class="ds-tag" data-color="danger">{words.overdue}</span>'
    else:
        status = f'<span class="ds-tag">{words.open}</span>'
    action = ""
    if d.state == Deadline.State.OPEN:
        url = _e(reverse_one("followup:deadline_complete", d.pk))
        action = (
            f'\n    <form method="post" action="{url}" hx-post="{url}" hx-target="#deadline-{pk}" hx-swap="outerHTML"'
            ' class="followup-inline-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(csrf_token)}">'
            f'\n      <label class="ds-label ds-sr-only" for="note-{pk}">{words.what_was_done}: {title}{whom}</label>'
            f'\n      <input class="ds-input" id="note-{pk}" name="note" type="text" maxlength="2000" required'
            f' placeholder="{words.what_was_done}">'
            '\n      <button class="ds-button" data-variant="secondary" data-size="sm" type="submit">'
            f'{words.done}<span class="visually-hidden">: {title}{whom}</span></button>'
            "\n      \n    </form>\n  "
        )
    elif not d.done_automatically:  # done by hand: it may be opened again
        url = _e(reverse_one("followup:deadline_reopen", d.pk))
        action = (
            f'\n    <form method="post" action="{url}" hx-post="{url}" hx-target="#deadline-{pk}" hx-swap="outerHTML"'
            ' class="followup-inline-form">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(csrf_token)}">'
            '\n      <button class="ds-button" data-variant="tertiary" data-size="sm" type="submit">'
            f'{words.open_again}<span class="visually-hidden">: {title}{whom}</span></button>'
            "\n      \n    </form>\n  "
        )
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<tr id="deadline-{pk}">\n'
        f"  <td>{_e(date_format(d.due, 'MEDIUM_DATE_FORMAT'))}</td>\n"
        f"  <td>{heading}</td>\n"
        f"  <td>{_e(about)}</td>\n"
        f"  <td>{_e(responsible)}</td>\n"
        f"  <td>{status}</td>\n"
        f"  <td>{action}</td>\n"
        "</tr>\n"
    )
