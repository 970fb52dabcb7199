"""Roster import and sync from a student administration system: CSV files
(:mod:`.csv_format`) or SS 12000 JSON (:mod:`.ss12000`), read into one
:class:`~.rows.Roster`, then dry-run and applied by :mod:`.sync`.

Three ways in, one path: the ``import_roster`` management command (scheduled
syncs), and the operators' page (upload → dry run → apply, each a Celery
task, :mod:`.service`). See docs/roster-import.md for the formats.
"""

from __future__ import annotations

from . import csv_format, ss12000
from .rows import Rejected, Roster
from .sync import Result, run

FORMATS = {"csv": csv_format.parse, "ss12000": ss12000.parse}


def read(fmt: str, files: dict[str, str]) -> Roster:
    """FILES (file name → text) in format FMT (``csv`` | ``ss12000``) → Roster.
    KeyError for an unknown format; bad content is rejected row by row."""
    return FORMATS[fmt](files)


__all__ = ["FORMATS", "Rejected", "Result", "Roster", "read", "run"]
