"""Section providers for the pages ``students`` owns (settings.PUPIL_PAGE_SECTIONS)."""

from __future__ import annotations

from django.http import HttpRequest

from students import access
from students.models import Pupil
from students.sections import Section

from . import selectors


def pupil_plans(request: HttpRequest, pupil: Pupil) -> Section | None:
    """The pupil's expert assessments, decisions and IOPs, with the
    clear-line checks and quick links to log progress (fixed query count)."""
    plans = selectors.pupil_plans(pupil)
    if plans is None:
        return None
    if plans.can_log and plans.current is not None:
        # A faglærer logs in the subjects they teach the pupil; the other goals they read.
        subjects = access.log_subjects(request.user, pupil)  # type: ignore[arg-type]
        for goal in plans.current.goals.all():
            goal.loggable = access.logs_in(subjects, goal.subject_label)  # type: ignore[attr-defined]
    return Section("iop/_pupil_plans.html", {"plans": plans})


def pupil_iups(request: HttpRequest, pupil: Pupil) -> Section | None:
    """The pupil's IUPs with links, and "new IUP" for those who write them (2 queries)."""
    plans = selectors.pupil_iups(pupil)
    if plans is None:
        return None
    return Section("iop/_pupil_iups.html", {"plans": plans})


def pupil_guardian_links(request: HttpRequest, pupil: Pupil) -> Section | None:
    """For a guardian: who has read the child's plans (the access log), on
    the child's page whatever plans the child has. No queries."""
    if not selectors.guardian_only(pupil):
        return None
    return Section("iop/_guardian_links.html", {"pupil": pupil})
