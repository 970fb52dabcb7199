"""Reminders with a real Celery worker and the real Redis (database 14 and a
queue of each test's own, so nobody else's workers or tasks interfere).

* a due reminder is sent exactly once, however often the sweep runs;
* the worker is killed while sending; a new worker and a new sweep still send
  it exactly once (the message is redelivered and the claim is taken again);
* two sweeps running at once send each reminder once;
* with the broker unreachable, pages keep working; when it is back, the next
  sweep sends what waited.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from followup import reminders
from followup.models import Deadline, Notification
from iop.celery import app
from tests.followup.conftest import build_year_school

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("FOLLOWUP_TEST_BROKER_URL", "redis://127.0.0.1:6379/14")
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/14"

pytestmark = pytest.mark.django_db(transaction=True)


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _database_url() -> str:
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d.get("PASSWORD") else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def _use_broker(url: str, queue: str | None, eager: bool) -> None:
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    if queue:
        app.conf.task_default_queue = queue
    app._pool = None
    app.__dict__.pop("amqp", None)  # queues and producers are built anew from the changed settings


def wait_for(check: Callable[[], bool], timeout: float = 30, what: str = "") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Celery:
    env: dict[str, str]
    maildir: Path
    log_dir: Path
    workers: list[subprocess.Popen[bytes]]

    def start_worker(self, wait: bool = True, **extra: str) -> subprocess.Popen[bytes]:
        log = self.log_dir / f"worker{len(self.workers)}.log"
        proc = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "iop",
                "worker",
                "-P",
                "solo",
                "-c",
                "1",
                "-Q",
                self.env["FOLLOWUP_TEST_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env={**self.env, **extra},
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(proc)
        if wait:
            wait_for(lambda: b"ready." in log.read_bytes(), 60, "the worker to start")
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def sweep_in_subprocess(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "manage.py", "followup_sweep"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def mails(self) -> list[str]:
        """Each message the worker wrote (the file backend separates them with a line of dashes)."""
        out: list[str] = []
        for path in sorted(self.maildir.glob("*.log")):
            out += [m for m in path.read_text().split("-" * 79) if "Subject:" in m]
        return out


@pytest.fixture
def celery(tmp_path: Path) -> Iterator[Celery]:
    if not _redis_up():
        pytest.fail(f"Redis is not answering at {BROKER}; scripts/test.sh starts it.")
    queue = f"followup-test-{uuid.uuid4().hex[:10]}"
    maildir = tmp_path / "mail"
    maildir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.followup.worker_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": "",
        "FOLLOWUP_TEST_QUEUE": queue,
        "FOLLOWUP_TEST_MAILDIR": str(maildir),
        "DB_CONN_MAX_AGE": "0",
        "PYTHONPATH": str(ROOT),
    }
    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue)
    _use_broker(BROKER, queue, eager=False)
    c = Celery(env=env, maildir=maildir, log_dir=tmp_path, workers=[])
    try:
        yield c
    finally:
        for proc in c.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGQUIT)  # cold shutdown: nothing of the test's is left running
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        import redis

        redis.Redis.from_url(BROKER).delete(queue)
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = saved
        app._pool = None
        app.__dict__.pop("amqp", None)


def _due_deadlines(count: int = 1) -> list[Deadline]:
    ys = build_year_school(pupils=count)
    now = timezone.now()
    rows = [
        Deadline.objects.create(
            key=f"worker:{p.pk}",
            school=ys.school,
            school_year=ys.year,
            title="Oppstartsamtale",
            pupil=p,
            due=timezone.localdate() + datetime.timedelta(days=6),  # "7 days before" was yesterday
            responsible_role="kontaktlaerer",
            responsible=ys.teacher,
            reminded_through=now - datetime.timedelta(days=1),
            next_reminder_at=now - datetime.timedelta(minutes=1),
            reminder_days="7",
        )
        for p in ys.pupils
    ]
    return rows


def _all_sent(count: int) -> Callable[[], bool]:
    return lambda: Notification.objects.filter(state=Notification.State.SENT).count() == count


def test_a_due_reminder_is_sent_once(celery: Celery) -> None:
    _due_deadlines(1)
    celery.start_worker()
    reminders.sweep()
    wait_for(_all_sent(1), what="the reminder to be sent")
    reminders.sweep()
    reminders.sweep()
    time.sleep(1)
    assert len(celery.mails()) == 1
    assert Notification.objects.get().attempts == 1


def test_a_worker_killed_while_sending_does_not_lose_or_double_the_reminder(
    celery: Celery, tmp_path: Path, settings
) -> None:
    _due_deadlines(1)
    marker = tmp_path / "sending"
    slow = celery.start_worker(FOLLOWUP_TEST_SLOW_MARKER=str(marker), FOLLOWUP_TEST_SLOW_SECONDS="60")
    reminders.sweep()
    wait_for(marker.exists, what="the worker to start sending")
    celery.kill(slow)
    n = Notification.objects.get()
    assert n.state == Notification.State.CLAIMED and celery.mails() == []
    # A new worker; the claim is taken again once its lease is over, and the
    # broker redelivers the killed worker's message: both arrive, one sends.
    celery.start_worker()
    settings.FOLLOWUP_CLAIM_LEASE_SECONDS = 1
    time.sleep(1.2)
    reminders.sweep()
    wait_for(_all_sent(1), what="the reminder to be sent after the crash")
    time.sleep(3)  # a redelivered message, if it comes, finds the reminder sent
    reminders.sweep()
    time.sleep(0.5)
    assert len(celery.mails()) == 1


def test_two_sweeps_at_once_send_each_reminder_once(celery: Celery) -> None:
    _due_deadlines(12)
    celery.start_worker(wait=False)  # the queue holds the tasks until it is up
    first, second = celery.sweep_in_subprocess(), celery.sweep_in_subprocess()
    outputs = [p.communicate(timeout=60)[0].decode() for p in (first, second)]
    assert all(p.returncode == 0 for p in (first, second)), outputs
    wait_for(_all_sent(12), what="twelve reminders")
    time.sleep(1)
    assert len(celery.mails()) == 12
    assert Notification.objects.count() == 12


def test_with_redis_unreachable_pages_work_and_reminders_go_out_when_it_returns(celery: Celery) -> None:
    from django.test import Client

    ys = build_year_school(pupils=1)
    _use_broker(CLOSED_PORT_BROKER, None, eager=False)
    client = Client()
    client.force_login(ys.teacher)
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
    _use_broker(BROKER, celery.env["FOLLOWUP_TEST_QUEUE"], eager=False)
    celery.start_worker()
    reminders.sweep()
    wait_for(_all_sent(2), what="the waiting emails")
    mails = celery.mails()
    assert len(mails) == 2 and any(ys.coordinator.email in m for m in mails)
