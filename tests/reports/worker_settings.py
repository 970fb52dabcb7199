"""Settings of the real Celery worker the report tests start: the test
database and media folder, and the broker, queue and clock the harness
passes (``tests.celery_harness``)."""

from iop.settings_test import *  # noqa: F403
from tests.celery_harness import worker_settings

globals().update(worker_settings(globals()))
