"""Settings of the real Celery worker the roster import tests start (the
test database, and the broker, queue and clock the harness passes)."""

from iop.settings_test import *  # noqa: F403
from tests.celery_harness import worker_settings

globals().update(worker_settings(globals()))
