"""Demo records for the follow-up (run after :func:`students.demo.create` and
the chain's demo, e.g. through ``settings.DEMO_BUILDERS``): the årshjul's
deadlines for every current school year, and for a few pupils of each school a
concern, a kartlegging, a follow-up plan with a tiltak (one evaluated), talks,
a follow-up meeting and a referral to PPT waiting for consent."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from students.models import Group, Pupil, SchoolYear, StaffMembership, TeachingAssignment, User

from . import deadlines, services
from .models import Concern, Kartlegging, Meeting, MeetingPupil, Notification, Talk, TiltakEvaluation


def _coordinator(school_id: int) -> User | None:
    return (
        User.objects.filter(
            memberships__school_id=school_id, memberships__role=StaffMembership.Role.KOORDINATOR, is_active=True
        )
        .order_by("pk")
        .first()
    )


def _contact_teacher(group: Group) -> User | None:
    a = (
        TeachingAssignment.objects.filter(group=group, role=TeachingAssignment.Role.KONTAKTLAERER)
        .select_related("user")
        .first()
    )
    return a.user if a else None


@transaction.atomic
def create() -> None:
    today = timezone.localdate()
    for year in SchoolYear.objects.filter(start__lte=today, end__gte=today).select_related("school"):
        coordinator = _coordinator(year.school_id)
        if coordinator is None:
            continue
        _records_for(year, coordinator, today)
        deadlines.deadlines_generate(school_year=year)


def _records_for(year: SchoolYear, coordinator: User, today: datetime.date) -> None:
    groups = list(Group.objects.filter(school_year=year, kind=Group.Kind.CLASS).order_by("year_level", "name"))
    if not groups:
        return
    group = groups[len(groups) // 2]
    teacher = _contact_teacher(group) or coordinator
    pupils = list(Pupil.objects.filter(enrolments__group=group).order_by("last_name", "first_name")[:3])
    if not pupils:
        return
    since_start = max((today - year.start).days, 0)
    early = year.start + datetime.timedelta(days=min(since_start, 20))
    first, *rest = pupils

    # One pupil went the whole way: concern → kartlegging → tiltak → evaluation → referral (consent pending).
    concern = Concern.objects.create(
        pupil=first,
        filed_by=teacher,
        filed_at=timezone.now() - datetime.timedelta(days=min(since_start, 40)),
        insufficient_benefit=True,
        description="Eleven henger etter i lesing og skriving og gir opp raskt på skriftlige oppgaver (demo).",
        status=Concern.Status.RECEIVED,
        received_by=coordinator,
        received_at=timezone.now() - datetime.timedelta(days=min(since_start, 38)),
    )
    Notification.objects.create(
        key=f"concern:{concern.pk}:{coordinator.pk}",
        recipient=coordinator,
        kind=Notification.Kind.CONCERN,
        concern=concern,
        send_after=concern.filed_at,
        state=Notification.State.SENT,
        sent_at=concern.filed_at,
    )
    Kartlegging.objects.create(
        pupil=first,
        concern=concern,
        kind=Kartlegging.Kind.ACADEMIC,
        date=early,
        conducted_by=f"{teacher.full_name} (kontaktlærer)",
        method="Kartleggingsprøve i lesing",
        result="Leser 45 ord i minuttet; god forståelse når teksten leses høyt (demo).",
        created_by=teacher,
    )
    tiltak = services.tiltak_create(
        actor=coordinator,
        pupil=first,
        challenge="Leseflyt og utholdenhet i skriftlige oppgaver",
        description="Lesekurs i liten gruppe tre ganger i uka, 20 minutter",
        organisation="group",
        collaboration="with_others",
        partners="PPT (veiledning)",
        start=early,
        end=early + datetime.timedelta(days=120),
        responsibilities="Kontaktlærer leder kurset; spes.ped-koordinator følger opp med PPT.",
        responsible=teacher,
        evaluation_date=early + datetime.timedelta(days=42),
    )
    if today >= tiltak.evaluation_date:
        services.tiltak_evaluate(
            actor=coordinator,
            tiltak=tiltak,
            date=tiltak.evaluation_date,
            outcome=TiltakEvaluation.Outcome.ADJUSTED,
            effect="Bedre flyt, men fortsatt lang tid på skriftlige oppgaver (demo).",
            adjustment="Lydbøker og skrivestøtte i tillegg.",
            next_evaluation_date=max(today, tiltak.evaluation_date) + datetime.timedelta(days=30),
        )
    services.referral_create(
        actor=coordinator, pupil=first, question="Har eleven behov for individuelt tilrettelagt opplæring i norsk?"
    )

    # Talks: a start-of-year talk held for every pupil but the last, one planned.
    for pupil in pupils[:-1]:
        Talk.objects.create(
            pupil=pupil,
            school_year=year,
            kind=Talk.Kind.OPPSTARTSAMTALE,
            status=Talk.Status.HELD,
            date=early,
            guardians_present=True,
            topics="Trivsel, mål for året, samarbeid hjem–skole (demo).",
            agreements="Eleven leser 15 minutter hver dag.",
            created_by=teacher,
        )
    Talk.objects.create(
        pupil=pupils[-1],
        school_year=year,
        kind=Talk.Kind.ELEVSAMTALE,
        status=Talk.Status.PLANNED,
        date=today + datetime.timedelta(days=5),
        created_by=teacher,
    )

    # A concern about well-being not yet received, and a follow-up meeting for the group.
    if rest:
        Concern.objects.create(
            pupil=rest[0], filed_by=teacher, poor_wellbeing=True, description="Er mye alene i friminuttene (demo)."
        )
    meeting = Meeting.objects.create(
        group=group,
        date=early + datetime.timedelta(days=21),
        created_by=coordinator,
        notes="Drøftet resultatene fra oppstartsamtalene (demo).",
    )
    meeting.participants.set([teacher, coordinator])
    MeetingPupil.objects.create(meeting=meeting, pupil=first, decision="Lesekurset videreføres; henvisning til PPT.")
