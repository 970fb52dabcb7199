"""Factories for the chain; :func:`chain` builds SV → vedtak → IOP for a pupil.

Every test that needs an IOP builds it here (the reports' :func:`make_iop`
adds teaching logs and report-ready goals on top of :func:`chain`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import factory
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from curriculum.models import CompetenceAim, CompetenceAimSet, Curriculum
from iop.models import (
    CONSENT_AGE,
    NORWEGIAN_SCALE,
    CaseConsent,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Goal,
    GoalLog,
    Iop,
    IopSubject,
    Iup,
    IupAssessment,
    IupSettings,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
)
from students.models import Pupil, SchoolYear, User
from tests.factories import SchoolYearFactory

CRITERIA = {
    "quality_1": "Eleven løser oppgaven med konkreter.",
    "quality_2": "Eleven løser enkle oppgaver.",
    "quality_3": "Eleven løser oppgaver med tall opp til 100.",
    "quality_4": "Eleven forklarer strategien sin.",
    "independence_1": "Eleven har økt sin selvstendighet med støtte.",
    "independence_2": "Eleven starter selv etter hjelp.",
    "independence_3": "Eleven arbeider selvstendig.",
    "independence_4": "Eleven velger selv hjelpemidler.",
}

#: What a decision states to be made (forvaltningsloven §§ 24–25 and the pupil's view),
#: for tests that make a vedtak through the services.
VEDTAK_REASONS = {
    "facts": "Eleven har lite utbytte av den ordinære opplæringen i matematikk.",
    "main_considerations": "Liten gruppe gir eleven ro og tid; det er til elevens beste.",
    "pupil_view": "Eleven vil helst jobbe i liten gruppe; det er lagt vekt på.",
}


def consent(pupil: Pupil, kind: str, *, on: datetime.date | None = None) -> CaseConsent:
    """The consent a step of PUPIL's case needs (KIND: a CaseConsent.Kind),
    given ON (default two years ago): the pupil's own from 15, else a guardian's."""
    day = on or timezone.localdate() - datetime.timedelta(days=730)
    own = pupil.age_on(timezone.localdate()) >= CONSENT_AGE
    return CaseConsent.objects.create(
        pupil=pupil,
        kind=kind,
        given_by=CaseConsent.GivenBy.PUPIL if own else CaseConsent.GivenBy.GUARDIAN,
        name=pupil.full_name if own else "Foresatt",
        date=min(day, timezone.localdate()),
        method=CaseConsent.Method.SIGNED,
    )


def _consented(kind: str) -> Any:
    """A factory hook: the step's consent, unless the test asks for none (``consent=False``)."""

    def hook(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        exists = CaseConsent.objects.filter(pupil_id=obj.pupil_id, kind=kind).exists
        if create and extracted is not False and not exists():
            consent(obj.pupil, kind)

    return factory.PostGeneration(hook)


class VurderingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SakkyndigVurdering
        skip_postgeneration_save = True

    status = SakkyndigVurdering.Status.COMPLETED
    assessed_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=90))
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    valid_to = factory.LazyAttribute(lambda o: o.valid_from + datetime.timedelta(days=300))
    benefit_from_ordinary = "Noe utbytte i praktiske fag."
    why_insufficient = "Trenger mer tid og konkreter."
    realistic_goals = "Regne i tallområdet 0–100."
    recommended_measures = "Liten gruppe."
    pupil_view = "Eleven vil helst jobbe i liten gruppe; PPT har lagt vekt på det."
    internal_note = "INTERNAL-SV-NOTE"
    completed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == SakkyndigVurdering.Status.COMPLETED else None
    )
    consent = _consented(CaseConsent.Kind.SV)


class VedtakFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enkeltvedtak
        skip_postgeneration_save = True

    vurdering = factory.SubFactory(VurderingFactory)
    pupil = factory.SelfAttribute("vurdering.pupil")
    status = Enkeltvedtak.Status.MADE
    valid_from = factory.SelfAttribute("vurdering.valid_from")
    valid_to = factory.SelfAttribute("vurdering.valid_to")
    content = "Avvik i matematikk."
    facts = VEDTAK_REASONS["facts"]
    main_considerations = VEDTAK_REASONS["main_considerations"]
    pupil_view = VEDTAK_REASONS["pupil_view"]
    internal_note = "INTERNAL-VEDTAK-NOTE"
    made_on = factory.LazyAttribute(
        lambda o: timezone.localdate() - datetime.timedelta(days=10) if o.status == Enkeltvedtak.Status.MADE else None
    )
    consent = _consented(CaseConsent.Kind.VEDTAK)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    text = factory.Sequence(lambda n: f"Eleven leser en tekst på {100 + n} ord med høyst tre feil.")
    order = factory.Sequence(lambda n: n)
    quality_1 = CRITERIA["quality_1"]
    quality_2 = CRITERIA["quality_2"]
    quality_3 = CRITERIA["quality_3"]
    quality_4 = CRITERIA["quality_4"]
    independence_1 = CRITERIA["independence_1"]
    independence_2 = CRITERIA["independence_2"]
    independence_3 = CRITERIA["independence_3"]
    independence_4 = CRITERIA["independence_4"]


@dataclass
class Chain:
    sv: SakkyndigVurdering
    vedtak: Enkeltvedtak
    iop: Iop | None
    sections: list[IopSubject] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)


#: What a whole IOP records besides goals and hours (iop.checks.CONTENT_FIELDS).
IOP_CONTENT = {
    "participants": "Kontaktlærer, spesialpedagog, foresatte og eleven",
    "strengths": "Liker å lese høyt og hjelper andre.",
    "aids": "Nettbrett med opplesing.",
    "evaluation": "Planen evalueres i halvårsrapporten.",
    "pupil_view": "Eleven vil lese mer sammen med andre.",
}


