"""Reminders with a real Celery worker and the real Redis (``TEST_REDIS_URL``,
with a queue and broker keys of each test's own: see ``tests.celery_harness``).

* a due reminder is sent exactly once, however often the sweep runs;
* the worker is killed while sending; a new worker and a new sweep still send
  it exactly once (the message is redelivered and the claim is taken again);
* two sweeps running at once send each reminder once;
* with the broker unreachable, pages keep working; when it is back, the next
  sweep sends what waited;
* the clock sweep: at any hour, on the days the clock changes, on 29 February
  and over New Year, a reminder whose 07:00 has come is sent exactly once and
  one whose 07:00 has not come is not sent.

Every test pins the clock; the worker and ``manage.py`` processes a test starts
run on the same clock. "Exactly once" is asserted after
:meth:`~tests.celery_harness.CeleryHarness.drain`, when nothing can arrive late.
"""

from __future__ import annotations

import datetime
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from followup import reminders
from followup.models import Aarshjul, Deadline, Notification
from tests.celery_harness import CeleryHarness, task_events, wait_for
from tests.followup.conftest import YearSchool, build_year_school

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"
OSLO = ZoneInfo("Europe/Oslo")
SETTINGS = "tests.followup.worker_settings"
SEND = "followup.send_notification"

# A Tuesday of the 2026/27 school year, mid-morning: the "7 days before"
# reminder of a deadline due next Tuesday became due at 07:00 today.
SCHOOL_DAY = datetime.datetime(2026, 11, 10, 10, 0, tzinfo=OSLO)
DUE = datetime.date(2026, 11, 17)
SEVEN_TODAY = datetime.datetime(2026, 11, 10, 7, 0, tzinfo=OSLO)

# The worker reads what the test wrote: committed rows.
committed = pytest.mark.django_db(transaction=True)


