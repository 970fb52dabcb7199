"""``manage.py import_skolverket``: Swedish syllabuses from Skolverket's Syllabus API.

Examples::

    manage.py import_skolverket --api                        # every subject, live
    manage.py import_skolverket --api --subject GRGRMAT01    # only these subjects
    manage.py import_skolverket --dir path/to/subjects       # saved /subjects/{code} JSON files

See :mod:`curriculum.skolverket` for how subjects map onto the curriculum
models. Importing is idempotent: running it again reports 0 new and 0 updated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from curriculum import grep, skolverket


class Command(BaseCommand):
    help = "Import Swedish syllabuses (central content, knowledge requirements) from Skolverket's Syllabus API."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--api", action="store_true", help="Fetch from the live Syllabus API.")
        source.add_argument("--dir", metavar="DIR", help="A folder of subject JSON files, read recursively.")
        parser.add_argument(
            "--subject", action="append", default=[], metavar="CODE", help="With --api: only this subject; repeat."
        )
        parser.add_argument("--base-url", default=skolverket.DEFAULT_API_URL, help="With --api: the API root.")
        parser.add_argument("--timeout", type=float, default=20.0, help="With --api: seconds per request.")
        parser.add_argument("--retries", type=int, default=3, help="With --api: retries per request.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["api"]:
                client = skolverket.SkolverketClient(
                    options["base_url"], timeout=options["timeout"], retries=options["retries"]
                )
                bundle = skolverket.fetch_bundle(client, subject_codes=options["subject"])
            else:
                if options["subject"]:
                    raise CommandError("--subject only works with --api.")
                path = Path(options["dir"])
                if not path.is_dir():
                    raise CommandError(f"--dir {path}: not a folder.")
                bundle = skolverket.load_dir(path)
            result = skolverket.import_bundle(bundle, complete=not options["subject"])
        except (grep.GrepFormatError, grep.GrepFetchError) as exc:
            raise CommandError(" ".join(str(exc).split())) from None
        except DatabaseError as exc:
            message = " ".join(str(exc).split())
            raise CommandError(f"The database refused the import, nothing was saved: {message}") from None
        for warning in result.warnings[:50]:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        for line in result.summary_lines():
            self.stdout.write(line)
