"""Limits on what a person may enter: text length and date windows, in one place.

* :data:`TEXT_MAX_LENGTH` – at most 20 000 characters in any free-text field a
  person writes (a plan's text, a log note, a meeting's minutes). Far above what
  a school writes (a long IOP section is 2 000–4 000 characters), low enough that
  a pasted document cannot make every PDF of the plan cost seconds of CPU.
* :class:`FreeTextField` – a ``TextField`` with that limit: forms built from the
  model get ``maxlength`` and a length check, and ``full_clean()`` (run by every
  service) refuses longer text too. No database constraint: the column stays
  ``text``, so the limit can change without touching stored rows.
* :func:`validate_date_window` – every date a person enters lies between
  :data:`DATE_MIN` (1 January 2000) and :data:`DATE_MAX` (31 December 2100). A
  plan, a log or a meeting in year 1 or 9999 is a typing mistake, and such dates
  break date arithmetic (a year 9999 deadline plus a week overflows).
* :data:`HOURS_PER_YEAR_MAX` – at most 1 500 årstimer (60 min) in one
  subject, or by one kind of staff, in a school year: a school year holds
  about 1 300 hours of teaching (38 weeks of 35 hours), so more is a typing
  mistake (forms built from the models say so by the field).
* :data:`PDF_WEB_MAX_CHARS` – a PDF made while a person waits (the IOP, a draft
  report, the IUP, the pedagogisk rapport) is rendered only while its HTML
  stays within this many characters; WeasyPrint's time grows with the text
  (about 14 s of CPU for half a million characters), so a larger document
  raises :class:`TooLargeToRender` and the download goes to a worker
  (:mod:`iop.reports.documents`). Workers render without the cap, under
  Celery's time limit. ``bench/bench_pdf_limits.py`` times the largest allowed render.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 20_000
DATE_MIN = datetime.date(2000, 1, 1)
DATE_MAX = datetime.date(2100, 12, 31)
HOURS_PER_YEAR_MAX = 1_500
PDF_WEB_MAX_CHARS = 200_000  # about 7 s of WeasyPrint on a busy 2-core machine (bench/bench_pdf_limits.py)


class FreeTextFormField(forms.CharField):
    """The form side of free text: at most ``max_length`` characters, checked
    on the server with a message, never by a ``maxlength`` attribute (a
    browser silently cuts pasted text at ``maxlength``; the person must be
    told and keep every word). ``data-max-chars`` carries the limit for the page."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if attrs.pop("maxlength", None) is not None:
            attrs["data-max-chars"] = str(self.max_length)
        return attrs


class FreeTextField(models.TextField):  # type: ignore[type-arg]
    """Free text written by a person: at most ``max_length`` characters (default :data:`TEXT_MAX_LENGTH`).

    ``max_length`` is enforced by forms (:class:`FreeTextFormField`: a length
    check on the server, Django's translated message "Ensure this value has at most 20000
    characters (it has 517000).") and by ``full_clean()``; the database column
    is plain ``text``.
    """

    def __init__(self, *args: Any, max_length: int | None = TEXT_MAX_LENGTH, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def formfield(self, **kwargs: Any) -> Any:
        if not self.choices:
            kwargs.setdefault("form_class", FreeTextFormField)
        return super().formfield(**kwargs)


def validate_date_window(value: datetime.date | None) -> None:
    """Refuse a date before :data:`DATE_MIN` (2000-01-01) or after :data:`DATE_MAX` (2100-12-31).

    Takes a ``date`` (a ``datetime`` is compared by its date) or ``None`` (accepted:
    whether the field is required is the field's business). Raises
    ``ValidationError`` (code ``date_window``) with a message in the user's language.
    """
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if DATE_MIN <= day <= DATE_MAX:
        return
    raise ValidationError(
        _("Enter a date between %(first)s and %(last)s."),
        code="date_window",
        params={
            "first": date_format(DATE_MIN, "SHORT_DATE_FORMAT"),
            "last": date_format(DATE_MAX, "SHORT_DATE_FORMAT"),
        },
    )


class TooLargeToRender(ValidationError):
    """A document too large to render as PDF while a person waits.

    ``size`` and ``limit`` are characters of HTML. A ``ValidationError``, so a
    service that renders (finalising a report) refuses with a message like any
    other rule; a PDF download is then made on a worker (:mod:`iop.reports.documents`).
    """

    def __init__(self, size: int, limit: int) -> None:
        self.size, self.limit = size, limit
        super().__init__(
            _(
                "The document is too large to make as PDF here: %(size)s characters, at most %(limit)s. "
                "Shorten the longest texts, or ask the coordinator to make it in a report batch."
            ),
            code="too_large",
            params={"size": size, "limit": limit},
        )


def check_render_size(size: int, limit: int | None = PDF_WEB_MAX_CHARS) -> None:
    """Raise :class:`TooLargeToRender` when SIZE (characters of HTML) exceeds LIMIT (``None``: no limit)."""
    if limit is not None and size > limit:
        raise TooLargeToRender(size, limit)
