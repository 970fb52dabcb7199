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


def _managed(pupil: Pupil) -> bool:
    from students.access import Action

    return Action.ARCHIVE in getattr(pupil, "allowed", frozenset())


def pupil_archive_export(request: HttpRequest, pupil: Pupil) -> Section | None:
    """First on an archived pupil's page, for those who manage the school:
    the archive export and the whole file. No queries."""
    if pupil.archived_at is None or not _managed(pupil):
        return None
    return Section("reports/_pupil_file.html", {"pupil": pupil, "archived": True})


def pupil_file(request: HttpRequest, pupil: Pupil) -> Section | None:
    """Last on a current pupil's page, for those who manage the school: the
    whole file for innsyn (PDF, JSON) and the archive export. No queries."""
    if pupil.archived_at is not None or not _managed(pupil):
        return None
    return Section("reports/_pupil_file.html", {"pupil": pupil, "archived": False})
