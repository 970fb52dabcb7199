"""One history entry per series of saves: autosave does not grow the history.

A document that saves itself while the author types (IOP, its sections and
goals, IUP, its settings and assessments, sakkyndig vurdering, enkeltvedtak
and their subject rows, PPT referral) would leave one django-simple-history
row per pause in the typing. Instead, one user's consecutive saves of one
record within ``HISTORY_COLLAPSE_MINUTES`` of the first of them form a
*series*, kept as at most two rows: the first save as it was, and one row
with the newest state that stands for all the later saves, with when the
series began (``history_first_date``; it ended at ``history_date``), the
version it began at (``history_first_version``) and how many saves the row
stands for (``history_saves``; the rows of a record add up to its saves).
The history page shows the two as one entry (:func:`iop.history.changes`).
Each further save of the series replaces the newest row.

What starts a new series: another user's save in between, a save more than
the window after the series began, a change of ``status`` or
``published_at`` (publishing, making, completing stays an entry of its own,
and the saves after it begin a new one), the creation ("+") and the
deletion ("-") of the record. ``HISTORY_COLLAPSE_MINUTES = 0`` keeps every
save.

The three-way merge (:mod:`iop.concurrency`) reads the version an editor
started from in this history. The first and the newest version of every
series are kept, so whoever opened the document before somebody began
typing, or after they stopped, merges exactly as before. A version in the
middle of a series is gone: :func:`series_containing` finds the row that
replaced it, so the merge can tell who made the versions it cannot read.
A form at such a version (another window of the author's, or somebody
else's) posts a fingerprint of each value it loaded
(:data:`iop.concurrency.LOADED`): a field its user did not change takes the
newer value, a field nobody else changed since is written, and only a field
both changed gets the conflict box, with both texts (nothing is written
silently, nothing typed is lost). A post without the fingerprints gets the
box for every field that differs. An action that writes no field
(publishing, finalising) lets the series' own author go on.

Glossary: *series* – one user's consecutive saves of one record within the
window; *entry* – one historical row as the history page shows it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models


class HistorySeries(models.Model):
    """Base of the historical models whose saves collapse (``bases=`` of
    :class:`simple_history.models.HistoricalRecords`)."""

    history_first_date = models.DateTimeField("first save of the series", null=True, blank=True)
    history_first_version = models.PositiveIntegerField("version at the first save", null=True, blank=True)
    history_saves = models.PositiveIntegerField("saves the row stands for", default=1)

    class Meta:
        abstract = True

    @property
    def series_start(self) -> datetime.datetime:
        """When the series began (aware datetime)."""
        start: datetime.datetime = self.history_first_date or self.history_date  # type: ignore[attr-defined]
        return start


#: Fields whose change is always an entry of its own (publishing again
#: changes only ``published_at``): no series runs into it or on from it.
KEEP_APART = ("status", "published_at")


def window() -> datetime.timedelta:
    """The collapse window (``HISTORY_COLLAPSE_MINUTES``; zero: no collapse)."""
    return datetime.timedelta(minutes=getattr(settings, "HISTORY_COLLAPSE_MINUTES", 0))


def _apart(one: Any, other: Any) -> bool:
    """Whether rows ONE and OTHER differ in a KEEP_APART field."""
    return any(getattr(one, name, None) != getattr(other, name, None) for name in KEEP_APART)


def _continues(previous: Any, new: Any, before: Any = None) -> bool:
    """Whether NEW (a "~" row about to be stored) continues the series whose
    latest row is PREVIOUS (a row of the same record; BEFORE is the row
    before PREVIOUS, or None). A row that published, made or completed the
    record (PREVIOUS differs from BEFORE in a KEEP_APART field) stays alone."""
    if previous is None or new.history_type != "~" or previous.history_type != "~":
        return False
    if new.history_user_id is None or previous.history_user_id != new.history_user_id:
        return False
    if new.history_date - previous.series_start > window():
        return False
    if before is not None and previous.history_first_date is None and _apart(before, previous):
        return False
    return not _apart(previous, new)


def before_record(sender: type[models.Model], history_instance: Any, **kwargs: Any) -> None:
    """``pre_create_historical_record``: when the new row continues the
    latest row's series, it takes over the series' start and version. The
    series' first row is kept; a later row is marked to be replaced by the
    new one once it is stored (its saves counted in the new row)."""
    if not isinstance(history_instance, HistorySeries) or window() <= datetime.timedelta(0):
        return
    rows: Any = sender._default_manager
    latest: list[Any] = list(rows.filter(id=history_instance.id).order_by("-history_id")[:2])  # type: ignore[attr-defined]
    previous, before = [*latest, None, None][:2]
    if not _continues(previous, history_instance, before):
        return
    history_instance.history_first_date = previous.series_start
    history_instance.history_first_version = previous.history_first_version or getattr(previous, "version", None)
    if previous.history_first_date is not None:  # not the series' first save: replaced
        history_instance.history_saves = previous.history_saves + 1
        history_instance._replaces = previous.history_id  # type: ignore[attr-defined]


def after_record(sender: type[models.Model], history_instance: Any, **kwargs: Any) -> None:
    """``post_create_historical_record``: delete the row the new one replaces
    (with its recorded many-to-many rows)."""
    replaced = getattr(history_instance, "_replaces", None)
    if replaced is not None:
        delete_rows(sender, [replaced])


def delete_rows(model: type[models.Model], ids: list[int]) -> None:
    """Delete MODEL's historical rows IDS and the many-to-many rows recorded
    with them (simple-history keeps those without a cascade)."""
    for rel in model._meta.related_objects:
        if rel.field.name == "history":
            related: Any = rel.related_model
            related._default_manager.filter(history_id__in=ids).delete()
    rows: Any = model._default_manager
    rows.filter(history_id__in=ids).delete()


def series_in(rows: Iterable[Any], version: int) -> Any:
    """The first of ROWS (one record's historical rows, oldest first) whose
    series began at or before VERSION and ended after it (what
    :func:`series_containing` reads from the database), or None."""
    for row in rows:
        first = getattr(row, "history_first_version", None)
        if first is not None and first <= version < row.version:
            return row
    return None


def series_containing(manager: Any, version: int) -> Any:
    """The historical row (of MANAGER, one record's history) of the series
    that began at or before VERSION and ended after it, or None when no
    series covers VERSION (the version never existed or was pruned)."""
    model = manager.model
    if not issubclass(model, HistorySeries):
        return None
    return (
        manager.filter(history_first_version__lte=version, version__gt=version)
        .select_related("history_user")
        .order_by("history_id")
        .first()
    )