def chain(
    pupil: Pupil,
    *,
    author: User | None = None,
    subjects: tuple[tuple[str, int | None], ...] = (("Matematikk", 76),),
    vedtak_status: str = Enkeltvedtak.Status.MADE,
    iop_status: str | None = Iop.Status.PUBLISHED,
    goals: int = 1,
    logs_per_goal: int = 0,
) -> Chain:
    sv = VurderingFactory(pupil=pupil, author=author)
    for name, hours in subjects:
        SakkyndigVurderingSubject.objects.create(vurdering=sv, subject=name, hours=hours)
    vedtak = VedtakFactory(vurdering=sv, status=vedtak_status)
    for name, hours in subjects:
        EnkeltvedtakSubject.objects.create(vedtak=vedtak, subject=name, hours=hours)
    if iop_status is None:
        return Chain(sv=sv, vedtak=vedtak, iop=None)
    year = school_year_of(pupil)
    iop = Iop.objects.create(
        pupil=pupil,
        vedtak=vedtak,
        school_year=year,
        status=iop_status,
        period_start=max(year.start, vedtak.valid_from),
        period_end=min(year.end, vedtak.valid_to),
        published_at=timezone.now() if iop_status != Iop.Status.DRAFT else None,
        **IOP_CONTENT,
    )
    sections = [
        IopSubject.objects.create(iop=iop, subject=name, hours=hours, order=i, content=f"Innhold i {name}")
        for i, (name, hours) in enumerate(subjects)
    ]
    made_goals = add_goals(iop, sections[0] if sections else None, goals, logs_per_goal)
    return Chain(sv=sv, vedtak=vedtak, iop=iop, sections=sections, goals=made_goals)


def school_year_of(pupil: Pupil) -> SchoolYear:
    """The pupil's school's latest school year; a current one is made when the school has none."""
    year = SchoolYear.objects.filter(school_id=pupil.school_id).order_by("-start").first()
    return year or SchoolYearFactory(school=pupil.school)


def add_goals(iop: Iop, section: IopSubject | None, count: int, logs_per_goal: int = 0) -> list[Goal]:
    goals = bulk_create_with_history([GoalFactory.build(iop=iop, section=section) for _ in range(count)], Goal)
    if logs_per_goal:
        start = timezone.localdate() - datetime.timedelta(days=logs_per_goal)
        GoalLog.objects.bulk_create(
            [
                GoalLog(
                    goal=goal,
                    date=start + datetime.timedelta(days=i),
                    quality=i % 4 + 1,
                    independence=(i + 1) % 4 + 1,
                    feed_forward="Neste steg",
                    note="INTERNAL-LOG-NOTE" if i == 0 else "",
                    note_internal=i == 0,
                )
                for goal in goals
                for i in range(logs_per_goal)
            ]
        )
    return goals


def iup(
    pupil: Pupil,
    *,
    status: str = Iup.Status.PUBLISHED,
    kind: str = Iup.Kind.DEVELOPMENT,
    subjects: tuple[str, ...] = ("Matematikk", "Norsk"),
    goals: int = 1,
    logs_per_goal: int = 0,
) -> Iup:
    """An IUP of this school year with every part of the form, assessments in SUBJECTS and GOALS goals."""
    year = school_year_of(pupil)
    plan = Iup.objects.create(
        pupil=pupil,
        school_year=year,
        kind=kind,
        status=status,
        talk_date=timezone.localdate() - datetime.timedelta(days=1),
        school_contribution="Skolen gir lekser tilpasset eleven.",
        pupil_contribution="Eleven leser 15 minutter hver dag.",
        guardian_contribution="Foresatte hører eleven lese.",
        agreements="Ny samtale i mars.",
        parts=list(IupSettings.Part.values),
        scale=list(NORWEGIAN_SCALE),
        published_at=timezone.now() if status != Iup.Status.DRAFT else None,
    )
    IupAssessment.objects.bulk_create(
        [
            IupAssessment(iup=plan, subject=name, order=n, level=2, text=f"Omdøme i {name}")
            for n, name in enumerate(subjects)
        ]
    )
    made = Goal.objects.bulk_create(
        [
            Goal(iup=plan, subject="Norsk" if n % 2 else "", text=f"Eleven leser {100 + n} ord.", order=n)
            for n in range(goals)
        ]
    )
    if logs_per_goal:
        start = timezone.localdate() - datetime.timedelta(days=logs_per_goal)
        GoalLog.objects.bulk_create(
            [
                GoalLog(goal=goal, date=start + datetime.timedelta(days=i), quality=i % 4 + 1, independence=1)
                for goal in made
                for i in range(logs_per_goal)
            ]
        )
    return plan


def aim(code: str = "KM9001", text: str = "telle til hundre", *, year: int = 4, **extra: Any) -> CompetenceAim:
    """A competence aim of a small test curriculum (Matematikk, after year YEAR)."""
    curriculum, _ = Curriculum.objects.get_or_create(
        code="MAT01-05", defaults={"title": "Læreplan i matematikk", "short_title": "Matematikk"}
    )
    aim_set, _ = CompetenceAimSet.objects.get_or_create(
        code=f"KV90{year:02d}",
        defaults={"curriculum": curriculum, "title": f"Etter {year}. trinn", "year_levels": [year]},
    )
    found, _ = CompetenceAim.objects.get_or_create(
        code=code, defaults={"curriculum": curriculum, "aim_set": aim_set, "text": text, **extra}
    )
    return found
