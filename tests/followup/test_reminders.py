"""Reminders in-process (the demo path): exactly once, digests, languages, broker down."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from followup import deadlines, reminders, services
from followup.models import Deadline, Notification, Preference
from iop.celery import app
from students.models import User
from tests.followup.conftest import YearSchool


def reset_broker_pool() -> None:
    """Drop Celery's cached connections after changing the broker URL."""
    app._pool = None
    app.amqp._producer_pool = None


def at(moment: str) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def one_deadline(vgs: YearSchool) -> Deadline:
    with at("2026-08-01T09:00:00+02:00"):
        deadlines.deadlines_generate(school_year=vgs.year)
    keep = Deadline.objects.filter(duty__key="oppstartsamtale", pupil=vgs.pupils[0]).get()
    Deadline.objects.exclude(pk=keep.pk).delete()
    return keep


def test_a_due_reminder_is_sent_once_however_often_the_sweep_runs(
    vgs: YearSchool, one_deadline: Deadline, django_capture_on_commit_callbacks
) -> None:
    with at("2026-08-31T08:00:00+02:00"):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                reminders.sweep()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [vgs.teacher.email]
    assert message.subject == "Frist om 7 dager: Oppstartsamtale med kontaktlærer"
    assert "Elev0" not in message.body  # no pupil names in email
    n = Notification.objects.get()
    assert n.state == Notification.State.SENT and n.attempts == 1


def test_the_day_before_says_one_day(
    vgs: YearSchool, one_deadline: Deadline, django_capture_on_commit_callbacks
) -> None:
    for moment in ("2026-08-31T08:00:00+02:00", "2026-09-06T08:00:00+02:00"):
        with at(moment), django_capture_on_commit_callbacks(execute=True):
            reminders.sweep()
    assert one_deadline.due == datetime.date(2026, 9, 7)
    assert [m.subject for m in mail.outbox] == [
        "Frist om 7 dager: Oppstartsamtale med kontaktlærer",
        "Frist om 1 dag: Oppstartsamtale med kontaktlærer",
    ]


def test_a_done_deadline_sends_nothing_more(
    vgs: YearSchool, one_deadline: Deadline, django_capture_on_commit_callbacks
) -> None:
    with at("2026-08-31T08:00:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep_deadlines()
    with at("2026-09-01T10:00:00+02:00"):  # during the school year: the teacher still teaches the group
        services.deadline_complete(actor=vgs.teacher, deadline=one_deadline, note="Holdt samtale")
    with at("2026-09-08T08:00:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    assert mail.outbox == []
    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.CANCELLED}


def test_digest_readers_get_one_summary_a_day(vgs: YearSchool, django_capture_on_commit_callbacks) -> None:
    with at("2026-08-01T09:00:00+02:00"):
        deadlines.deadlines_generate(school_year=vgs.year)
    Preference.objects.create(user=vgs.teacher, daily_digest=True)
    with at("2026-08-31T06:30:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()  # reminders are created at 08:00 local; nothing yet
    with at("2026-08-31T08:05:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
        reminders.sweep()
    to_teacher = [m for m in mail.outbox if m.to == [vgs.teacher.email]]
    assert len(to_teacher) == 1
    assert to_teacher[0].subject == "Fristene dine: daglig oppsummering"
    assert to_teacher[0].body.count("Oppstartsamtale med kontaktlærer") == 3  # three pupils, one email


def test_emails_are_in_the_recipients_language(
    vgs: YearSchool, one_deadline: Deadline, django_capture_on_commit_callbacks
) -> None:
    User.objects.filter(pk=vgs.teacher.pk).update(language="en")  # their own choice over the school's
    with at("2026-09-07T08:00:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    # The built-in duty's title too (followup.duty_titles).
    assert [m.subject for m in mail.outbox] == ["Due today: Start-of-year talk with the contact teacher"]
    assert "Hello" in mail.outbox[0].body


def test_overdue_escalates_to_the_coordinator(
    vgs: YearSchool, one_deadline: Deadline, django_capture_on_commit_callbacks
) -> None:
    with at("2026-09-08T08:00:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([vgs.teacher.email, vgs.coordinator.email])
    assert all(m.subject.startswith("Forfalt:") for m in mail.outbox)


def test_with_the_broker_down_pages_work_and_the_sweep_sends_later(world, django_capture_on_commit_callbacks) -> None:
    """The broker is a closed port: filing a concern still works; the email
    waits as a pending row and goes out on the next sweep."""
    conf = app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.broker_connection_retry_on_startup)
    conf.broker_url, conf.task_always_eager = "redis://127.0.0.1:1/0", False
    reset_broker_pool()
    try:
        client = world.client("teacher")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("followup:concern_create", args=[world.pupil_a.pk]),
                {"poor_wellbeing": "on", "description": "Trist i friminuttene"},
            )
        assert response.status_code == 302
        assert client.get(reverse("followup:pupil", args=[world.pupil_a.pk])).status_code == 200
        n = Notification.objects.get()
        assert n.state == Notification.State.PENDING and mail.outbox == []
        # The in-app notice is there at once.
        assert "Anna Aasen" in world.client("coordinator").get(reverse("followup:notifications")).content.decode()
    finally:
        conf.broker_url, conf.task_always_eager, _ = saved
        reset_broker_pool()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    n.refresh_from_db()
    assert n.state == Notification.State.SENT and len(mail.outbox) == 1


def test_a_failing_mail_server_is_retried_then_given_up(
    vgs: YearSchool, one_deadline: Deadline, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_BACKEND = "tests.followup.mailbackends.BrokenBackend"
    settings.FOLLOWUP_MAX_ATTEMPTS = 2
    with at("2026-08-31T08:00:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    n = Notification.objects.get()
    assert n.state == Notification.State.PENDING and n.attempts == 1 and "refused" in n.last_error
    with at("2026-08-31T09:00:00+02:00"), django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    n.refresh_from_db()
    assert n.state == Notification.State.FAILED and n.attempts == 2
    assert n.send_after < datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)


def test_a_duplicate_send_task_does_nothing(vgs: YearSchool, one_deadline: Deadline) -> None:
    """A redelivered message (acks_late after a lost worker) or a second claim
    finds the notification sent and sends nothing."""
    with at("2026-08-31T08:00:00+02:00"):
        reminders.sweep_deadlines()
    n = Notification.objects.get()
    Notification.objects.filter(pk=n.pk).update(state=Notification.State.CLAIMED)
    assert reminders.send_notification(n.pk) == "sent"
    assert reminders.send_notification(n.pk) == "skipped"
    assert reminders.send_notification(str(n.pk)) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_sweep_with_the_broker_down_stops_instead_of_spinning(transactional_world) -> None:
    """In autocommit (as in the beat task) each batch's enqueue runs at its commit;
    a failure releases the batch and ends the sweep instead of claiming it again."""
    from followup.models import Concern

    world = transactional_world
    concern = Concern.objects.create(pupil=world.pupil_a, description="x", other=True)
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(key=f"t:{i}", recipient=world.user("coordinator"), kind="concern", concern=concern, send_after=now)
        for i in range(7)
    )
    calls: list[int] = []

    def broken(ids: list) -> None:
        calls.append(len(ids))
        raise ConnectionRefusedError("broker down")

    result = reminders.sweep_notifications(batch=3, enqueue=broken)
    assert calls == [3] and result.claimed == 3
    assert set(Notification.objects.values_list("state", flat=True)) == {Notification.State.PENDING}
