"""IOP data a report is made from: the chain of :mod:`tests.iop.factories`
with teaching logged per subject and goals with criteria and a rising log."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from iop.models import Goal, GoalLog, Iop, IopSubject, TeachingLog
from students.models import Pupil
from tests.iop.factories import chain

SUBJECTS = (("Norsk", 76), ("Matematikk", 57), ("Engelsk", 38))


def make_iop(
    pupil: Pupil,
    *,
    goals_per_subject: int = 2,
    logs_per_goal: int = 3,
    subjects: tuple[tuple[str, int], ...] = SUBJECTS,
    general_goals: int = 0,
    status: str = Iop.Status.PUBLISHED,
    goal_text: str | None = None,
    teaching_weeks: int = 4,
) -> Iop:
    """A published IOP on a made vedtak with SUBJECTS, goals with criteria on
    four levels, a rising log per goal and teaching logged per subject."""
    made = chain(pupil, subjects=subjects, iop_status=status, goals=0)
    iop = made.iop
    assert iop is not None
    for section in made.sections:
        section.organisation = f"Liten gruppe i {section.subject.lower()}, 2 timer i uka"
        IopSubject.objects.filter(pk=section.pk).update(organisation=section.organisation)
        for week in range(teaching_weeks):
            start = iop.school_year.start + datetime.timedelta(days=7 * week)
            TeachingLog.objects.create(
                section=section, period_start=start, period_end=start + datetime.timedelta(days=4), hours=Decimal("2.5")
            )
        for g in range(goals_per_subject):
            add_goal(iop, section, goal_text or f"{section.subject}: mål {g + 1}", order=g, logs=logs_per_goal)
    for g in range(general_goals):
        add_goal(iop, None, goal_text or f"Sosialt mål {g + 1}", order=100 + g, logs=logs_per_goal)
    return iop


def add_goal(iop: Iop, section: IopSubject | None, text: str, *, order: int = 0, logs: int = 3, **extra: Any) -> Goal:
    criteria = {
        f"{axis}_{level}": f"{word} {axis_word} nivå {level}"
        for axis, axis_word in (("quality", "kvalitet"), ("independence", "selvstendighet"))
        for level, word in (
            (1, "Eleven viser"),
            (2, "Eleven mestrer delvis"),
            (3, "Eleven mestrer"),
            (4, "Eleven mestrer sikkert"),
        )
    }
    extra.setdefault("competence_aim", "KM1234")
    goal = Goal.objects.create(iop=iop, section=section, text=text, order=order, **criteria, **extra)
    start = iop.period_start
    for n in range(logs):
        GoalLog.objects.create(
            goal=goal,
            date=start + datetime.timedelta(days=10 + 14 * n),
            quality=min(1 + n, 4),
            independence=min(1 + n // 2, 4),
            feed_forward=f"Neste steg {n + 1}",
            self_assessment=f"Jeg synes det går bra {n + 1}",
            note="HEMMELIG intern merknad" if n == 0 else "",
            note_internal=n == 0,
        )
    return goal
