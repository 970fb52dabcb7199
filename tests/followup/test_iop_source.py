"""The deadline engine reads the chain's records in ``iop``: a made vedtak asks
for an IOP within 30 days, publishing the IOP fulfils it; the vedtak's end of
validity asks for a new one. Saving those records refreshes the pupil's
deadlines after the commit."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from followup import deadlines
from followup.models import Deadline
from iop.models import Enkeltvedtak, Iop, SakkyndigVurdering
from tests.followup.conftest import YearSchool

D = datetime.date


def test_a_made_vedtak_and_its_published_iop(vgs: YearSchool, django_capture_on_commit_callbacks) -> None:
    pupil = vgs.pupils[0]
    with time_machine.travel("2026-10-01T09:00:00+02:00", tick=False):
        deadlines.deadlines_generate(school_year=vgs.year)
        vurdering = SakkyndigVurdering.objects.create(
            pupil=pupil,
            status="completed",
            completed_at=datetime.datetime(2026, 9, 1, 12, tzinfo=datetime.UTC),
            assessed_on=D(2026, 9, 1),
            valid_from=D(2026, 9, 1),
            valid_to=D(2027, 6, 30),
        )
        with django_capture_on_commit_callbacks(execute=True):
            vedtak = Enkeltvedtak.objects.create(
                pupil=pupil,
                vurdering=vurdering,
                status=Enkeltvedtak.Status.MADE,
                valid_from=D(2026, 10, 1),
                valid_to=D(2027, 6, 18),
                made_on=D(2026, 10, 1),
                made_by=vgs.rektor,
            )
    iop_due = Deadline.objects.get(pupil=pupil, duty__key="iop-etter-vedtak")
    assert iop_due.due == D(2026, 11, 2) and iop_due.state == Deadline.State.OPEN
    assert iop_due.record_id == str(vedtak.pk)
    expiry = Deadline.objects.get(pupil=pupil, duty__key="vedtak-utloper")
    assert expiry.due == D(2027, 4, 19)  # 60 days before 18 June
    assert Deadline.objects.filter(pupil=pupil, duty__key="iop-ved-skolestart").exists()  # pupils with vedtak
    with time_machine.travel("2026-10-20T09:00:00+02:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        Iop.objects.create(
            pupil=pupil,
            vedtak=vedtak,
            school_year=vgs.year,
            status=Iop.Status.PUBLISHED,
            period_start=D(2026, 10, 20),
            period_end=D(2027, 6, 18),
        )
    iop_due.refresh_from_db()
    assert iop_due.state == Deadline.State.DONE and iop_due.done_automatically
    assert Deadline.objects.get(pupil=pupil, duty__key="iop-ved-skolestart").state == Deadline.State.DONE
    # Pupils with an IOP get the årsrapport duty at the end of the year.
    assert Deadline.objects.get(pupil=pupil, duty__key="arsrapport").due == D(2027, 6, 11)
    # A newer vedtak fulfils "new vedtak before this one expires".
    with time_machine.travel("2027-04-01T09:00:00+02:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        Enkeltvedtak.objects.create(
            pupil=pupil,
            vurdering=vurdering,
            status=Enkeltvedtak.Status.MADE,
            valid_from=D(2027, 6, 19),
            valid_to=D(2028, 6, 18),
            made_on=D(2027, 4, 1),
            made_by=vgs.rektor,
        )
    expiry.refresh_from_db()
    assert expiry.state == Deadline.State.DONE


def test_a_published_iup_fulfils_the_iup_duty_where_the_school_uses_it(
    grunnskole: YearSchool, django_capture_on_commit_callbacks
) -> None:
    from followup import services
    from iop.models import Iup

    pupil = grunnskole.pupils[0]
    with time_machine.travel("2026-09-01T09:00:00+02:00", tick=False):
        deadlines.deadlines_generate(school_year=grunnskole.year)
        assert not Deadline.objects.filter(duty__key="iup").exists()  # off by default
        services.duty_save(actor=grunnskole.coordinator, school=grunnskole.school, key="iup", active=True)
        deadlines.deadlines_generate(school_year=grunnskole.year)
        assert Deadline.objects.filter(duty__key="iup").count() == 3
        with django_capture_on_commit_callbacks(execute=True):
            Iup.objects.create(
                pupil=pupil, school_year=grunnskole.year, status=Iup.Status.PUBLISHED, published_at=timezone.now()
            )
    assert Deadline.objects.get(duty__key="iup", pupil=pupil).state == Deadline.State.DONE
    assert Deadline.objects.filter(duty__key="iup", state=Deadline.State.OPEN).count() == 2
