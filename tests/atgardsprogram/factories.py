"""A Swedish school with the personas of the support chain, and its records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from iop.atgardsprogram import services
from iop.atgardsprogram.models import Atgardsprogram, ExtraAnpassning, Utredning
from students.models import Pupil, School, StaffMembership, TeachingAssignment, User
from tests import factories as f
from tests.conftest import LOGIN_BACKEND

R = StaffMembership.Role
T = TeachingAssignment.Role


@dataclass
class Sweden:
    school: School
    other_school: School
    pupil: Pupil
    other_pupil: Pupil
    users: dict[str, User] = field(default_factory=dict)

    def client(self, persona: str) -> Client:
        client = Client()
        client.force_login(self.users[persona], backend=LOGIN_BACKEND)
        return client

    def __getattr__(self, name: str) -> Any:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def sweden() -> Sweden:
    """Älvby skola: rektor, coordinator, mentor (kontaktlärare of 4A), a
    subject teacher; another school's rektor; the pupil's guardian and
    another pupil's guardian."""
    school = f.swedish_school("Älvby skola", kommun="Älvby kommun")
    other = f.swedish_school("Åby skola", kommun="Älvby kommun")
    group = f.GroupFactory(school_year=f.SchoolYearFactory(school=school), name="4A", year_level=4)
    pupil = f.pupil_in(group, first_name="Alva", last_name="Andersson")
    other_pupil = f.pupil_in(group, first_name="Hugo", last_name="Holm")
    users: dict[str, User] = {}

    def person(persona: str, name: str) -> User:
        users[persona] = f.UserFactory(email=f"{persona}@test.example", full_name=name)
        return users[persona]

    f.member(person("rektor", "Rut Rektor"), school, R.REKTOR)
    f.member(person("koordinator", "Kim Koordinator"), school, R.KOORDINATOR)
    mentor = person("mentor", "Maja Mentor")
    f.member(mentor, school, R.KONTAKTLAERER)
    f.assign(mentor, group, T.KONTAKTLAERER)
    teacher = person("faglarare", "Filip Lärare")
    f.member(teacher, school, R.FAGLAERER)
    f.assign(teacher, group, T.FAGLAERER, "Matematik")
    f.member(person("other_rektor", "Olle Annan"), other, R.REKTOR)
    f.guardian_of(person("guardian", "Vera Vårdnadshavare"), pupil)
    f.guardian_of(person("other_guardian", "Anders Annan"), other_pupil)
    return Sweden(school=school, other_school=other, pupil=pupil, other_pupil=other_pupil, users=users)


def anpassning(s: Sweden, **data: Any) -> ExtraAnpassning:
    today = timezone.localdate()
    values = {
        "subject": "Matematik",
        "description": "Uppgifterna delas upp i kortare delar.",
        "responsible": "Maja Mentor",
        "start_date": today - datetime.timedelta(days=40),
        "follow_up_on": today - datetime.timedelta(days=10),
    } | data
    return services.anpassning_create(actor=s.mentor, pupil=s.pupil, data=values)


def utredning(s: Sweden, *, needs: bool | None = True) -> Utredning:
    today = timezone.localdate()
    u = services.utredning_create(
        actor=s.mentor,
        pupil=s.pupil,
        data={
            "started_on": today - datetime.timedelta(days=9),
            "reason": "De extra anpassningarna räcker inte.",
            "pedagogisk_bedomning": "Alva behöver stöd i matematik varje dag.",
        },
        anpassningar=[anpassning(s)],
    )
    if needs is not None:
        services.utredning_conclude(
            actor=s.mentor, utredning=u, needs_support=needs, concluded_on=today - datetime.timedelta(days=2)
        )
    return u


PROGRAMME = {
    "needs": "Alva behöver stöd i taluppfattning.",
    "subjects": "Matematik",
    "pupil_took_part": True,
    "guardians_took_part": True,
}
MEASURES = [
    {"what": "Speciallärare 30 minuter tre gånger i veckan.", "responsible": "Speciallärare", "subject": "Matematik"}
]


def draft(s: Sweden, **data: Any) -> Atgardsprogram:
    today = timezone.localdate()
    values = (
        PROGRAMME
        | {"follow_up_on": today + datetime.timedelta(days=30), "evaluate_on": today + datetime.timedelta(days=90)}
        | data
    )
    return services.atgardsprogram_create(
        actor=s.mentor, utredning=utredning(s), kind=Atgardsprogram.Kind.UPPRATTA, data=values, measures=MEASURES
    )


def decided(s: Sweden, **data: Any) -> Atgardsprogram:
    return services.atgardsprogram_decide(actor=s.rektor, programme=draft(s, **data))


def refusal(s: Sweden) -> Atgardsprogram:
    p = services.atgardsprogram_create(
        actor=s.mentor,
        utredning=utredning(s, needs=False),
        kind=Atgardsprogram.Kind.INTE_UPPRATTA,
        data={
            "reason": "Utredningen visar att extra anpassningar räcker.",
            "pupil_took_part": True,
            "guardians_took_part": False,
        },
    )
    return services.atgardsprogram_decide(actor=s.rektor, programme=p)
