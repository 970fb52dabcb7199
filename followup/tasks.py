"""Thin Celery tasks: they take ids and call the services.

Every task is idempotent (``acks_late`` + ``reject_on_worker_lost`` are safe),
has time limits and uses the JSON serializer (project settings). Without a
broker the settings make them run eagerly in-process.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import shared_task
from django.db import transaction

logger = logging.getLogger(__name__)

TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,  # nothing reads results; no result-backend round trip when enqueuing
    "reject_on_worker_lost": True,
    "soft_time_limit": 60,
    "time_limit": 90,
}


@shared_task(name="followup.sweep", expires=240, **TASK_OPTIONS)
def sweep() -> dict[str, int]:
    """The beat task (every few minutes): deadlines → notifications → send tasks."""
    from . import reminders

    result = reminders.sweep()
    return {"deadlines": result.deadlines, "created": result.created, "claimed": result.claimed}


@shared_task(name="followup.send_notification", **TASK_OPTIONS)
def send_notification(notification_id: str) -> str:
    from . import reminders

    return reminders.send_notification(notification_id)


@shared_task(name="followup.send_digest", **TASK_OPTIONS)
def send_digest(notification_ids: list[str]) -> str:
    from . import reminders

    return reminders.send_digest(list(notification_ids))


@shared_task(name="followup.generate_deadlines", **{**TASK_OPTIONS, "soft_time_limit": 240, "time_limit": 300})
def generate_deadlines(school_year_id: int, pupil_ids: list[str] | None = None) -> dict[str, int]:
    """The deadlines of one school year (only of PUPIL_IDS when given)."""
    from students.models import SchoolYear

    from . import deadlines

    school_year = SchoolYear.objects.select_related("school").filter(pk=school_year_id).first()
    if school_year is None:  # deleted since the task was sent
        return {}
    pupils = None if pupil_ids is None else {uuid.UUID(p) for p in pupil_ids}
    r = deadlines.deadlines_generate(school_year=school_year, pupil_ids=pupils)
    return {"created": r.created, "updated": r.updated, "cancelled": r.cancelled, "fulfilled": r.fulfilled}


@shared_task(name="followup.generate_all_deadlines", expires=3000, **{**TASK_OPTIONS, "time_limit": 120})
def generate_all_deadlines() -> int:
    """Nightly: regenerate every current school year (picks up records of other
    apps that sent no signal), one task per school year."""
    from . import deadlines

    years = deadlines.school_years_to_generate()
    for year in years:
        generate_deadlines.delay(year.pk)
    return len(years)


@shared_task(name="followup.refresh_pupil", **TASK_OPTIONS)
def refresh_pupil(pupil_id: str) -> int:
    from students.models import Pupil

    from . import deadlines

    pupil = Pupil.objects.filter(pk=pupil_id).first()
    if pupil is None:
        return 0
    year = deadlines.current_school_year(pupil.school_id)
    if year is None:
        return 0
    deadlines.deadlines_generate(school_year=year, pupil_ids={pupil.pk})
    return 1


# --- enqueue helpers (called after commit) --------------------------------------------
#
# Publishing fails fast when the broker is unreachable (one connection attempt,
# no retries, no result backend): the page that wrote the rows answers at once
# and the rows wait for the next sweep.


@contextmanager
def _fast_connection() -> Iterator[Any]:
    from iop.celery import app

    with app.connection_for_write(transport_options={"max_retries": 1, "interval_start": 0}) as conn:
        yield conn


def enqueue_send(ids: list[uuid.UUID]) -> None:
    with _fast_connection() as conn:
        for pk in ids:
            send_notification.apply_async(args=[str(pk)], retry=False, connection=conn)


def enqueue_digest(ids: list[uuid.UUID]) -> None:
    with _fast_connection() as conn:
        send_digest.apply_async(args=[[str(pk) for pk in ids]], retry=False, connection=conn)


def _safe(fn: Any, *args: Any) -> None:
    try:
        with _fast_connection() as conn:
            fn.apply_async(args=list(args), retry=False, connection=conn)
    except Exception:  # the broker is down; the nightly regeneration catches up
        logger.warning("Could not enqueue %s", fn.name, exc_info=True)


def enqueue_generate(school_year_id: int) -> None:
    transaction.on_commit(lambda: _safe(generate_deadlines, school_year_id))


def enqueue_refresh_pupil(pupil_id: uuid.UUID | str) -> None:
    transaction.on_commit(lambda: _safe(refresh_pupil, str(pupil_id)))
