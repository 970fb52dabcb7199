"""Settings of the real Celery worker (and of the ``manage.py`` processes)
the worker tests start: the test database, the broker, queue and clock the
harness passes (``tests.celery_harness``), and emails written to files the
test reads."""

import os

from iop.settings_test import *  # noqa: F403
from tests.celery_harness import worker_settings

globals().update(worker_settings(globals()))

EMAIL_BACKEND = "tests.followup.mailbackends.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["FOLLOWUP_TEST_MAILDIR"]
