"""``manage.py import_grep``: bring the curriculum tables up to date from Udir's Grep.

Examples::

    manage.py import_grep --api                       # every LK20 curriculum, live
    manage.py import_grep --api --curriculum NOR01-07 --curriculum MAT01-05
    manage.py import_grep --dump grep-dump.zip        # Grep's nightly dump (zip, folder or JSON)
    manage.py import_grep --dir path/to/records       # a folder of REST JSON / JSON-LD records
    manage.py import_grep --demo                      # the project's small demo curriculum

Importing is idempotent: running it again with the same data reports
0 new and 0 updated.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from curriculum import grep


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a --dry-run."""


class Command(BaseCommand):
    help = "Import LK20 curricula, competence aim sets, competence aims and core elements from Udir's Grep."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--api", action="store_true", help="Fetch from the live Grep REST API.")
        source.add_argument(
            "--dump", metavar="FILE_OR_DIR", help="Grep's nightly JSON dump: the zip, its unpacked folder, or a file."
        )
        source.add_argument(
            "--dir", metavar="DIR", help="A folder of Grep records (REST JSON and/or JSON-LD), read recursively."
        )
        source.add_argument("--demo", action="store_true", help="The project's own small demo curriculum.")
        parser.add_argument(
            "--curriculum",
            action="append",
            default=[],
            metavar="CODE",
            help="With --api: only this curriculum (e.g. NOR01-07); repeat for more.",
        )
        parser.add_argument("--base-url", default=grep.DEFAULT_API_URL, help="With --api: the API root.")
        parser.add_argument("--timeout", type=float, default=20.0, help="With --api: seconds per request.")
        parser.add_argument("--retries", type=int, default=3, help="With --api: retries per request.")
        parser.add_argument("--workers", type=int, default=8, help="With --api: concurrent requests.")
        parser.add_argument("--progress", action="store_true", help="Show progress on stderr even when not a tty.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, then roll back.")

    def handle(self, *args: Any, **options: Any) -> None:
        show_progress = options["progress"] or sys.stderr.isatty()
        progress = self._progress if show_progress else None
        try:
            bundle = self._read(options, progress)
            result = self._import(bundle, progress, dry_run=options["dry_run"])
        except (grep.GrepFormatError, grep.GrepFetchError) as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            message = " ".join(str(exc).split())
            raise CommandError(f"The database refused the import, nothing was saved: {message}") from None
        if show_progress:
            self.stderr.write("")
        for warning in result.warnings[:50]:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        if len(result.warnings) > 50:
            self.stderr.write(self.style.WARNING(f"... and {len(result.warnings) - 50} more warnings"))
        for line in result.summary_lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write(self.style.NOTICE("Dry run: nothing was saved."))

    def _read(self, options: dict[str, Any], progress: grep.ProgressCallback | None) -> grep.GrepBundle:
        if options["curriculum"] and not options["api"]:
            raise CommandError("--curriculum only works with --api.")
        if options["api"]:
            client = grep.GrepClient(options["base_url"], timeout=options["timeout"], retries=options["retries"])
            return grep.fetch_bundle(
                client, curriculum_codes=options["curriculum"], workers=options["workers"], progress=progress
            )
        if options["demo"]:
            path = grep.DEMO_DATA_DIR
        elif options["dir"]:
            path = Path(options["dir"])
            if not path.is_dir():
                raise CommandError(f"--dir {path}: not a folder.")
        else:
            path = Path(options["dump"])
        bundle = grep.load_path(path)
        if not len(bundle):
            raise CommandError(f"{path}: found no curriculum records to import.")
        return bundle

    def _import(
        self, bundle: grep.GrepBundle, progress: grep.ProgressCallback | None, *, dry_run: bool
    ) -> grep.ImportResult:
        if not dry_run:
            return grep.import_bundle(bundle, progress=progress)
        result: grep.ImportResult | None = None
        try:
            with transaction.atomic():
                result = grep.import_bundle(bundle, progress=progress)
                raise DryRunRollback
        except DryRunRollback:
            pass
        assert result is not None
        return result

    def _progress(self, label: str, done: int, total: int) -> None:
        self.stderr.write(f"\r{label}: {done}/{total}".ljust(40), ending="")
        self.stderr.flush()
