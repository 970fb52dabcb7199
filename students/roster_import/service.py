"""Roster imports as records (:class:`students.models.RosterImport`): an
upload is stored, its dry run worked out, then applied — the last two in
Celery tasks (:mod:`students.tasks`) that report their progress on the record.

Progress is written through a connection of its own, committed at once: the
import's own transaction holds its changes until the end, while the page
polling the record sees the steps go by.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.utils import timezone

from students.models import RosterImport, User

from . import read, run
from .rows import Rejected
from .sync import Progress, Result

MAX_FILE_BYTES = 50 * 1024 * 1024


def create(*, fmt: str, files: dict[str, str], actor: User | None) -> RosterImport:
    """Store an upload (FILES: name → text) for its dry run. Nothing is read yet."""
    return RosterImport.objects.create(
        format=fmt,
        filename=", ".join(sorted(files)),
        source=files,
        created_by=actor,
        status=RosterImport.Status.PLANNING,
    )


def _progress(import_id: Any) -> tuple[Progress, Any, list[int]]:
    """A progress reporter for the import IMPORT_ID (a UUID), the connection
    it writes through (the caller closes it) and a list that holds the last
    reported total (empty before the first report).

    On PostgreSQL the connection is one of its own, committed at once. SQLite
    takes one writer at a time: a second connection would wait for the
    import's own transaction to end, so there progress goes through the
    default connection (seen by the polling page once the step commits)."""
    conn = connections.create_connection("default")
    steps: list[int] = []
    if conn.vendor == "sqlite":
        conn.close()

        def report_here(done: int, total: int) -> None:
            RosterImport.objects.filter(pk=import_id).update(progress_done=done, progress_total=total)
            steps[:] = [total]

        return report_here, conn, steps
    pk = RosterImport._meta.pk
    assert pk is not None
    key = pk.get_db_prep_value(import_id, conn)

    def report(done: int, total: int) -> None:
        with conn.cursor() as cursor:
            cursor.execute(
                f"UPDATE {RosterImport._meta.db_table} SET progress_done = %s, progress_total = %s WHERE id = %s",  # noqa: S608
                [done, total, key],
            )
        steps[:] = [total]

    return report, conn, steps


def _store(record: RosterImport, result: Result, status: str) -> None:
    record.status = status
    record.changes = result.changes
    record.summary = result.summary
    record.rejected = [r.as_dict() for r in result.rejected]


def plan(import_id: Any) -> RosterImport:
    """Work out the dry run of an upload and store it (status ``planned``)."""
    record = RosterImport.objects.get(pk=import_id)
    report, conn, steps = _progress(record.pk)
    try:
        result = run(read(record.format, record.source), apply=False, progress=report)
    except Exception as exc:
        record.status, record.error = RosterImport.Status.FAILED, str(exc)[:2000]
        record.save(update_fields=["status", "error"])
        raise
    finally:
        conn.close()
    _store(record, result, RosterImport.Status.PLANNED)
    record.progress_done = record.progress_total = steps[0] if steps else record.progress_total
    record.save(update_fields=["status", "changes", "summary", "rejected", "progress_done", "progress_total"])
    return record


def outdated(record: RosterImport) -> bool:
    """Whether another import was applied after RECORD was uploaded: its dry
    run may no longer show what applying it would do (one query)."""
    return (
        RosterImport.objects.filter(status=RosterImport.Status.APPLIED, applied_at__gt=record.created_at)
        .exclude(pk=record.pk)
        .exists()
    )


def claim_apply(record: RosterImport, *, actor: User) -> bool:
    """Mark a planned import as being applied by ACTOR; False when it is not
    (anymore) waiting to be applied (a second click, another operator)."""
    claimed = RosterImport.objects.filter(pk=record.pk, status=RosterImport.Status.PLANNED).update(
        status=RosterImport.Status.APPLYING, applied_by=actor, progress_done=0
    )
    return bool(claimed)


def discard(record: RosterImport, *, actor: User) -> bool:
    """Discard a dry run that is not to be applied: it stays in the history
    (who uploaded and discarded it, when, the counts, and the reasons rows
    were rejected, by file, row and id), but the uploaded files and the
    changes they listed, personal data about pupils, guardians and staff,
    are deleted. False when RECORD is not (anymore) a dry run waiting to be
    applied (applied meanwhile, discarded already)."""
    return bool(
        RosterImport.objects.filter(pk=record.pk, status=RosterImport.Status.PLANNED).update(
            status=RosterImport.Status.DISCARDED,
            discarded_by=actor,
            discarded_at=timezone.now(),
            source={},
            changes=[],
        )
    )


def apply(import_id: Any) -> RosterImport:
    """Apply a claimed import in one transaction; the record keeps what it
    changed (which may differ from the dry run if the roster changed since)."""
    record = RosterImport.objects.get(pk=import_id)
    report, conn, steps = _progress(record.pk)
    try:
        result = run(read(record.format, record.source), apply=True, progress=report)
    except Exception as exc:
        record.status, record.error = RosterImport.Status.FAILED, str(exc)[:2000]
        record.save(update_fields=["status", "error"])
        raise
    finally:
        conn.close()
    _store(record, result, RosterImport.Status.APPLIED)
    record.applied_at = timezone.now()
    record.progress_done = record.progress_total = steps[0] if steps else record.progress_total
    record.save(
        update_fields=["status", "changes", "summary", "rejected", "applied_at", "progress_done", "progress_total"]
    )
    return record


def rejected(record: RosterImport) -> list[Rejected]:
    """The rejected rows of RECORD, sorted by file and then row (with the
    notes: :data:`~students.roster_import.rows.NOTE_CODES`)."""
    return sorted((Rejected.from_dict(d) for d in record.rejected), key=lambda r: (r.file, r.line))
