"""Celery application.

Without ``CELERY_BROKER_URL`` the settings make tasks run eagerly in-process,
so the demo needs no Redis; production and CI run real workers.

Worker and beat log through the project's ``LOGGING`` (format, ``LOG_LEVEL``)
rather than Celery's own set-up, and every task that ends logs its name, id,
state and run time at INFO.
"""

import logging
import os
import time
from contextvars import Token
from typing import Any

from celery import Celery
from celery.signals import setup_logging, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")

app = Celery("iop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("iop.tasks")
_started: dict[str, tuple[float, Token[str | None] | None]] = {}


@setup_logging.connect
def _django_logging(**kwargs: Any) -> None:
    """The project's LOGGING, as the web process has it (Celery's ``--loglevel`` gives way to ``LOG_LEVEL``)."""
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


@task_prerun.connect
def _task_started(task_id: str | None = None, **kwargs: Any) -> None:
    from iop import logging as iop_logging

    # Outside a request the task's records carry its own id (run in-process during one, the request's).
    token = iop_logging.bind_request_id(task_id) if task_id and not iop_logging.current_request_id() else None
    _started[task_id or ""] = (time.perf_counter(), token)


@task_postrun.connect
def _task_finished(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    from iop import logging as iop_logging

    start, token = _started.pop(task_id or "", (None, None))
    try:
        if start is not None:
            ms = (time.perf_counter() - start) * 1000
            name = getattr(task, "name", "?")
            logger.info(
                "Task %s[%s] done in %.0f ms (%s)",
                name,
                task_id,
                ms,
                state,
                extra={"task": name, "task_id": task_id, "duration_ms": round(ms, 1), "state": state},
            )
    finally:
        if token is not None:
            iop_logging.unbind_request_id(token)
