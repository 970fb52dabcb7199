"""A real Celery worker for tests, and a way to know that it has finished.

:class:`CeleryHarness` starts ``celery -A iop worker`` (solo pool, one
process) in a subprocess, on the Redis at ``settings.TEST_REDIS_URL``, with a
queue and broker keys of its own (``global_keyprefix``): two tests running at
once, or another suite on the same Redis, never see each other's messages or
redeliver each other's unacknowledged ones. The worker's settings module calls
:func:`worker_settings`, which applies what the harness passes through the
environment: the broker, the queue, the transport options and the test's
clock (a test pinned with time-machine pins its worker and its other
subprocesses to the same, ticking clock).

"Every task has run" is a state, not a pause: :meth:`CeleryHarness.drain`
queues a sentinel task last on the queue and waits for its effect (one solo
process with a prefetch of one takes the queue in order and acknowledges each
task before it takes the next), then waits until the queue is empty and no
message is left unacknowledged (a killed worker's message sits there until its
visibility timeout is over and a live worker puts it back on the queue), then
sends a second sentinel behind any message taken off the queue at that moment.
After that no message of the test can arrive late: counts asserted then are
final.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import time_machine
from celery import shared_task

ROOT = Path(__file__).resolve().parents[1]

QUEUE_ENV = "IOP_TEST_CELERY_QUEUE"
OPTIONS_ENV = "IOP_TEST_CELERY_TRANSPORT_OPTIONS"
CLOCK_ENV = "IOP_TEST_CLOCK_OFFSET"  # seconds the test's clock is ahead of the real one

# One live worker per harness: a solo worker runs its task inside its event
# loop, so it cannot put its own message back while it runs it; a killed
# worker's message is back on the queue within about three seconds.
TRANSPORT_OPTIONS: dict[str, Any] = {
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "unacked_mutex_expire": 10,
}
PRIORITY_STEPS = (0, 3, 6, 9)  # kombu's Redis transport keeps one list per step
SENTINEL = "tests.celery_harness.sentinel"


# --- in the worker process ---------------------------------------------------------------

_clock: Any = None


def worker_settings(base: dict[str, Any]) -> dict[str, Any]:
    """Settings of a process the harness started, on top of BASE (its settings
    module does ``globals().update(worker_settings(globals()))``). Pins the
    clock first when the test's clock was pinned."""
    global _clock
    offset = os.environ.get(CLOCK_ENV)
    if offset and _clock is None:
        _clock = time_machine.travel(time.time() + float(offset), tick=True)
        _clock.start()
    return {
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "CELERY_BROKER_TRANSPORT_OPTIONS": json.loads(os.environ[OPTIONS_ENV]),
        "CELERY_TASK_DEFAULT_QUEUE": os.environ[QUEUE_ENV],
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_RESULT_BACKEND": None,
        "CELERY_IMPORTS": ["tests.celery_harness"],  # the sentinel task
        # Each task's outcome in the worker's log, for the tests to read.
        "LOGGING": {
            **base["LOGGING"],
            "loggers": {**base["LOGGING"]["loggers"], "celery.app.trace": {"level": "INFO"}},
        },
    }


@shared_task(name=SENTINEL, ignore_result=True)
def sentinel(path: str) -> None:
    Path(path).write_text("done")


# --- in the test process ----------------------------------------------------------------


def redis_url() -> str:
    """``settings.TEST_REDIS_URL``; fails the test when Redis is not answering there."""
    import pytest
    import redis
    from django.conf import settings

    url: str = settings.TEST_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        problem = ""
    except redis.RedisError as exc:
        problem = str(exc)
    if problem:
        pytest.fail(
            f"Redis is not answering at TEST_REDIS_URL={url} ({problem}). The worker tests need it; "
            "scripts/test.sh starts it, or point TEST_REDIS_URL at one.",
            pytrace=False,
        )
    return url


def database_url() -> str:
    """The test database, for processes that are not this one."""
    from django.db import connection

    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d.get("PASSWORD") else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def clock_offset() -> float | None:
    """How far this process's clock is ahead of the real one (None: not pinned)."""
    if not time_machine.escape_hatch.is_travelling():
        return None
    return time.time() - time_machine.escape_hatch.time.time()


def wait_for(check: Callable[[], bool], deadline: float, what: str, alive: Callable[[], None] = lambda: None) -> None:
    """Poll CHECK until it holds; fail at DEADLINE (``time.monotonic()``) or as soon as ALIVE raises."""
    while not check():
        alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _reset_connections() -> None:
    """Forget this process's broker connections and producers. Celery's pool
    is kombu's global one for the broker's address and options: closing it
    alone leaves a closed pool that the next use with the same settings gets
    back ("Acquire on closed pool"), so kombu's registries are emptied too."""
    from kombu import pools

    from iop.celery import app

    pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)  # queues and producers are built anew from the changed settings


