"""Section provider for the pupil page (settings.PUPIL_PAGE_SECTIONS)."""

from __future__ import annotations

from django.http import HttpRequest

from students import access
from students.models import Pupil, Skoleeier
from students.sections import Section

from . import selectors


def pupil_support(request: HttpRequest, pupil: Pupil) -> Section | None:
    """For a pupil of a Swedish school only: the support chain (extra
    adaptations, investigations, decisions; a guardian: decided decisions).
    Four queries for staff, two for a guardian, none for a Norwegian pupil
    read through the access layer."""
    if access.school_country(pupil) != Skoleeier.Country.SE:
        return None
    support = selectors.support(request.user, pupil)
    if not (support.staff or selectors.guardian_only(pupil)):
        return None
    return Section("atgardsprogram/_pupil_support.html", {"support": support})
