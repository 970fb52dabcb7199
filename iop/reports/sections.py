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