class CeleryHarness:
    """Workers, a queue and broker keys of one test (or one module of tests)."""

    def __init__(self, settings_module: str, log_dir: Path, env: dict[str, str] | None = None, name: str = "t"):
        self.settings_module = settings_module
        self.log_dir = log_dir
        self.extra_env = env or {}
        self.broker = redis_url()
        self.queue = f"{name}-{uuid.uuid4().hex[:10]}"
        self.prefix = f"{self.queue}:"
        self.transport_options = {**TRANSPORT_OPTIONS, "global_keyprefix": self.prefix}
        self.workers: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []
        self._sentinels = 0

    # -- processes ---------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a process on this harness's broker and queue, at the test's clock."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings_module,
            "DATABASE_URL": database_url(),
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": self.broker,
            "CELERY_RESULT_BACKEND": "",
            QUEUE_ENV: self.queue,
            OPTIONS_ENV: json.dumps(self.transport_options),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "INFO",  # the tests read "Task …[id] received" and the outcomes in the log
            "LOG_FORMAT": "text",
            **self.extra_env,
            **extra,
        }
        env.pop(CLOCK_ENV, None)
        offset = clock_offset()
        if offset is not None:
            env[CLOCK_ENV] = repr(offset)
        return env

    def start_worker(self, wait: bool = False, **env: str) -> subprocess.Popen[bytes]:
        """A worker process (ENV added to its environment); WAIT for it to be ready."""
        n = len(self.workers)
        log = self.log_dir / f"{self.queue}-worker{n}.log"
        proc = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "iop",
                "worker",
                "-P",
                "solo",
                "-c",
                "1",
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=ROOT,
            env=self.env(**env),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(proc)
        self.logs.append(log)
        if wait:
            wait_for(
                lambda: b" ready." in log.read_bytes(),
                time.monotonic() + 60,
                "the worker to start",
                self.assert_running,
            )
        return proc

    def run(self, *args: str) -> subprocess.Popen[bytes]:
        """``manage.py ARGS`` in a process of its own, with this harness's settings and clock."""
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL: the worker dies mid-task, its message stays unacknowledged."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def log(self, proc: subprocess.Popen[bytes]) -> str:
        return self.logs[self.workers.index(proc)].read_text(errors="replace")

    def assert_running(self) -> None:
        if self.workers and all(p.poll() is not None for p in self.workers):
            tail = self.logs[-1].read_text(errors="replace")[-3000:]
            raise AssertionError(f"no worker is running; the last one's log ends:\n{tail}")

    def close(self) -> None:
        """The workers are killed (nothing of the test's is left running, and
        a warm shutdown waits a second for the broker), then the test's keys go from Redis."""
        import redis

        for proc in self.workers:
            if proc.poll() is None:
                self.kill(proc)
        client = redis.Redis.from_url(self.broker)
        for key in client.scan_iter(match=f"{self.prefix}*"):
            client.delete(key)

    def __enter__(self) -> CeleryHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- this process's Celery app -----------------------------------------------------

    @contextmanager
    def publishing(self, broker_url: str | None = None) -> Iterator[None]:
        """Tasks this process sends go to this harness's queue (on BROKER_URL
        instead, e.g. one that does not answer); the app's settings come back after."""
        from iop.celery import app

        keys = ("broker_url", "broker_transport_options", "task_default_queue", "task_always_eager", "result_backend")
        saved = {k: app.conf.get(k) for k in keys}
        app.conf.update(
            broker_url=broker_url or self.broker,
            broker_transport_options=self.transport_options,
            task_default_queue=self.queue,
            task_always_eager=False,
            result_backend=None,
        )
        _reset_connections()
        try:
            yield
        finally:
            app.conf.update(saved)
            _reset_connections()

    # -- proofs ------------------------------------------------------------------------

    def pending(self) -> tuple[int, int]:
        """(messages on the queue, messages delivered and not yet acknowledged), read at one instant."""
        import redis

        client = redis.Redis.from_url(self.broker)
        pipe = client.pipeline(transaction=True)
        for step in PRIORITY_STEPS:
            pipe.llen(self.prefix + self.queue + (f"\x06\x16{step}" if step else ""))
        pipe.zcard(self.prefix + "unacked_index")
        *lengths, unacked = pipe.execute()
        return sum(lengths), unacked

    def _sentinel(self, deadline: float) -> None:
        from celery.exceptions import AlwaysEagerIgnored

        from iop.celery import app

        self._sentinels += 1
        done = self.log_dir / f"{self.queue}-sentinel{self._sentinels}"
        with (
            warnings.catch_warnings(category=AlwaysEagerIgnored, action="ignore"),  # it is sent, never run here
            app.connection_for_write(self.broker, transport_options=self.transport_options) as conn,
        ):
            app.send_task(SENTINEL, args=[str(done)], queue=self.queue, connection=conn)
        wait_for(done.exists, deadline, f"sentinel task {self._sentinels} to run", self.assert_running)

    def drain(self, timeout: float = 60) -> None:
        """Return once every task sent so far, redeliveries included, has run
        to its end, and nothing is left that could run later."""
        deadline = time.monotonic() + timeout
        self._sentinel(deadline)
        wait_for(
            lambda: self.pending() == (0, 0),
            deadline,
            "an empty queue with nothing unacknowledged",
            self.assert_running,
        )
        self._sentinel(deadline)


_TASK_LINE = re.compile(
    r"Task (?P<name>[\w.]+)\[(?P<id>[0-9a-f-]{36})\] (?P<event>received|succeeded in [\d.e-]+s: (?P<result>.*))"
)


def task_events(log: str, name: str) -> tuple[list[str], list[tuple[str, str]]]:
    """From a worker's log: the ids of NAME's tasks received, and (id, result) of those that succeeded."""
    received: list[str] = []
    succeeded: list[tuple[str, str]] = []
    for m in _TASK_LINE.finditer(log):
        if m["name"] != name:
            continue
        if m["event"] == "received":
            received.append(m["id"])
        else:
            succeeded.append((m["id"], m["result"].strip()))
    return received, succeeded
