"""Demo records of the Swedish support chain (``settings.DEMO_BUILDERS``,
after :mod:`students.demo`): at Älvby skola, the first pupil of 5A (guardian
vardnadshavare.5a.1@demo.example) has extra anpassningar followed up, an
utredning and a decided åtgärdsprogram with measures; the first pupil of 3A
has a beslut att inte upprätta after an utredning that found no need."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from students.models import GuardianLink, Pupil, StaffMembership, TeachingAssignment, User

from . import services
from .models import Atgardsprogram, ExtraAnpassningUppfoljning

SCHOOL = "Älvby skola (demo)"


def _mentor(pupil: Pupil) -> User | None:
    assignment = (
        TeachingAssignment.objects.filter(group__enrolments__pupil=pupil, role=TeachingAssignment.Role.KONTAKTLAERER)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def _first_in(group: str) -> Pupil | None:
    return (
        Pupil.objects.filter(school__name=SCHOOL, enrolments__group__name=group)
        .order_by("enrolments__pk")
        .select_related("school__skoleeier")
        .first()
    )


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _programme(pupil: Pupil, mentor: User, rektor: User) -> None:
    first = services.anpassning_create(
        actor=mentor,
        pupil=pupil,
        data={
            "subject": "Matematik",
            "description": "Uppgifterna delas upp i kortare delar med en checklista; extra genomgång i början av "
            "lektionen.",
            "responsible": mentor.full_name,
            "start_date": _days(-50),
            "follow_up_on": _days(-20),
        },
    )
    second = services.anpassning_create(
        actor=mentor,
        pupil=pupil,
        data={
            "subject": "",
            "description": "Tydligt schema för dagen och förvarning inför förändringar.",
            "responsible": mentor.full_name,
            "start_date": _days(-50),
            "follow_up_on": _days(-20),
        },
    )
    services.anpassning_follow_up(
        actor=mentor,
        anpassning=first,
        date=_days(-20),
        effect="Hjälper under lektionen, men eleven når ännu inte kunskapskraven i taluppfattning.",
        outcome=ExtraAnpassningUppfoljning.Outcome.NOT_ENOUGH,
        next_follow_up=_days(20),
    )
    services.anpassning_follow_up(
        actor=mentor,
        anpassning=second,
        date=_days(-20),
        effect="Eleven är tryggare i övergångarna.",
        outcome=ExtraAnpassningUppfoljning.Outcome.CONTINUE,
        next_follow_up=_days(40),
    )
    utredning = services.utredning_create(
        actor=mentor,
        pupil=pupil,
        data={
            "started_on": _days(-18),
            "reason": "De extra anpassningarna i matematik räcker inte.",
            "pedagogisk_bedomning": "Eleven behöver regelbunden undervisning av speciallärare i taluppfattning "
            "och tid att befästa grunderna.",
            "specialpedagogisk": "Kartläggningen visar svårigheter med tallinjen och positionssystemet.",
        },
        anpassningar=[first, second],
    )
    services.utredning_conclude(actor=mentor, utredning=utredning, needs_support=True, concluded_on=_days(-8))
    draft = services.atgardsprogram_create(
        actor=mentor,
        utredning=utredning,
        kind=Atgardsprogram.Kind.UPPRATTA,
        data={
            "needs": "Eleven behöver stöd för att utveckla sin taluppfattning och sitt positionssystem.",
            "subjects": "Matematik",
            "follow_up_on": _days(30),
            "evaluate_on": _days(90),
            "pupil_took_part": True,
            "pupil_comment": "Eleven vill helst få stödet i klassrummet.",
            "guardians_took_part": True,
            "guardians_comment": "Vårdnadshavarna tränar tabeller hemma.",
        },
        measures=[
            {
                "what": "Speciallärare 30 minuter tre gånger i veckan.",
                "responsible": "Speciallärare",
                "subject": "Matematik",
            },
            {
                "what": "Konkret material och tallinje vid varje genomgång.",
                "responsible": mentor.full_name,
                "subject": "Matematik",
            },
        ],
    )
    services.atgardsprogram_decide(actor=rektor, programme=draft, decided_on=_days(-5))
    services.atgardsprogram_notified(actor=rektor, programme=draft, notified_on=_days(-4))


def _refusal(pupil: Pupil, mentor: User, rektor: User) -> None:
    tried = services.anpassning_create(
        actor=mentor,
        pupil=pupil,
        data={
            "subject": "Svenska",
            "description": "Inläst läromedel och stöd för att komma i gång med skrivuppgifter.",
            "responsible": mentor.full_name,
            "start_date": _days(-45),
            "follow_up_on": _days(-15),
        },
    )
    utredning = services.utredning_create(
        actor=mentor,
        pupil=pupil,
        data={
            "started_on": _days(-14),
            "reason": "Vårdnadshavarna bad om en utredning av behovet av särskilt stöd.",
            "pedagogisk_bedomning": "Eleven utvecklas mot kunskapskraven med de extra anpassningarna.",
        },
        anpassningar=[tried],
    )
    services.utredning_conclude(actor=mentor, utredning=utredning, needs_support=False, concluded_on=_days(-6))
    draft = services.atgardsprogram_create(
        actor=mentor,
        utredning=utredning,
        kind=Atgardsprogram.Kind.INTE_UPPRATTA,
        data={
            "reason": "Utredningen visar att eleven utvecklas mot kunskapskraven med extra anpassningar inom den "
            "ordinarie undervisningen. De fortsätter och följs upp.",
            "pupil_took_part": True,
            "guardians_took_part": True,
        },
    )
    services.atgardsprogram_decide(actor=rektor, programme=draft, decided_on=_days(-3))


@transaction.atomic
def create() -> None:
    """Add the demo records (no-op without Älvby skola, or when they exist)."""
    if Atgardsprogram.objects.filter(pupil__school__name=SCHOOL).exists():
        return
    rektor_row = StaffMembership.objects.filter(school__name=SCHOOL, role=StaffMembership.Role.REKTOR).first()
    child = GuardianLink.objects.filter(user__email="vardnadshavare.5a.1@demo.example").values_list(
        "pupil_id", flat=True
    )
    pupil = Pupil.objects.filter(pk__in=list(child)).select_related("school__skoleeier").first() or _first_in("5A")
    other = _first_in("3A")
    if rektor_row is None or pupil is None or other is None:
        return
    rektor = rektor_row.user
    for who, make in ((pupil, _programme), (other, _refusal)):
        mentor = _mentor(who)
        if mentor is not None:
            make(who, mentor, rektor)
