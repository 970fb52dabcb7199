"""Follow-up records for the shared world (built once per world, on demand)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from followup.models import (
    Concern,
    Consent,
    Deadline,
    Meeting,
    Oppfolgingsplan,
    Preference,
    Referral,
    Talk,
    Tiltak,
)
from tests.conftest import World


@dataclass
class Records:
    concern_a: Concern
    concern_b: Concern
    tiltak_a: Tiltak
    talk_a: Talk
    referral_a: Referral  # draft with consent
    referral_a_sent: Referral
    referral_b: Referral
    meeting_a: Meeting
    deadline_a: Deadline
    token: str


def records(w: World) -> Records:
    if "followup" in w.extra:
        return w.extra["followup"]
    teacher = w.user("teacher")
    coordinator = w.user("coordinator")
    today = timezone.localdate()
    year_a = w.group_a.school_year
    concern_a = Concern.objects.create(pupil=w.pupil_a, filed_by=teacher, description="Mye fravær", high_absence=True)
    concern_b = Concern.objects.create(
        pupil=w.pupil_b, filed_by=coordinator, description="Trives dårlig", poor_wellbeing=True
    )
    plan = Oppfolgingsplan.objects.create(pupil=w.pupil_a, main_challenges="Lesing", created_by=teacher)
    tiltak_a = Tiltak.objects.create(
        plan=plan,
        pupil=w.pupil_a,
        challenge="Lesing",
        description="Lesekurs to ganger i uka",
        organisation=Tiltak.Organisation.GROUP,
        collaboration=Tiltak.Collaboration.SCHOOL,
        start=today,
        end=today + datetime.timedelta(days=60),
        responsibilities="Kontaktlærer",
        responsible=teacher,
        evaluation_date=today + datetime.timedelta(days=30),
    )
    talk_a = Talk.objects.create(
        pupil=w.pupil_a, school_year=year_a, kind=Talk.Kind.ELEVSAMTALE, status=Talk.Status.HELD, date=today
    )
    referral_a = Referral.objects.create(pupil=w.pupil_a, question="Lesevansker?", report="Rapport", created_by=teacher)
    Consent.objects.create(
        referral=referral_a,
        pupil=w.pupil_a,
        guardian=w.user("guardian_a"),
        name="Aud Foresatt",
        date=today,
        method=Consent.Method.SIGNED,
    )
    referral_a_sent = Referral.objects.create(
        pupil=w.pupil_a, question="Q", report="R", status=Referral.Status.SENT, sent_at=timezone.now()
    )
    referral_b = Referral.objects.create(pupil=w.pupil_b, question="Q", report="R")
    meeting_a = Meeting.objects.create(group=w.group_a, date=today)
    meeting_a.pupils.add(w.pupil_a)
    deadline_a = Deadline.objects.create(
        key="matrix:a",
        school=w.school1,
        school_year=year_a,
        title="Evaluere tiltak",
        pupil=w.pupil_a,
        due=today + datetime.timedelta(days=3),
        responsible_role="kontaktlaerer",
        responsible=teacher,
    )
    pref = Preference.objects.create(user=teacher)
    out = Records(
        concern_a=concern_a,
        concern_b=concern_b,
        tiltak_a=tiltak_a,
        talk_a=talk_a,
        referral_a=referral_a,
        referral_a_sent=referral_a_sent,
        referral_b=referral_b,
        meeting_a=meeting_a,
        deadline_a=deadline_a,
        token=pref.ical_token,
    )
    w.extra["followup"] = out
    return out


def tiltak_data(w: World) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "challenge": "Matematikk",
        "description": "Ekstra øving",
        "organisation": "individual",
        "collaboration": "school",
        "start": today.isoformat(),
        "end": (today + datetime.timedelta(days=40)).isoformat(),
        "responsibilities": "Faglærer",
        "evaluation_date": (today + datetime.timedelta(days=20)).isoformat(),
    }


def finish_report(referral: Referral) -> None:
    """Write the section of the pedagogisk rapport the draft leaves to the
    teacher (what the pupil masters, the last one), as a teacher would."""
    referral.report = referral.report.rstrip() + "\nEleven leser gjerne høyt og hjelper andre.\n"
    referral.save(update_fields=["report"])
