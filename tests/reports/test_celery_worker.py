"""One batch through a real Celery worker process and the real Redis
(``TEST_REDIS_URL``, with a queue and broker keys of the test's own: see
``tests.celery_harness``). The clock is pinned, in the worker too; the counts
are asserted once the worker has provably finished every task."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from iop.models import Goal
from iop.reports import selectors, services
from iop.reports.models import Report, ReportBatch, ReportBatchItem
from tests.celery_harness import CeleryHarness
from tests.conftest import World

from .factories import make_iop

# A school day in spring: the world's school year began 60 days before.
SCHOOL_DAY = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(SCHOOL_DAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def worker(clock: time_machine.Coordinates, tmp_path: Path, media_root: Path, settings: Any) -> Iterator[CeleryHarness]:
    env = {"MEDIA_ROOT": str(media_root)}
    with CeleryHarness("tests.reports.worker_settings", tmp_path, env=env, name="reports") as harness:
        harness.start_worker()
        settings.REPORTS_TASK_QUEUE = harness.queue
        with harness.publishing():
            yield harness


def test_a_batch_runs_on_a_real_worker(
    clock: time_machine.Coordinates, transactional_world: World, worker: CeleryHarness
) -> None:
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
    worker.drain()
    batch.refresh_from_db()
    assert batch.is_done, worker.log(worker.workers[0])[-3000:]
    progress = selectors.batch_progress(batch)
    assert progress.percent == 100 and progress.done == 1
    assert [i.pupil for i in progress.failed] == [world.pupil_b]
    assert Report.objects.filter(pupil=world.pupil_a).count() == 1
    assert list(ReportBatchItem.objects.filter(batch=batch).values_list("attempts", flat=True)) == [1, 1]
