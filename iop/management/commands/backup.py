"""``manage.py backup --output PATH``: the database and every stored file in one archive.

Examples::

    manage.py backup --output /backups/                  # names it iop-backup-YYYYmmdd-HHMMSS.tar
    manage.py backup --output /backups/iop-2025-06-20.tar

The archive holds a pg_dump of the database, every file under MEDIA_ROOT and
a manifest with their SHA-256 checksums (see iop/backup.py). It contains
every pupil's plans and reports: keep it encrypted and readable only by the
people who run restores.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iop.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and every stored file (MEDIA_ROOT) into one tar archive with a checksum manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            required=True,
            metavar="PATH",
            help="The archive to write (must not exist), or an existing folder to write a dated archive in.",
        )
        parser.add_argument("--database", default="default", help="The database alias (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        log = self.stdout.write if options["verbosity"] >= 1 else (lambda message: None)
        try:
            backup = create_backup(options["output"], using=options["database"], log=log)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backup.manifest
        rows = sum(manifest["tables"].values())
        size = backup.path.stat().st_size
        log(
            self.style.SUCCESS(
                f"Wrote {backup.path} ({size / 1_000_000:.1f} MB): {len(manifest['tables'])} tables, {rows} rows, "
                f"{len(manifest['files'])} stored files."
            )
        )
        log("The archive holds confidential data about pupils: store it encrypted and limit who can read it.")