def mails(maildir: Path, containing: str = "") -> list[str]:
    """Each message the worker wrote (the file backend separates them with a line of dashes)."""
    out: list[str] = []
    for path in sorted(maildir.glob("*.log")):
        out += [m for m in path.read_text().split("-" * 79) if "Subject:" in m and containing in m]
    return out


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(SCHOOL_DAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def maildir(tmp_path: Path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


@pytest.fixture
def celery(clock: time_machine.Coordinates, tmp_path: Path, maildir: Path) -> Iterator[CeleryHarness]:
    with (
        CeleryHarness(SETTINGS, tmp_path, env={"FOLLOWUP_TEST_MAILDIR": str(maildir)}, name="followup") as harness,
        harness.publishing(),
    ):
        yield harness


def _school(pupils: int) -> YearSchool:
    """A school whose årshjul has no duties: its deadlines are the test's own.
    Built in one transaction; the deadline regeneration its commit asks for
    runs here, before the test writes them (run later, on the worker, it
    would cancel them: the årshjul does not ask for them)."""
    from iop.celery import app

    publishing, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with transaction.atomic():
            ys = build_year_school(pupils=pupils)
            Aarshjul.objects.create(skoleeier=ys.school.skoleeier, name="Uten plikter")
    finally:
        app.conf.task_always_eager = publishing
    return ys


def _due_deadlines(count: int = 1) -> list[Deadline]:
    """Deadlines due in a week whose "7 days before" reminder came at 07:00;
    the last sweep ran at 06:55 (reminded through then, next look at 07:00)."""
    ys = _school(pupils=count)
    return [
        Deadline.objects.create(
            key=f"worker:{p.pk}",
            school=ys.school,
            school_year=ys.year,
            title="Oppstartsamtale",
            pupil=p,
            due=DUE,
            responsible_role="kontaktlaerer",
            responsible=ys.teacher,
            reminded_through=SEVEN_TODAY - datetime.timedelta(minutes=5),
            next_reminder_at=SEVEN_TODAY,
            reminder_days="7",
        )
        for p in ys.pupils
    ]


def _sent() -> list[Notification]:
    return list(Notification.objects.filter(state=Notification.State.SENT))


@committed
def test_a_due_reminder_is_sent_once(celery: CeleryHarness, maildir: Path) -> None:
    _due_deadlines(1)
    celery.start_worker()
    assert reminders.sweep().claimed == 1
    celery.drain()
    assert len(mails(maildir, "Oppstartsamtale")) == 1
    assert reminders.sweep().claimed == 0
    assert reminders.sweep().claimed == 0
    celery.drain()
    assert len(mails(maildir)) == 1
    n = Notification.objects.get()
    assert (n.state, n.attempts, n.days_before) == (Notification.State.SENT, 1, 7)


@committed
def test_a_worker_killed_while_sending_does_not_lose_or_double_the_reminder(
    celery: CeleryHarness, clock: time_machine.Coordinates, tmp_path: Path, maildir: Path
) -> None:
    _due_deadlines(1)
    marker = tmp_path / "sending"
    slow = celery.start_worker(FOLLOWUP_TEST_SLOW_MARKER=str(marker), FOLLOWUP_TEST_SLOW_SECONDS="60")
    assert reminders.sweep().claimed == 1
    wait_for(marker.exists, time.monotonic() + 60, "the worker to start sending", celery.assert_running)
    celery.kill(slow)
    [first] = task_events(celery.log(slow), SEND)[0]
    with transaction.atomic():  # waits until the killed worker's transaction is rolled back
        n = Notification.objects.select_for_update().get()
    assert (n.state, n.attempts) == (Notification.State.CLAIMED, 0) and mails(maildir) == []
    assert celery.pending() == (0, 1)  # its message waits, unacknowledged, to be redelivered
    # The claim's lease runs out: the next sweep claims the reminder again.
    clock.shift(datetime.timedelta(seconds=settings.FOLLOWUP_CLAIM_LEASE_SECONDS + 1))
    assert reminders.sweep().claimed == 1
    # A new worker gets both the redelivered message and the new one: one sends.
    worker = celery.start_worker()
    celery.drain()
    received, succeeded = task_events(celery.log(worker), SEND)
    assert first in received and len(set(received)) == 2, received
    assert sorted(result for _id, result in succeeded) == ["'sent'", "'skipped'"]
    assert len(mails(maildir)) == 1
    n.refresh_from_db()
    assert (n.state, n.attempts) == (Notification.State.SENT, 1)


@committed
def test_two_sweeps_at_once_send_each_reminder_once(celery: CeleryHarness, maildir: Path) -> None:
    _due_deadlines(12)
    celery.start_worker()  # the queue holds the tasks until it is up
    first, second = celery.run("followup_sweep"), celery.run("followup_sweep")
    outputs = [p.communicate(timeout=60)[0].decode() for p in (first, second)]
    assert all(p.returncode == 0 for p in (first, second)), outputs
    claimed = [int(m) for out in outputs for m in re.findall(r"\bclaimed=(\d+)", out)]
    assert len(claimed) == 2 and sum(claimed) == 12, outputs  # no reminder claimed by both
    celery.drain()
    assert len(mails(maildir)) == 12
    assert Notification.objects.count() == 12
    assert sorted(n.attempts for n in _sent()) == [1] * 12


@committed
def test_with_redis_unreachable_pages_work_and_reminders_go_out_when_it_returns(
    celery: CeleryHarness, maildir: Path
) -> None:
    from django.test import Client

    ys = build_year_school(pupils=1)
    client = Client()
    client.force_login(ys.teacher)
    with celery.publishing(broker_url=CLOSED_PORT_BROKER):
        response = client.post(
            reverse("followup:concern_create", args=[ys.pupils[0].pk]),
            {"high_absence": "on", "description": "Borte tre dager i uka"},
        )
        assert response.status_code == 302
        assert client.get(reverse("followup:pupil", args=[ys.pupils[0].pk])).status_code == 200
        assert client.get(reverse("followup:dashboard")).status_code == 200
    waiting = Notification.objects.all()
    assert {n.state for n in waiting} == {Notification.State.PENDING}
    assert {n.recipient for n in waiting} == {ys.coordinator, ys.rektor}  # the school's leadership
    # Redis is back.
    celery.start_worker()
    assert reminders.sweep().claimed == 2
    celery.drain()
    sent = mails(maildir)
    assert len(sent) == 2
    assert sorted(re.search(r"^To: (.+)$", m, re.MULTILINE)[1] for m in sent) == sorted(  # type: ignore[index]
        [ys.coordinator.email, ys.rektor.email]
    )
    assert sorted(n.attempts for n in _sent()) == [1, 1]


# --- the clock sweep ---------------------------------------------------------------------
#
# Reminders go out at 07:00 Oslo time. Each moment: (the instant, in UTC; the
# latest 07:00 Oslo at or before it, in UTC; the next 07:00 Oslo after it, in
# UTC), all worked out by hand. CET is UTC+1, CEST UTC+2; the clocks go
# forward at 02:00 on 28 March 2027 and back at 03:00 on 25 October 2026.

MOMENTS = {
    "ordinary-0030": ("2026-11-09T23:30Z", "2026-11-09T06:00Z", "2026-11-10T06:00Z"),
    "ordinary-0659": ("2026-11-10T05:59Z", "2026-11-09T06:00Z", "2026-11-10T06:00Z"),
    "ordinary-0701": ("2026-11-10T06:01Z", "2026-11-10T06:00Z", "2026-11-11T06:00Z"),
    "ordinary-2359": ("2026-11-10T22:59Z", "2026-11-10T06:00Z", "2026-11-11T06:00Z"),
    "spring-forward-0159-CET": ("2027-03-28T00:59Z", "2027-03-27T06:00Z", "2027-03-28T05:00Z"),
    "spring-forward-0301-CEST": ("2027-03-28T01:01Z", "2027-03-27T06:00Z", "2027-03-28T05:00Z"),
    "spring-forward-0659-CEST": ("2027-03-28T04:59Z", "2027-03-27T06:00Z", "2027-03-28T05:00Z"),
    "spring-forward-0701-CEST": ("2027-03-28T05:01Z", "2027-03-28T05:00Z", "2027-03-29T05:00Z"),
    "fall-back-0230-CEST-first": ("2026-10-25T00:30Z", "2026-10-24T05:00Z", "2026-10-25T06:00Z"),
    "fall-back-0230-CET-second": ("2026-10-25T01:30Z", "2026-10-24T05:00Z", "2026-10-25T06:00Z"),
    "fall-back-0659-CET": ("2026-10-25T05:59Z", "2026-10-24T05:00Z", "2026-10-25T06:00Z"),
    "fall-back-0701-CET": ("2026-10-25T06:01Z", "2026-10-25T06:00Z", "2026-10-26T06:00Z"),
    "29-February-0659": ("2028-02-29T05:59Z", "2028-02-28T06:00Z", "2028-02-29T06:00Z"),
    "29-February-0701": ("2028-02-29T06:01Z", "2028-02-29T06:00Z", "2028-03-01T06:00Z"),
    "31-December-2359": ("2026-12-31T22:59Z", "2026-12-31T06:00Z", "2027-01-01T06:00Z"),
    "1-January-0030": ("2026-12-31T23:30Z", "2026-12-31T06:00Z", "2027-01-01T06:00Z"),
    "1-January-0701": ("2027-01-01T06:01Z", "2027-01-01T06:00Z", "2027-01-02T06:00Z"),
}


@pytest.fixture
def sweep_worker(tmp_path: Path, maildir: Path) -> Iterator[CeleryHarness]:
    """One worker for the whole sweep. Sending reads no clock (the sweep, in
    the test's process, decides what is due), so it keeps the real one."""
    with (
        CeleryHarness(SETTINGS, tmp_path, env={"FOLLOWUP_TEST_MAILDIR": str(maildir)}, name="sweep") as harness,
        harness.publishing(),
    ):
        harness.start_worker()
        yield harness


def _deadline(ys: YearSchool, title: str, seven: datetime.datetime, first_look: datetime.datetime) -> Deadline:
    """Due a week after the day of SEVEN (a 07:00 Oslo), reminded 7 days before; not yet swept."""
    return Deadline.objects.create(
        key=f"sweep:{title}",
        school=ys.school,
        school_year=ys.year,
        title=title,
        pupil=ys.pupils[0],
        due=seven.astimezone(OSLO).date() + datetime.timedelta(days=7),
        responsible_role="kontaktlaerer",
        responsible=ys.teacher,
        next_reminder_at=first_look,
        reminder_days="7",
    )


def _sweep_at(moment: str, harness: CeleryHarness, maildir: Path) -> None:
    at, seven, next_seven = (datetime.datetime.fromisoformat(v) for v in MOMENTS[moment])
    local = at.astimezone(OSLO)  # the hand-written instants say what the names say
    assert local.strftime("-%H%M") in moment and ("-CE" not in moment or f"-{local.tzname()}" in moment)
    assert {seven.astimezone(OSLO).time(), next_seven.astimezone(OSLO).time()} == {datetime.time(7)}
    assert seven <= at < next_seven and next_seven - seven <= datetime.timedelta(hours=25)

    token = uuid.uuid4().hex[:8]
    reached, coming = f"Reached {token}", f"Coming {token}"
    earlier = seven - datetime.timedelta(hours=1)  # the sweep before: neither reminder had come
    try:
        with time_machine.travel(earlier, tick=True) as traveller:
            ys = _school(pupils=1)
            _deadline(ys, reached, seven, earlier)
            _deadline(ys, coming, next_seven, earlier)
            assert reminders.sweep().created == 0
            planned = dict(Deadline.objects.filter(title__endswith=token).values_list("title", "next_reminder_at"))
            assert planned == {reached: seven, coming: next_seven}  # 07:00 Oslo, in the right UTC offset

            traveller.move_to(at)
            assert reminders.sweep().claimed == 1
            harness.drain()
            assert (len(mails(maildir, reached)), len(mails(maildir, coming))) == (1, 0)
            assert reminders.sweep().claimed == 0  # again, at the same moment: nothing more
            harness.drain()
            assert (len(mails(maildir, reached)), len(mails(maildir, coming))) == (1, 0)

        [n] = Notification.objects.filter(deadline__title__endswith=token)
        assert (n.deadline.title, n.kind, n.days_before, n.state, n.attempts) == (
            reached,
            Notification.Kind.BEFORE,
            7,
            Notification.State.SENT,
            1,
        )
    finally:  # the next moment's sweep sees only its own deadlines
        Deadline.objects.filter(title__endswith=token).delete()


@committed
def test_clock_sweep_a_reminder_is_sent_once_when_its_07_00_has_come(
    sweep_worker: CeleryHarness, maildir: Path, subtests: pytest.Subtests
) -> None:
    """Each moment is a subtest of one test: one worker, and the database is
    emptied once after the sweep rather than after each moment (seconds a time)."""
    for moment in MOMENTS:
        with subtests.test(moment):
            _sweep_at(moment, sweep_worker, maildir)
