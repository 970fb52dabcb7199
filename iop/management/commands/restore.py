"""``manage.py restore ARCHIVE``: put a backup back into an empty database.

The database named by DATABASE_URL must be empty (no tables: create it anew
and do not run migrate first). The archive's checksums are checked before
anything is written; stored files go back under MEDIA_ROOT with mode 0640;
the row count of every table is compared with the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iop.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into an empty database and MEDIA_ROOT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="The .tar archive written by `manage.py backup`.")
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        log = self.stdout.write if verbosity >= 1 else (lambda message: None)
        try:
            restored = restore_backup(Path(options["archive"]), using=options["database"], log=log)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = restored.manifest
        expected = manifest["tables"]
        if verbosity >= 2 or restored.mismatches:
            width = max(map(len, expected.keys() | restored.counts.keys()), default=10)
            log(f"{'table':<{width}}  {'backup':>9}  {'restored':>9}")
            for table in sorted(expected.keys() | restored.counts.keys()):
                before, after = expected.get(table), restored.counts.get(table)
                if verbosity >= 2 or before != after:
                    flag = "" if before == after else "  <- differs"
                    log(f"{table:<{width}}  {_n(before):>9}  {_n(after):>9}{flag}")
        for note in restored.notes:
            log(self.style.WARNING(note))
        if restored.mismatches:
            raise CommandError(
                f"The row counts of {len(restored.mismatches)} table(s) differ from the backup's manifest "
                f"(listed above). Do not put the database into use before you know why."
            )
        rows = sum(restored.counts.values())
        log(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} (app {manifest['app_version']}) into "
                f"{restored.database}: {len(restored.counts)} tables and {rows} rows, the same as the manifest; "
                f"{restored.files_written} stored files written"
                + (f", {restored.files_present} already in place" if restored.files_present else "")
                + "."
            )
        )


def _n(value: int | None) -> str:
    return "—" if value is None else str(value)
