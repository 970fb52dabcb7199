"""A pupil who left is archived: their open deadlines end with a note, no new
deadline is made for them and no reminder is sent; taken out of the archive,
their deadlines come back. Each rule fires and stays quiet."""

from __future__ import annotations

import datetime

import time_machine
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory
from django.urls import reverse

from followup import deadlines, reminders
from followup.models import Deadline, Notification
from students import services
from students.models import Pupil
from tests.followup.conftest import YearSchool

D = datetime.date


def at(day: str, clock: str = "09:00") -> time_machine.travel:
    return time_machine.travel(f"{day}T{clock}:00+01:00", tick=False)


def open_of(pupil: Pupil) -> list[Deadline]:
    return list(Deadline.objects.filter(pupil=pupil, state=Deadline.State.OPEN))


def test_archiving_ends_the_pupils_open_deadlines_with_a_note(
    vgs: YearSchool, django_capture_on_commit_callbacks
) -> None:
    leaver, stayer = vgs.pupils[0], vgs.pupils[1]
    with at("2026-08-20"):
        deadlines.deadlines_generate(school_year=vgs.year)
    assert open_of(leaver) and open_of(stayer)
    with at("2026-09-01"), django_capture_on_commit_callbacks(execute=True):
        services.pupil_archive(actor=vgs.coordinator, pupil=leaver)
    assert open_of(leaver) == []
    ended = Deadline.objects.filter(pupil=leaver, state=Deadline.State.CANCELLED)
    assert ended.exists()
    assert {d.done_note for d in ended} == {"Eleven ble arkivert 01.09.2026."}
    assert all(d.next_reminder_at is None for d in ended)
    assert open_of(stayer)  # the others keep theirs

    # The nightly regeneration makes none again; the sweep reminds nobody of them.
    with at("2026-09-02"):
        deadlines.deadlines_generate(school_year=vgs.year)
    assert open_of(leaver) == []
    with at("2027-06-30"):
        reminders.sweep_deadlines()
    assert not Notification.objects.filter(deadline__pupil=leaver).exists()
    assert Notification.objects.filter(deadline__pupil=stayer).exists()


def test_the_engine_ends_them_itself_when_the_receiver_did_not_run(vgs: YearSchool) -> None:
    leaver = vgs.pupils[0]
    with at("2026-08-20"):
        deadlines.deadlines_generate(school_year=vgs.year)
    with at("2026-09-01"):
        services.pupil_archive(actor=vgs.coordinator, pupil=leaver)  # no on_commit: the receiver never ran
        assert open_of(leaver)
        with at("2027-06-30"):
            reminders.sweep_deadlines()  # even so, no reminders for a pupil who left
        assert not Notification.objects.filter(deadline__pupil=leaver).exists()
        deadlines.deadlines_generate(school_year=vgs.year)
    assert open_of(leaver) == []
    assert set(
        Deadline.objects.filter(pupil=leaver, state=Deadline.State.CANCELLED).values_list("done_note", flat=True)
    ) == {"Eleven ble arkivert 01.09.2026."}


def test_a_pupil_taken_out_of_the_archive_gets_the_deadlines_back(
    vgs: YearSchool, django_capture_on_commit_callbacks
) -> None:
    pupil = vgs.pupils[0]
    with at("2026-08-20"):
        deadlines.deadlines_generate(school_year=vgs.year)
    before = {d.key for d in open_of(pupil)}
    with at("2026-09-01"), django_capture_on_commit_callbacks(execute=True):
        services.pupil_archive(actor=vgs.coordinator, pupil=pupil)
    with at("2026-09-02"), django_capture_on_commit_callbacks(execute=True):
        services.pupil_restore(actor=vgs.coordinator, pupil=Pupil.objects.get(pk=pupil.pk))
    again = open_of(pupil)
    assert before <= {d.key for d in again}
    assert all(d.done_note == "" for d in again)


def test_archiving_from_the_admin_ends_the_deadlines_too(vgs: YearSchool, django_capture_on_commit_callbacks) -> None:
    from students.models import User

    leaver = vgs.pupils[0]
    with at("2026-08-20"):
        deadlines.deadlines_generate(school_year=vgs.year)
    admin_user = User.objects.create_superuser(email="admin@test.example", password="x")
    request = RequestFactory().post("/")
    request.user = admin_user
    request._messages = type("M", (), {"add": lambda *a, **k: None})()  # the admin only reports a count
    model_admin = site._registry[Pupil]
    with at("2026-09-01"), django_capture_on_commit_callbacks(execute=True):
        model_admin.archive(request, Pupil.objects.filter(pk=leaver.pk))
    assert open_of(leaver) == []
    assert open_of(vgs.pupils[1])


def test_the_archive_page_ends_the_deadlines(vgs: YearSchool, django_capture_on_commit_callbacks) -> None:
    leaver = vgs.pupils[0]
    with at("2026-08-20"):
        deadlines.deadlines_generate(school_year=vgs.year)
    client = Client()
    client.force_login(vgs.coordinator)
    with at("2026-09-01"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pupil_archive", args=[leaver.pk]), {"confirm": "1"})
    assert response.status_code == 302
    assert open_of(leaver) == []
