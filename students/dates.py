"""Dates written the way the active language writes them.

``short(value)``: a date → "22.09.2026" (nb, nn), "2026-09-22" (sv),
"22/09/2026" (en); an aware datetime → the same with the local time
("22.09.2026 14:05"). Used where text is built in Python (a record's label,
a message) rather than in a template's ``|date`` filter.
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.formats import date_format


def short(value: datetime.date | datetime.datetime) -> str:
    """VALUE in the active language's SHORT_DATE_FORMAT (a datetime: its
    local time in SHORT_DATETIME_FORMAT)."""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")
