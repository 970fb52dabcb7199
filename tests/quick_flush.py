"""Emptying the database after a transactional test (a browser test, a real
worker) without TRUNCATE.

Django empties every table with one ``TRUNCATE`` of all of them, which makes
PostgreSQL replace the files of some hundred tables: seconds on a busy
machine. After a test only a few tables hold rows, so this finds them in one
query and deletes their rows in one transaction instead (the foreign keys
are checked at its end, so the order does not matter). A table whose trigger
refuses deletes (the append-only access log) is truncated on its own. The
result is the same empty database; resets of sequences and cascades go to
Django's own statements.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import TransactionTestCase

_django_sql_flush = DatabaseOperations.sql_flush

#: The trigger type bit for DELETE (PostgreSQL's TRIGGER_TYPE_DELETE).
DELETE_TRIGGER = 1 << 3


def _sql_flush(
    self: DatabaseOperations,
    style: Any,
    tables: list[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    if reset_sequences or allow_cascade or not tables:
        return _django_sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    qn = self.quote_name
    with self.connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"(SELECT %s::text FROM {qn(table)} LIMIT 1)" for table in tables), tables)  # noqa: S608
        filled = [row[0] for row in cursor.fetchall()]
        if not filled:
            return []
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgtype & %s <> 0 AND c.relname = ANY(%s)",
            [DELETE_TRIGGER, filled],
        )
        guarded = {row[0] for row in cursor.fetchall()}
    statements = ["SET CONSTRAINTS ALL DEFERRED"]
    statements += [f"DELETE FROM {qn(table)}" for table in filled if table not in guarded]  # noqa: S608
    statements += [f"TRUNCATE {qn(table)}" for table in filled if table in guarded]
    return statements


def install() -> None:
    """Use the row-by-row flush for PostgreSQL connections of this process,
    and empty the database again when a flush meets rows written while it
    ran (see :func:`_flush_again_if_raced`)."""
    DatabaseOperations.sql_flush = _sql_flush  # type: ignore[method-assign]
    TransactionTestCase._fixture_teardown = _flush_again_if_raced  # type: ignore[method-assign]


_django_fixture_teardown = TransactionTestCase._fixture_teardown

#: How many times a flush is tried before its error is the test's.
FLUSH_TRIES = 3


def _flush_again_if_raced(self: TransactionTestCase) -> None:
    """Empty the database after a transactional test. A browser test's page,
    closed at its end, may send a last save as it goes (drafts.js, on
    ``pagehide``): the live server can write that row after the flush found
    which tables hold rows, and the flush then fails on a foreign key. The
    flush is tried again (it finds the new rows); a failure that stays is raised."""
    for attempt in range(FLUSH_TRIES):
        try:
            _django_fixture_teardown(self)
            return
        except CommandError:
            if attempt == FLUSH_TRIES - 1:
                raise
