"""One batch through a real Celery worker process and the real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from iop.celery import app
from iop.models import Goal
from iop.reports import selectors, services
from iop.reports.models import Report, ReportBatch
from tests.conftest import World

from .factories import make_iop

BROKER = os.environ.get("REPORTS_TEST_BROKER", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _reset_connections() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def worker(tmp_path: Path, settings_media: Path, settings: Any) -> Iterator[str]:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(BROKER).ping()
    except Exception as exc:  # pragma: no cover - CI and set-up provide Redis
        pytest.fail(f"Redis is needed at {BROKER}: {exc}")
    queue = f"reports-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iop.settings_test",
        "IOP_ENV": "test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
        "MEDIA_ROOT": str(settings_media),
        "DB_CONN_MAX_AGE": "0",
    }
    cmd = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "iop",
        "worker",
        "--pool=solo",
        "-Q",
        queue,
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "WARNING",
        "-n",
        f"{queue}@%h",
    ]
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    saved = {k: app.conf.get(k) for k in ("task_always_eager", "broker_url", "task_default_queue", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=BROKER, task_default_queue=queue, result_backend=None)
    settings.REPORTS_TASK_QUEUE = queue
    _reset_connections()  # eager tests before may have pooled a producer for another broker
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
        log.close()
        _reset_connections()
        app.conf.update(saved)
        redis.Redis.from_url(BROKER).delete(queue)


@pytest.fixture
def settings_media(tmp_path: Path) -> Path:
    return Path(settings.MEDIA_ROOT)


def test_a_batch_runs_on_a_real_worker(transactional_world: World, worker: str, tmp_path: Path) -> None:
    world = transactional_world
    for pupil in (world.pupil_a, world.pupil_b):
        make_iop(pupil, goals_per_subject=1, logs_per_goal=2, subjects=(("Norsk", 76),))
    Goal.objects.filter(iop__pupil=world.pupil_b).delete()  # the broken one
    batch = services.batch_start(
        actor=world.user("coordinator"),
        school=world.school1,
        school_year=world.group_a.school_year,
        job=ReportBatch.Job.DRAFTS,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.is_done:
            break
        time.sleep(0.2)
    log = (tmp_path / "worker.log").read_text()
    assert batch.is_done, f"the worker did not finish the batch in time:\n{log[-3000:]}"
    progress = selectors.batch_progress(batch)
    assert progress.percent == 100 and progress.done == 1
    assert [i.pupil for i in progress.failed] == [world.pupil_b]
    assert Report.objects.filter(pupil=world.pupil_a).exists()
