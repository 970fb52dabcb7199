"""Section provider for the pupil page (settings.PUPIL_PAGE_SECTIONS)."""

from __future__ import annotations

from django.http import HttpRequest

from students.models import Pupil
from students.sections import Section

from . import selectors


def pupil_reports(request: HttpRequest, pupil: Pupil) -> Section | None:
    """The pupil's reports and IOP PDFs (guardians: published only); two queries."""
    data = selectors.pupil_reports(pupil)
    if data is None:
        return None
    return Section("reports/_pupil_reports.html", {"data": data})


def pupil_file(request: HttpRequest, pupil: Pupil) -> Section | None:
    """For those who manage the pupil's school: the whole file for innsyn
    (PDF, JSON) and the archive export, offered first for an archived pupil.
    No queries (the access layer has already answered)."""
    from students.access import Action

    if Action.MANAGE not in getattr(pupil, "allowed", frozenset()):
        return None
    return Section("reports/_pupil_file.html", {"pupil": pupil, "archived": pupil.archived_at is not None})
