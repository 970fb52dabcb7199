"""The chain drives itself, with the real records of both apps: each step
tells the next person and brings the next deadline; a vedtak made late asks
for the IOP after it; the årsrapport fulfils its duty; one talk per term."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from followup import deadlines, services
from followup.models import Concern, Deadline, Notification, Referral, Talk
from followup.selectors import deadline_link
from iop import services as iop_services
from iop.models import Iop, SakkyndigVurdering
from iop.reports import services as report_services
from students.models import StaffMembership, User
from tests import factories as f
from tests.followup.conftest import YearSchool
from tests.followup.fixtures import finish_report
from tests.iop.factories import VEDTAK_REASONS, consent

D = datetime.date


def at(day: str, clock: str = "09:00") -> time_machine.travel:
    return time_machine.travel(f"{day}T{clock}:00+01:00", tick=False)


def open_deadline(pupil_id: object, key: str) -> Deadline:
    return Deadline.objects.select_related("responsible").get(
        pupil_id=pupil_id, duty__key=key, state=Deadline.State.OPEN
    )


def told(deadline: Deadline) -> set[User]:
    return {
        n.recipient
        for n in Notification.objects.filter(deadline=deadline, kind=Notification.Kind.TASK).select_related("recipient")
    }


@pytest.fixture
def ppt(vgs: YearSchool) -> User:
    user = f.UserFactory(email="ppt@test.example", full_name="Pia PPT")
    f.member(user, vgs.school, StaffMembership.Role.PPT)
    return user


def test_each_step_tells_the_next_person_and_brings_the_next_deadline(
    vgs: YearSchool, ppt: User, django_capture_on_commit_callbacks
) -> None:
    pupil = vgs.pupils[0]
    with at("2026-10-01"):
        deadlines.deadlines_generate(school_year=vgs.year)
        concern = services.concern_file(
            actor=vgs.teacher, pupil=pupil, description="Strever med lesing.", insufficient_benefit=True
        )
        kartlegging = open_deadline(pupil.pk, "kartlegging-etter-bekymring")
        assert (kartlegging.due, kartlegging.responsible) == (D(2026, 10, 22), vgs.coordinator)
        services.kartlegging_create(
            actor=vgs.teacher,
            pupil=pupil,
            concern=concern,
            kind="academic",
            date=D(2026, 10, 1),
            conducted_by="Kontaktlærer",
            result="Leser sakte.",
        )
        kartlegging.refresh_from_db()
        assert kartlegging.state == Deadline.State.DONE

        referral = services.referral_create(actor=vgs.coordinator, pupil=pupil, question="Lesevansker?")
        services.consent_record(
            actor=vgs.coordinator,
            referral=referral,
            date=D(2026, 10, 1),
            method="signed",
            given_by="guardian" if pupil.age_on(D(2026, 10, 1)) < 15 else "pupil",  # 15 and over: the pupil
        )
        finish_report(referral)
        services.referral_send(actor=vgs.coordinator, referral=referral)
    waiting = open_deadline(pupil.pk, "sakkyndig-vurdering-etter-henvisning")
    assert (waiting.due, waiting.responsible) == (D(2026, 12, 30), ppt)  # PPT's waiting time is tracked

    with at("2026-10-20"):  # a new matter after the referral stays open
        later = services.concern_file(actor=vgs.teacher, pupil=pupil, description="Mye fravær.", high_absence=True)
    with at("2026-11-02"):
        sv = iop_services.vurdering_create(
            actor=ppt,
            pupil=pupil,
            data={
                "assessed_on": D(2026, 11, 2),
                "valid_from": D(2026, 11, 2),
                "valid_to": D(2027, 6, 18),
                "benefit_from_ordinary": "Noe",
                "why_insufficient": "Fordi",
                "realistic_goals": "Lese",
                "recommended_measures": "Liten gruppe",
                "pupil_view": "Eleven vil helst være i klassen; det er lagt vekt på.",
            },
            subjects=[{"subject": "Norsk", "hours": 76}],
        )
        consent(pupil, "sv")
        # PPT reads the pages in English; the school's records stay in its language.
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            sv = iop_services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version)
    referral.refresh_from_db()
    concern.refresh_from_db()
    waiting.refresh_from_db()
    assert referral.status == Referral.Status.ASSESSED and concern.status == Concern.Status.CLOSED
    # The note is the school's record, in its language, whoever completed the assessment.
    assert concern.closed_note == "Lukket da PPT fullførte den sakkyndige vurderingen (02.11.2026)."
    later.refresh_from_db()
    assert later.status == Concern.Status.NEW
    assert waiting.state == Deadline.State.DONE
    vedtak_due = open_deadline(pupil.pk, "vedtak-etter-sakkyndig-vurdering")
    assert (vedtak_due.due, vedtak_due.responsible) == (D(2026, 12, 2), vgs.rektor)
    assert told(vedtak_due) == {vgs.rektor, vgs.coordinator}
    to_rektor = [m for m in mail.outbox if m.to == [vgs.rektor.email]]
    assert [m.subject for m in to_rektor] == ["Ny oppgave: Enkeltvedtak etter sakkyndig vurdering"]
    assert reverse("iop:vurdering_detail", args=[sv.pk]) in to_rektor[0].body  # straight to the assessment

    with at("2026-11-29"):  # late in the year: the IOP is due after the vedtak, not at school start
        vedtak = iop_services.vedtak_create(
            actor=vgs.rektor,
            pupil=pupil,
            vurdering=sv,
            data={"valid_from": D(2026, 11, 30), "valid_to": D(2027, 6, 18), **VEDTAK_REASONS},
            subjects=[{"subject": "Norsk", "hours": 76}],
        )
        consent(pupil, "vedtak")
        with django_capture_on_commit_callbacks(execute=True):
            vedtak = iop_services.vedtak_make(actor=vgs.rektor, vedtak=vedtak, version=vedtak.version)
    vedtak_due.refresh_from_db()
    assert vedtak_due.state == Deadline.State.DONE
    iop_due = open_deadline(pupil.pk, "iop-etter-vedtak")
    assert (iop_due.due, iop_due.responsible) == (D(2026, 12, 29), vgs.teacher)
    assert told(iop_due) == {vgs.teacher}
    assert not Deadline.objects.filter(pupil=pupil, duty__key="iop-ved-skolestart").exists()
    assert not Deadline.objects.filter(
        pupil=pupil, state=Deadline.State.OPEN, duty__fulfilment="iop_published", due__lt=D(2026, 11, 29)
    ).exists()

    # Each person finds the next task on their own home page, without searching.
    with at("2026-11-30"):
        assert "Sakkyndig vurdering etter henvisning" not in home(ppt)  # done
        assert iop_due.title in home(vgs.teacher)
        assert "1 nytt varsel" in home(vgs.teacher)
        # The task's link opens the record it is about, for the person it is for.
        for user, deadline in ((vgs.rektor, vedtak_due), (vgs.teacher, iop_due)):
            client = Client()
            client.force_login(user)
            assert client.get(deadline_link(deadline)).status_code == 200


def home(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_ppt_finds_the_referrals_waiting_and_the_way_on_to_the_assessment(vgs: YearSchool, ppt: User) -> None:
    pupil = vgs.pupils[2]
    with at("2026-10-01"):
        referral = services.referral_create(actor=vgs.coordinator, pupil=pupil, question="Lesevansker?")
        services.consent_record(
            actor=vgs.coordinator,
            referral=referral,
            date=D(2026, 10, 1),
            method="signed",
            given_by="guardian" if pupil.age_on(D(2026, 10, 1)) < 15 else "pupil",  # 15 and over: the pupil
        )
        finish_report(referral)
        services.referral_send(actor=vgs.coordinator, referral=referral)
    with at("2026-10-11"):
        page = home(ppt)
        assert "Henvisninger som venter på sakkyndig vurdering" in page and "venter 10 dager" in page
        assert reverse("followup:referral_detail", args=[referral.pk]) in page
        assert "Sakkyndig vurdering etter henvisning til PPT" in page  # PPT's own deadline
        client = Client()
        client.force_login(ppt)
        detail = client.get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    assert reverse("iop:vurdering_create", args=[pupil.pk]) in detail
    # The school's staff do not get PPT's button.
    assert reverse("iop:vurdering_create", args=[pupil.pk]) not in (
        Client().get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
    )


def test_a_published_iop_and_a_finalised_arsrapport_fulfil_their_duties(
    vgs: YearSchool, django_capture_on_commit_callbacks
) -> None:
    from tests.iop.factories import chain

    pupil = vgs.pupils[1]
    with at("2026-09-01"):
        ch = chain(pupil, iop_status=Iop.Status.DRAFT)
        deadlines.deadlines_generate(school_year=vgs.year)
        iop_due = open_deadline(pupil.pk, "iop-etter-vedtak")  # made 22 Aug: 30 days on, not at school start
        assert iop_due.due == D(2026, 9, 21)
        assert not Deadline.objects.filter(pupil=pupil, duty__key="iop-ved-skolestart").exists()
        with django_capture_on_commit_callbacks(execute=True):
            iop = iop_services.iop_publish(actor=vgs.teacher, iop=ch.iop, version=ch.iop.version)
    iop_due.refresh_from_db()
    assert iop_due.state == Deadline.State.DONE
    arsrapport = open_deadline(pupil.pk, "arsrapport")
    assert arsrapport.due == D(2027, 6, 11)
    with at("2027-06-01"):
        report = report_services.report_create(actor=vgs.teacher, iop=iop)
        report.summary = "Eleven leser nå selvstendig."
        report.save(update_fields=["summary"])
        with django_capture_on_commit_callbacks(execute=True):
            report_services.report_finalise(actor=vgs.teacher, report=report, version=report.version)
    arsrapport.refresh_from_db()
    assert arsrapport.state == Deadline.State.DONE and arsrapport.done_automatically
    assert SakkyndigVurdering.objects.filter(pupil=pupil).count() == 1


def test_one_talk_fulfils_only_the_duty_of_its_own_term(grunnskole: YearSchool) -> None:
    pupil = grunnskole.pupils[0]
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=grunnskole.year)
    autumn = open_deadline(pupil.pk, "utviklingssamtale-host")
    spring = open_deadline(pupil.pk, "utviklingssamtale-var")
    with at("2026-12-05"):  # after the autumn date, still the autumn term
        services.talk_save(
            actor=grunnskole.teacher,
            pupil=pupil,
            kind=Talk.Kind.UTVIKLINGSSAMTALE,
            status=Talk.Status.HELD,
            date=D(2026, 12, 5),
        )
    autumn.refresh_from_db()
    spring.refresh_from_db()
    assert (autumn.state, spring.state) == (Deadline.State.DONE, Deadline.State.OPEN)
    with at("2027-02-10"):
        services.talk_save(
            actor=grunnskole.teacher,
            pupil=pupil,
            kind=Talk.Kind.UTVIKLINGSSAMTALE,
            status=Talk.Status.HELD,
            date=D(2027, 2, 10),
        )
    spring.refresh_from_db()
    assert spring.state == Deadline.State.DONE


def test_one_talk_fulfils_one_duty() -> None:
    a, b = "a", "b"
    rows = [(b, D(2026, 11, 30)), (a, D(2026, 10, 1))]
    assert deadlines.match_talks(rows, [D(2026, 12, 5)]) == [a]  # type: ignore[arg-type]
    assert deadlines.match_talks(rows, [D(2026, 12, 5)], already_done=1) == []  # type: ignore[arg-type]
    assert deadlines.term_of(D(2026, 12, 31)) == "autumn" and deadlines.term_of(D(2027, 1, 1)) == "spring"
