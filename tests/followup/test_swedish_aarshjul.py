"""A Swedish school's årshjul follows skollagen, not opplæringslova:
utvecklingssamtal each term (one talk fulfils one term, not two), the
written IUP once a school year in the years without grades (årskurs 1–5),
follow-up of extra anpassningar and the yearly review of åtgärdsprogram —
and none of the Norwegian chain's duties. A Norwegian school keeps its own."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from followup import deadlines, services
from followup.aarshjul_data import GRUNDSKOLA_SE, GRUNNSKOLE
from followup.models import Deadline, Talk
from iop.atgardsprogram import services as support
from iop.models import Iup
from students.models import Group, School, SchoolYear, TeachingAssignment
from tests import factories as f
from tests.conftest import LOGIN_BACKEND
from tests.followup.conftest import YearSchool, build_year_school
from tests.iop import factories as iopf

D = datetime.date
NORWEGIAN_ONLY = {
    "iop-ved-skolestart",
    "arsrapport",
    "vedtak-neste-ar",
    "sakkyndig-vurdering-etter-henvisning",
    "vedtak-etter-sakkyndig-vurdering",
    "klage-skoleeier",
    "iop-etter-vedtak",
    "ppt-henvisning-vurdering",
    "utviklingssamtale-host",
}


def at(day: str, clock: str = "09:00") -> time_machine.travel:
    return time_machine.travel(f"{day}T{clock}:00+01:00", tick=False)


def by_key(year: SchoolYear) -> dict[str, list[Deadline]]:
    out: dict[str, list[Deadline]] = {}
    for d in Deadline.objects.filter(school_year=year).select_related("duty"):
        out.setdefault(d.duty.key if d.duty else "", []).append(d)
    return out


@pytest.fixture
def skola(db: None) -> YearSchool:
    """A Swedish grundskola: a class in årskurs 5 (three pupils) and one in årskurs 7 (one pupil)."""
    ys = build_year_school(kind=School.Kind.BARNE_UNGDOM, level=5)
    f.make_swedish(ys.school)
    seventh = Group.objects.create(school_year=ys.year, name="7A", year_level=7)
    f.assign(ys.teacher, seventh, TeachingAssignment.Role.KONTAKTLAERER)
    ys.pupils.append(f.pupil_in(seventh, first_name="Sjua"))
    return ys


def test_a_swedish_school_gets_the_swedish_aarshjul_and_no_norwegian_duty(skola: YearSchool) -> None:
    wheel = deadlines.aarshjul_for(skola.school)
    assert wheel is not None and wheel.builtin_key == "grundskola-se"
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=skola.year)
    keys = by_key(skola.year)
    assert not NORWEGIAN_ONLY & set(keys)
    assert set(keys) == {
        "utvecklingssamtal-ht",
        "utvecklingssamtal-vt",
        "skriftlig-iup",
        "extra-anpassningar-ht",
        "extra-anpassningar-vt",
        "atgardsprogram-arsoversyn",
    }
    # Each term's talk for every pupil, with the mentor responsible.
    assert {d.due for d in keys["utvecklingssamtal-ht"]} == {D(2026, 12, 10)}
    assert {d.due for d in keys["utvecklingssamtal-vt"]} == {D(2027, 5, 17)}  # Saturday 15 May → Monday
    assert len(keys["utvecklingssamtal-ht"]) == len(keys["utvecklingssamtal-vt"]) == 4
    assert {d.responsible for d in keys["utvecklingssamtal-ht"]} == {skola.teacher}
    # The written IUP only for the years without grades: not for the pupil in årskurs 7.
    assert {d.pupil for d in keys["skriftlig-iup"]} == set(skola.pupils[:3])
    # The åtgärdsprogram are reviewed three weeks before the school year (and the spring term) ends.
    (review,) = keys["atgardsprogram-arsoversyn"]
    assert review.due == D(2027, 5, 28) and review.responsible == skola.rektor
    assert {d.group for d in keys["extra-anpassningar-ht"]} == set(Group.objects.filter(school_year=skola.year))


def test_the_swedish_texts_cite_skollagen() -> None:
    texts = {d["key"]: d["title"] + " " + d.get("description", "") for d in GRUNDSKOLA_SE}
    assert "10 kap. 12 §" in texts["utvecklingssamtal-ht"] and "10 kap. 12 §" in texts["utvecklingssamtal-vt"]
    assert "10 kap. 13 §" in texts["skriftlig-iup"]
    assert "3 kap. 9 §" in texts["atgardsprogram-arsoversyn"]
    assert "3 kap. 9 §" in texts["atgardsprogram-uppfoljning"] and "3 kap. 9 §" in texts["atgardsprogram-utvardering"]
    for text in texts.values():
        assert "opplæringslova" not in text and "sakkyndig" not in text and "IOP" not in text


def test_one_talk_fulfils_one_term_not_two(skola: YearSchool) -> None:
    pupil = skola.pupils[0]
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=skola.year)
    for day in ("2026-10-05", "2026-11-09"):  # two talks in the autumn
        with at(day, "15:00"):
            services.talk_save(
                actor=skola.teacher,
                pupil=pupil,
                kind=Talk.Kind.UTVIKLINGSSAMTALE,
                status=Talk.Status.HELD,
                date=D.fromisoformat(day),
            )
    autumn = Deadline.objects.get(pupil=pupil, duty__key="utvecklingssamtal-ht")
    spring = Deadline.objects.get(pupil=pupil, duty__key="utvecklingssamtal-vt")
    assert autumn.state == Deadline.State.DONE and autumn.done_automatically
    assert spring.state == Deadline.State.OPEN  # the spring term needs its own talk
    with at("2027-03-10", "15:00"):
        services.talk_save(
            actor=skola.teacher,
            pupil=pupil,
            kind=Talk.Kind.UTVIKLINGSSAMTALE,
            status=Talk.Status.HELD,
            date=D(2027, 3, 10),
        )
    spring.refresh_from_db()
    assert spring.state == Deadline.State.DONE
    others = Deadline.objects.filter(duty__key="utvecklingssamtal-ht", state=Deadline.State.OPEN)
    assert others.count() == 3  # another pupil's talk is not this pupil's


def test_a_published_written_iup_fulfils_the_years_iup(skola: YearSchool) -> None:
    pupil = skola.pupils[1]
    with at("2026-11-20"):
        iopf.iup(pupil, kind=Iup.Kind.WRITTEN)
        deadlines.deadlines_generate(school_year=skola.year)
    assert Deadline.objects.get(pupil=pupil, duty__key="skriftlig-iup").state == Deadline.State.DONE
    assert Deadline.objects.get(pupil=skola.pupils[0], duty__key="skriftlig-iup").state == Deadline.State.OPEN


def test_following_up_an_extra_anpassning_is_a_deadline(
    skola: YearSchool, django_capture_on_commit_callbacks: Any
) -> None:
    """An extra adaptation's follow-up date is the mentor's deadline as soon as
    it is documented; a follow-up moves it on, and ending the adaptation ends it."""
    pupil = skola.pupils[2]
    with at("2026-09-10"):
        deadlines.deadlines_generate(school_year=skola.year)
        with django_capture_on_commit_callbacks(execute=True):
            adaptation = support.anpassning_create(
                actor=skola.teacher,
                pupil=pupil,
                data={
                    "subject": "Svenska",
                    "description": "Inläsningstjänst",
                    "responsible": "Mentor",
                    "start_date": D(2026, 9, 10),
                    "follow_up_on": D(2026, 10, 21),
                },
            )
    (due,) = Deadline.objects.filter(pupil=pupil, duty__key="extra-anpassning-uppfoljning")
    assert due.due == D(2026, 10, 21) and due.responsible == skola.teacher and due.state == Deadline.State.OPEN
    with at("2026-10-21"), django_capture_on_commit_callbacks(execute=True):
        support.anpassning_follow_up(
            actor=skola.teacher,
            anpassning=adaptation,
            date=D(2026, 10, 21),
            effect="Läser mer.",
            outcome="continue",
            next_follow_up=D(2026, 12, 9),
        )
    due.refresh_from_db()
    assert due.due == D(2026, 12, 9) and due.state == Deadline.State.OPEN
    with at("2026-12-09"), django_capture_on_commit_callbacks(execute=True):
        support.anpassning_follow_up(
            actor=skola.teacher, anpassning=adaptation, date=D(2026, 12, 9), effect="Klarar sig.", outcome="end"
        )
    due.refresh_from_db()
    assert due.state != Deadline.State.OPEN


def test_a_norwegian_school_keeps_the_norwegian_aarshjul(grunnskole: YearSchool) -> None:
    wheel = deadlines.aarshjul_for(grunnskole.school)
    assert wheel is not None and wheel.builtin_key == "grunnskole-no"
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=grunnskole.year)
    keys = by_key(grunnskole.year)
    assert "utviklingssamtale-host" in keys and "vedtak-neste-ar" in keys
    assert not {d["key"] for d in GRUNDSKOLA_SE} & set(keys)
    assert set(keys) <= {d["key"] for d in GRUNNSKOLE}


def _duty_form_options(school: School, user: Any) -> set[str]:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    html = client.get(reverse("followup:duty_create", args=[school.pk])).content.decode()
    return set(re.findall(r'<option value="([^"]+)"', html))


NORWEGIAN_CHOICES = {
    "ppt",
    "with_vedtak",
    "with_iop",
    "vedtak_made",
    "vedtak_expiry",
    "referral_sent",
    "vurdering_completed",
    "referral_waiting",
    "vurdering_waiting",
    "appeal_received",
    "iop_published",
    "arsrapport",
    "new_vedtak",
    "vurdering",
    "interim_reply",
    "appeal_forwarded",
}
SWEDISH_CHOICES = {"ap_follow_up", "ap_evaluation", "ea_follow_up", "ap_evaluated"}


def test_the_new_duty_form_offers_a_swedish_school_only_swedish_choices(skola: YearSchool) -> None:
    options = _duty_form_options(skola.school, skola.rektor)
    assert options >= SWEDISH_CHOICES
    assert {"manual", "talk_held", "iup_published", "concern_filed", "every_pupil", "rektor"} <= options
    assert not options & NORWEGIAN_CHOICES
    client = Client()
    client.force_login(skola.rektor, backend=LOGIN_BACKEND)
    url = reverse("followup:duty_create", args=[skola.school.pk])
    posted = {"title": "X", "responsible_role": "rektor", "applies_to": "with_iop", "anchor": "fixed", "month": 9}
    response = client.post(url, {**posted, "day": 1, "reminder_days": "7,1", "fulfilment": "manual", "order": 0})
    assert response.status_code == 200 and not skola.school.followup_duties.exists()


def test_the_new_duty_form_offers_a_norwegian_school_no_swedish_choices(grunnskole: YearSchool) -> None:
    options = _duty_form_options(grunnskole.school, grunnskole.rektor)
    assert options >= NORWEGIAN_CHOICES
    assert not options & SWEDISH_CHOICES
