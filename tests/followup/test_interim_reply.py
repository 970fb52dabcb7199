"""Time (forvaltningsloven § 11 a): a referral waiting a month for its
sakkyndig vurdering, or a vurdering waiting a month for its vedtak, gives the
coordinator a "foreløpig svar" deadline with a letter; recording the interim
reply closes it. Each rule fires and stays quiet."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup import deadlines, services
from followup.models import Deadline, Referral
from followup.selectors import deadline_link
from iop.models import SakkyndigVurdering
from tests.followup.conftest import YearSchool
from tests.iop.factories import VurderingFactory

D = datetime.date
REFERRAL_KEY = "forelopig-svar-henvisning"
VEDTAK_KEY = "forelopig-svar-vedtak"


def at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day}T09:00:00+01:00", tick=False)


def interim_deadline(pupil_id: object, key: str, state: str = Deadline.State.OPEN) -> Deadline | None:
    return Deadline.objects.filter(pupil_id=pupil_id, duty__key=key, state=state).select_related("responsible").first()


def sent_referral(vgs: YearSchool, day: D) -> Referral:
    return Referral.objects.create(
        pupil=vgs.pupils[0],
        question="Lesevansker?",
        report="Rapport",
        status=Referral.Status.SENT,
        sent_at=timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 9)),
    )


def test_a_referral_waiting_a_month_asks_the_coordinator_for_an_interim_reply(vgs: YearSchool) -> None:
    with at("2026-10-01"):
        referral = sent_referral(vgs, D(2026, 10, 1))
        deadlines.deadlines_generate(school_year=vgs.year)
    due = interim_deadline(referral.pupil_id, REFERRAL_KEY)
    assert due is not None and due.due == D(2026, 11, 2)  # 30 days on, moved off the weekend
    assert due.responsible == vgs.coordinator
    assert deadline_link(due) == reverse("followup:interim_reply", args=["referral", referral.pk])

    with at("2026-11-02"):
        reply = services.interim_reply_record(
            actor=vgs.coordinator,
            pupil=referral.pupil,
            referral=referral,
            reason="PPT har lang ventetid denne høsten.",
            expected_by=D(2026, 12, 15),
            sent_on=D(2026, 11, 2),
        )
    assert interim_deadline(referral.pupil_id, REFERRAL_KEY) is None
    assert interim_deadline(referral.pupil_id, REFERRAL_KEY, Deadline.State.DONE) is not None
    client = Client()
    client.force_login(vgs.coordinator)
    with at("2026-11-02"):
        letter = client.get(reverse("followup:interim_letter", args=[reply.pk]))
    body = letter.content.decode()
    assert letter.status_code == 200
    assert "PPT har lang ventetid denne høsten." in body and "15. desember 2026" in body and "§ 11 a" in body


def test_an_answered_or_stopped_referral_asks_for_nothing(vgs: YearSchool) -> None:
    with at("2026-10-01"):
        referral = sent_referral(vgs, D(2026, 10, 1))
        Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.STOPPED)
        deadlines.deadlines_generate(school_year=vgs.year)
    assert interim_deadline(referral.pupil_id, REFERRAL_KEY) is None
    assert Deadline.objects.filter(pupil_id=referral.pupil_id, duty__key=REFERRAL_KEY).count() <= 1


def test_a_vurdering_waiting_a_month_for_its_vedtak_asks_for_an_interim_reply(vgs: YearSchool) -> None:
    pupil = vgs.pupils[1]
    with at("2026-10-05"):
        sv = VurderingFactory(pupil=pupil, completed_at=timezone.now())
        deadlines.deadlines_generate(school_year=vgs.year)
    due = interim_deadline(pupil.pk, VEDTAK_KEY)
    assert due is not None and due.due == D(2026, 11, 4)
    assert deadline_link(due) == reverse("followup:interim_reply", args=["vurdering", sv.pk])
    client = Client()
    client.force_login(vgs.coordinator)
    url = reverse("followup:interim_reply", args=["vurdering", sv.pk])
    with at("2026-11-05"):
        bad = client.post(url, {"reason": "Venter på møte", "expected_by": "2026-11-01", "sent_on": "2026-11-05"})
        assert bad.status_code == 400 and "Venter på møte" in bad.content.decode()
        future = client.post(url, {"reason": "Venter", "expected_by": "2026-12-01", "sent_on": "2026-11-06"})
        assert "Det foreløpige svaret kan ikke dateres fram i tid." in future.content.decode()
        ok = client.post(url, {"reason": "Venter på møte", "expected_by": "2026-12-01", "sent_on": "2026-11-05"})
    assert ok.status_code == 302
    assert interim_deadline(pupil.pk, VEDTAK_KEY) is None


def test_a_draft_vurdering_asks_for_no_interim_reply(vgs: YearSchool) -> None:
    pupil = vgs.pupils[1]
    with at("2026-10-05"):
        VurderingFactory(pupil=pupil, status=SakkyndigVurdering.Status.DRAFT)
        deadlines.deadlines_generate(school_year=vgs.year)
    assert interim_deadline(pupil.pk, VEDTAK_KEY) is None


def test_only_the_coordinator_records_an_interim_reply(vgs: YearSchool) -> None:
    with at("2026-10-01"):
        referral = sent_referral(vgs, D(2026, 10, 1))
    with pytest.raises(PermissionDenied):
        services.interim_reply_record(
            actor=vgs.teacher,
            pupil=referral.pupil,
            referral=referral,
            reason="Venter",
            expected_by=D(2026, 12, 1),
            sent_on=D(2026, 10, 1),
        )
    assert not referral.interim_replies.exists()
