"""``manage.py import_roster --format csv|ss12000 [--dry-run] PATH...``: the
roster sync for a scheduler (cron, a systemd timer). PATH is a directory of
the format's files, or the files themselves. Prints what is (or would be)
created, changed and ended, and the rejected rows; an applied import is kept
in the import history. Exit status 0 also when rows were rejected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from students import roster_import
from students.models import RosterImport


class Command(BaseCommand):
    help = "Import the school roster (schools, groups, pupils, guardians, staff) from CSV or SS 12000 files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=sorted(roster_import.FORMATS), required=True)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")
        parser.add_argument("paths", nargs="+", help="A directory of the format's files, or the files.")

    def handle(self, *args: Any, **options: Any) -> None:
        files: dict[str, str] = {}
        suffix = ".csv" if options["format"] == "csv" else ".json"
        for name in options["paths"]:
            path = Path(name)
            if path.is_dir():
                found = sorted(p for p in path.iterdir() if p.suffix.lower() == suffix)
            elif path.is_file():
                found = [path]
            else:
                raise CommandError(f"No such file or directory: {path}")
            for p in found:
                try:
                    files[p.name] = p.read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(f"{p}: {exc}") from exc
        if not files:
            raise CommandError(f"No {suffix} files found.")
        roster = roster_import.read(options["format"], files)
        result = roster_import.run(roster, apply=not options["dry_run"])
        for change in result.changes:
            fields = f" ({', '.join(change['fields'])})" if change["fields"] else ""
            self.stdout.write(f"{change['op']:8} {change['kind']:13} {change['ref']:20} {change['label']}{fields}")
        for rejected in result.rejected:
            self.stdout.write(f"rejected {rejected.file}:{rejected.line} {rejected.ref}: {rejected.reason}")
        for kind, counts in sorted(result.summary.items()):
            self.stdout.write(f"{kind}: " + ", ".join(f"{op} {n}" for op, n in counts.items()))
        if not result.changes:
            self.stdout.write("No changes.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was changed.")
            return
        RosterImport.objects.create(
            format=options["format"],
            filename=", ".join(sorted(files)),
            status=RosterImport.Status.APPLIED,
            applied_at=timezone.now(),
            summary=result.summary,
            changes=result.changes,
            rejected=[r.as_dict() for r in result.rejected],
        )
