"""Retention of the access log and of the documents' edit history.

Run nightly by Celery beat (``iop.apply_retention`` in :mod:`iop.tasks`),
reading two settings; ``0`` (the default) keeps everything for good:

* ``RETENTION_ACCESS_LOG_YEARS`` – an access-log entry (a read of a pupil's
  confidential data) is deleted when it is older than this many years. The
  log exists so that a pupil, their parents (innsyn, personopplysningsloven
  and GDPR art. 15) and tilsyn can see who read what; storage limitation
  (GDPR art. 5(1)(e)) says not longer than that purpose needs, and the school
  owner's retention plan (bevaringsplan) sets the period. The log stays
  append-only: the database's trigger lets a DELETE through only when made by
  ``iop_access_log_prune(before)`` (migration 0023), and only of entries
  older than its cut-off.
* ``RETENTION_HISTORY_YEARS`` – the edit history (django-simple-history) of
  the documents edited in the browser (those of :mod:`iop.collapse`) is
  thinned where it is older than this many years. Kept of each record: its
  creation ("+") and deletion ("-"), every save that changed its ``status``
  (completed, made, published, sent: who and when), and its last state
  before the cut-off, which later entries compare against. Only the working
  saves in between go. The documents themselves, their published versions
  (``IopVersion``) and the archive are never touched here: records that
  document a pupil's rights are archived, never deleted (opplæringslova,
  arkivlova; see ``RETENTION_PUPIL_RECORDS_YEARS``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import F, Window
from django.db.models.functions import Lag, RowNumber
from django.utils import timezone

from .collapse import HistorySeries, delete_rows
from .models import AccessLogEntry

#: History rows deleted per statement.
CHUNK = 1000


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """MOMENT moved YEARS calendar years back (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@transaction.atomic
def access_log_prune(*, before: datetime.datetime) -> int:
    """Delete the access-log entries written before BEFORE (aware datetime)
    through the database's sanctioned path (``iop_access_log_prune``; on
    SQLite a plain delete). Returns the number deleted."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT iop_access_log_prune(%s)", [before])
            return int(cursor.fetchone()[0])
    deleted, _ = AccessLogEntry.objects.filter(at__lt=before).delete()
    return deleted


def history_models() -> list[type[models.Model]]:
    """The historical models whose rows collapse and are thinned."""
    return [m for m in apps.get_models() if issubclass(m, HistorySeries)]


def _thinned(model: Any, before: datetime.datetime) -> list[int]:
    """The history ids of MODEL's rows before BEFORE that thinning deletes."""
    names = {f.name for f in model._meta.fields}
    rows = model.objects.filter(history_date__lt=before).annotate(
        newest=Window(RowNumber(), partition_by=[F("id")], order_by=F("history_id").desc())
    )
    fields = ["history_id", "history_type", "newest"]
    if "status" in names:
        rows = rows.annotate(
            status_before=Window(Lag("status"), partition_by=[F("id")], order_by=F("history_id").asc())
        )
        fields += ["status", "status_before"]
    out = []
    for row in rows.values(*fields).iterator(chunk_size=CHUNK):
        if row["newest"] == 1 or row["history_type"] != "~":
            continue
        if "status" in row and row["status"] != row["status_before"]:
            continue
        out.append(row["history_id"])
    return out


def history_prune(*, before: datetime.datetime) -> int:
    """Thin the edit history older than BEFORE (aware datetime): see the
    module's docstring for what is kept. Each chunk is its own transaction.
    Returns the number of historical rows deleted."""
    deleted = 0
    for model in history_models():
        ids = _thinned(model, before)
        for start in range(0, len(ids), CHUNK):
            with transaction.atomic():
                delete_rows(model, ids[start : start + CHUNK])
            deleted += len(ids[start : start + CHUNK])
    return deleted


def retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Apply ``RETENTION_ACCESS_LOG_YEARS`` and ``RETENTION_HISTORY_YEARS``
    at NOW (default: the current time). Idempotent. Returns
    ``{"access_log": entries deleted, "history": historical rows deleted}``."""
    now = now or timezone.now()
    done = {"access_log": 0, "history": 0}
    if settings.RETENTION_ACCESS_LOG_YEARS:
        done["access_log"] = access_log_prune(before=years_before(now, settings.RETENTION_ACCESS_LOG_YEARS))
    if settings.RETENTION_HISTORY_YEARS:
        done["history"] = history_prune(before=years_before(now, settings.RETENTION_HISTORY_YEARS))
    return done
