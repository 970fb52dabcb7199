"""Retention: the access log and the edit history older than RETENTION_*
are pruned nightly (iop.retention, task iop.apply_retention), by the
database's sanctioned path for the append-only log, keeping what documents
who decided what and when. The clock is pinned."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from iop import retention, services
from iop.models import AccessLogEntry, Goal, Iop
from tests.celery_harness import CeleryHarness
from tests.conftest import World
from tests.iop.factories import chain

NOW = datetime.datetime(2031, 3, 1, 4, 23, tzinfo=datetime.UTC)
TASK = "iop.apply_retention"


def _read(world: World, at: datetime.datetime) -> AccessLogEntry:
    with time_machine.travel(at, tick=False):
        return services.log_read(
            actor=world.user("coordinator"),  # type: ignore[arg-type]
            pupil=world.pupil_a,
            kind=AccessLogEntry.Kind.PUPIL,
            object_id=world.pupil_a.pk,
        )


def test_years_before_moves_calendar_years() -> None:
    assert retention.years_before(NOW, 2) == datetime.datetime(2029, 3, 1, 4, 23, tzinfo=datetime.UTC)
    leap = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
    assert retention.years_before(leap, 1) == datetime.datetime(2027, 2, 28, 12, tzinfo=datetime.UTC)


def test_access_log_entries_older_than_the_setting_go_and_the_rest_stay(world: World, settings: Any) -> None:
    old = _read(world, NOW - datetime.timedelta(days=3 * 365))
    edge = _read(world, retention.years_before(NOW, 2) + datetime.timedelta(minutes=1))
    recent = _read(world, NOW - datetime.timedelta(days=10))
    settings.RETENTION_ACCESS_LOG_YEARS = 0  # kept for good
    assert retention.retention_apply(now=NOW) == {"access_log": 0, "history": 0}
    assert AccessLogEntry.objects.count() == 3
    settings.RETENTION_ACCESS_LOG_YEARS = 2
    assert retention.retention_apply(now=NOW)["access_log"] == 1
    assert set(AccessLogEntry.objects.values_list("pk", flat=True)) == {edge.pk, recent.pk}
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    assert retention.retention_apply(now=NOW)["access_log"] == 0  # idempotent


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_log_stays_append_only_outside_the_sanctioned_path(world: World) -> None:
    old = _read(world, NOW - datetime.timedelta(days=3 * 365))
    recent = _read(world, NOW - datetime.timedelta(days=10))
    attempts = {
        "delete": lambda: AccessLogEntry.objects.filter(pk=old.pk).delete(),
        "update": lambda: AccessLogEntry.objects.filter(pk=old.pk).update(purpose="edit"),
        "raw delete": lambda: connection.cursor().execute("DELETE FROM iop_accesslogentry"),
    }
    for label, attempt in attempts.items():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
            pytest.fail(f"{label} went through")
    # The prune's mark covers only entries older than its cut-off, and only inside the function.
    cutoff = NOW - datetime.timedelta(days=365)
    assert retention.access_log_prune(before=cutoff) == 1
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=recent.pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('iop.access_log_prune_before', true)")
        assert cursor.fetchone()[0] in ("", None)
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [recent.pk]


def _save(actor: Any, record: Any, at: datetime.datetime, **values: Any) -> None:
    """ACTOR's save of RECORD with VALUES at AT, as a service leaves it in the
    history (the pupil's school year of the world does not reach these dates)."""
    with time_machine.travel(at, tick=False):
        current = type(record).objects.get(pk=record.pk)
        for name, value in values.items():
            setattr(current, name, value)
        current.version += 1
        current._history_user = actor
        current.save()


def test_old_edit_history_is_thinned_to_what_tells_who_decided_what(world: World, settings: Any) -> None:
    teacher, coordinator = world.user("teacher"), world.user("coordinator")
    start = datetime.datetime(2027, 9, 1, 8, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    for day in range(6):  # old working saves, a day apart: each its own entry
        _save(teacher if day % 2 else coordinator, goal, start + datetime.timedelta(days=day + 1), text=f"Tekst {day}")
    iop = ch.iop
    _save(teacher, iop, start + datetime.timedelta(days=8), ordinary_teaching="Utkast")
    _save(coordinator, iop, start + datetime.timedelta(days=9), status=Iop.Status.PUBLISHED)  # who and when: kept
    _save(teacher, iop, start + datetime.timedelta(days=10), ordinary_teaching="Etter")
    _save(teacher, goal, NOW - datetime.timedelta(days=30), text="Nylig")
    _save(coordinator, goal, NOW - datetime.timedelta(days=20), text="Nyere")
    goal_rows = Goal.history.filter(id=goal.pk).count()
    assert goal_rows == 1 + 6 + 2

    settings.RETENTION_HISTORY_YEARS = 2  # cut-off 1 March 2029: everything from 2027 is old
    done = retention.retention_apply(now=NOW)
    kept = list(Goal.history.filter(id=goal.pk).order_by("history_id"))
    # Creation, the last state before the cut-off, and everything after it.
    assert [(r.history_type, r.text) for r in kept] == [
        ("+", ch.goals[0].text),
        ("~", "Tekst 5"),
        ("~", "Nylig"),
        ("~", "Nyere"),
    ]
    iop_rows = [
        (r.history_type, r.status, r.ordinary_teaching) for r in Iop.history.filter(id=iop.pk).order_by("history_id")
    ]
    assert iop_rows[0][0] == "+" and ("~", Iop.Status.PUBLISHED, "Utkast") in iop_rows  # the publishing save
    assert iop_rows[-1] == ("~", Iop.Status.PUBLISHED, "Etter")
    assert ("~", Iop.Status.DRAFT, "Utkast") not in iop_rows  # a working save in between
    assert done["history"] == (goal_rows - len(kept)) + 1
    assert retention.retention_apply(now=NOW)["history"] == 0  # idempotent
    assert Goal.objects.get(pk=goal.pk).text == "Nyere"  # the documents are never touched


# --- the nightly task on a real worker -------------------------------------------------------


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[CeleryHarness]:
    with time_machine.travel(NOW, tick=True):
        env = {"RETENTION_ACCESS_LOG_YEARS": "2", "RETENTION_HISTORY_YEARS": "0"}
        with CeleryHarness("tests.iop.worker_settings", tmp_path, env=env, name="retention") as harness:
            harness.start_worker()
            with harness.publishing():
                yield harness


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_prunes_on_a_real_worker(transactional_world: World, worker: CeleryHarness) -> None:
    from iop.tasks import apply_retention

    world = transactional_world
    old = _read(world, NOW - datetime.timedelta(days=3 * 365))
    recent = _read(world, NOW - datetime.timedelta(days=10))
    apply_retention.delay()
    worker.drain()
    log = worker.log(worker.workers[0])
    assert "'access_log': 1" in log, log[-3000:]
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
