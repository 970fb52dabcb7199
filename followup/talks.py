"""Held talks, wherever they are recorded.

A talk is held when a :class:`~followup.models.Talk` records it as held, or
when an IUP records the date of the development talk at which it was agreed
(``Iup.talk_date``): the IUP is published (publishing needs the talk to be
over, :func:`iop.checks.iup_problems`) or archived, and the date is past.
The IUP's talk is a development talk (``Talk.Kind.UTVIKLINGSSAMTALE``).

The same talk is counted once: an IUP's talk does not count when a held talk
of the pupil is recorded on the same date (that record says what it was), and
two IUPs of one pupil with the same date (an archived plan and its successor)
are one talk. Every place that counts held talks counts both sources.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from iop.models import Iup

from .models import Talk

#: The kind of talk an IUP's talk date records.
IUP_TALK_KIND = Talk.Kind.UTVIKLINGSSAMTALE


def iup_talks(today: datetime.date | None = None) -> QuerySet[Iup]:
    """The IUPs whose talk date is a held talk not recorded as a Talk (see the module)."""
    today = today or timezone.localdate()
    recorded = Talk.objects.filter(pupil_id=OuterRef("pupil_id"), date=OuterRef("talk_date"), status=Talk.Status.HELD)
    return Iup.objects.filter(
        status__in=(Iup.Status.PUBLISHED, Iup.Status.ARCHIVED), talk_date__isnull=False, talk_date__lte=today
    ).exclude(Exists(recorded))


def count_per_pupil(iups: QuerySet[Iup]) -> QuerySet[Any]:
    """IUPS (of :func:`iup_talks`, filtered on ``OuterRef`` s) as a subquery of
    their number of distinct talks: one value, or no row for none."""
    return iups.order_by().values("pupil_id").annotate(n=Count("talk_date", distinct=True)).values("n")
