"""Demo IUPs (``settings.DEMO_BUILDERS``, after :mod:`iop.demo`): a published
Steinkjer-style IUP for a pupil of Fjordvik skole (the first demo guardian's
child) and a published Swedish skriftlig IUP with omdömen and framåtsyftande
planering for a pupil in 5A of Älvby skola (guardian
vardnadshavare.5a.1@demo.example)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from students.models import GuardianLink, Pupil, School, SchoolYear, TeachingAssignment, User

from . import services
from .models import Iup

NORWEGIAN_SCHOOL = "Fjordvik skole (demo)"
SWEDISH_SCHOOL = "Älvby skola (demo)"


def _talk_date(pupil: Pupil) -> datetime.date:
    year = SchoolYear.objects.filter(school_id=pupil.school_id).order_by("-start").first()
    today = timezone.localdate()
    if year is None:
        return today
    return max(year.start, min(today, year.start + datetime.timedelta(days=35)))


def _contact_teacher(pupil: Pupil) -> User | None:
    assignment = (
        TeachingAssignment.objects.filter(group__enrolments__pupil=pupil, role=TeachingAssignment.Role.KONTAKTLAERER)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


def _publish(teacher: User, iup: Iup, data: dict[str, object]) -> Iup:
    iup = services.iup_update(actor=teacher, iup=iup, version=iup.version, data=data)
    return services.iup_publish(actor=teacher, iup=iup, version=iup.version)


def _norwegian() -> None:
    guardian = User.objects.filter(email="foresatt.1@demo.example").first()
    link = (
        GuardianLink.objects.filter(user=guardian, pupil__school__name=NORWEGIAN_SCHOOL)
        .select_related("pupil")
        .order_by("-pupil__birth_date")
        .first()
    )
    if link is None:
        return
    pupil = link.pupil
    teacher = _contact_teacher(pupil)
    if teacher is None:
        return
    iup = services.iup_create(actor=teacher, pupil=pupil)
    for subject, text in (
        ("Norsk", "Jeg leser en kapittelbok på egen hånd og forteller hva den handler om."),
        ("Matematikk", "Jeg kan gangetabellen til 5 uten å telle på fingrene."),
        ("", "Jeg rekker opp hånda og venter på tur i samlingsstund."),
    ):
        services.goal_create(actor=teacher, iup=iup, subject=subject, text=text)
    for assessment in iup.assessments.filter(subject__in=["Norsk", "Matematikk"]):
        services.assessment_update(
            actor=teacher,
            assessment=assessment,
            version=assessment.version,
            data={
                "level": 2,
                "text": f"Eleven er godt i gang i {assessment.subject.lower()} og viser stor innsats.",
                "self_level": 2 if assessment.subject == "Norsk" else 1,
                "self_text": "Jeg synes lesing er gøy."
                if assessment.subject == "Norsk"
                else "Gangestykker er vanskelig.",
            },
        )
    iup.refresh_from_db()
    _publish(
        teacher,
        iup,
        {
            "talk_date": _talk_date(pupil),
            "school_contribution": "Kontaktlærer gir ukentlige lesemål og gangetabell-spill i stasjonsarbeid.",
            "pupil_contribution": "Eleven leser 15 minutter hver dag og øver gangetabellen med appen.",
            "guardian_contribution": "Foresatte hører eleven lese tre kvelder i uka og spør om boka.",
            "agreements": "Ny utviklingssamtale i januar. Eleven velger selv neste kapittelbok.",
        },
    )


def _swedish() -> None:
    guardian = User.objects.filter(email="vardnadshavare.5a.1@demo.example").first()
    link = GuardianLink.objects.filter(user=guardian).select_related("pupil").first()
    if link is None:
        return
    pupil = link.pupil
    teacher = _contact_teacher(pupil)
    if teacher is None:
        return
    iup = services.iup_create(actor=teacher, pupil=pupil)
    omdomen = {
        "Svenska": (2, "Läser med flyt och återberättar det viktigaste.", 2, "Jag gillar att läsa."),
        "Matematik": (1, "Behöver träna mer på division och bråk.", 2, "Jag tycker att det går bra."),
        "Engelska": (3, "Samtalar säkert och skriver korta texter med god struktur.", 3, ""),
    }
    for assessment in iup.assessments.all():
        level, text, self_level, self_text = omdomen.get(assessment.subject, (2, "", None, ""))
        services.assessment_update(
            actor=teacher,
            assessment=assessment,
            version=assessment.version,
            data={"level": level, "text": text, "self_level": self_level, "self_text": self_text},
        )
    services.goal_create(actor=teacher, iup=iup, subject="Matematik", text="Jag kan dela tresiffriga tal med ental.")
    services.goal_create(actor=teacher, iup=iup, text="Jag låter alla komma till tals i grupparbeten.")
    iup.refresh_from_db()
    _publish(
        teacher,
        iup,
        {
            "talk_date": _talk_date(pupil),
            "school_contribution": "Skolan ger extra stöd i matematik två gånger i veckan i mindre grupp.",
            "pupil_contribution": "Eleven tränar division tio minuter om dagen och frågar när något är oklart.",
            "guardian_contribution": "Vårdnadshavaren frågar om skoldagen och hjälper till med läxorna.",
            "agreements": "Nästa utvecklingssamtal i mars. Eleven tar med sin matteloggbok till samtalet.",
        },
    )


@transaction.atomic
def create() -> None:
    """Add the demo IUPs (a no-op when the demo schools are missing or already have IUPs)."""
    schools = School.objects.filter(name__in=[NORWEGIAN_SCHOOL, SWEDISH_SCHOOL])
    if not schools.exists() or Iup.objects.filter(pupil__school__in=schools).exists():
        return
    _norwegian()
    _swedish()
