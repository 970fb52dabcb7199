"""Factories for IOP data a report is made from (built with iop's models)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from iop.models import (
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    GoalLog,
    Iop,
    IopSubject,
    SakkyndigVurdering,
    TeachingLog,
)
from students.models import Pupil, SchoolYear

SUBJECTS = (("Norsk", 76), ("Matematikk", 57), ("Engelsk", 38))


class VurderingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SakkyndigVurdering

    pupil = factory.SubFactory("tests.factories.PupilFactory")
    status = SakkyndigVurdering.Status.COMPLETED
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=120))
    valid_from = factory.LazyAttribute(lambda o: o.assessed_on)
    valid_to = factory.LazyAttribute(lambda o: o.assessed_on + datetime.timedelta(days=365))
    completed_at = factory.LazyFunction(timezone.now)


class VedtakFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enkeltvedtak

    pupil = factory.SubFactory("tests.factories.PupilFactory")
    vurdering = factory.SubFactory(VurderingFactory, pupil=factory.SelfAttribute("..pupil"))
    status = Enkeltvedtak.Status.MADE
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))
    valid_to = factory.LazyAttribute(lambda o: o.valid_from + datetime.timedelta(days=300))
    made_on = factory.LazyAttribute(lambda o: o.valid_from)


def school_year_of(pupil: Pupil) -> SchoolYear:
    year = SchoolYear.objects.filter(school=pupil.school).order_by("-start").first()
    if year is None:
        today = timezone.localdate()
        year = SchoolYear.objects.create(
            school=pupil.school,
            name=f"{today.year}/{str(today.year + 1)[-2:]}",
            start=today - datetime.timedelta(days=60),
            end=today + datetime.timedelta(days=240),
        )
    return year


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
    year = school_year_of(pupil)
    vedtak = VedtakFactory(pupil=pupil)
    for name, hours in subjects:
        EnkeltvedtakSubject.objects.create(vedtak=vedtak, subject=name, hours=hours)
    iop = Iop.objects.create(
        pupil=pupil,
        vedtak=vedtak,
        school_year=year,
        status=status,
        period_start=year.start,
        period_end=year.end,
        published_at=timezone.now() if status != Iop.Status.DRAFT else None,
    )
    for n, (name, hours) in enumerate(subjects):
        section = IopSubject.objects.create(
            iop=iop, subject=name, hours=hours, order=n, organisation=f"Liten gruppe i {name.lower()}, 2 timer i uka"
        )
        for week in range(teaching_weeks):
            start = year.start + datetime.timedelta(days=7 * week)
            TeachingLog.objects.create(
                section=section, period_start=start, period_end=start + datetime.timedelta(days=4), hours=Decimal("2.5")
            )
        for g in range(goals_per_subject):
            add_goal(iop, section, goal_text or f"{name}: mål {g + 1}", order=g, logs=logs_per_goal)
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
