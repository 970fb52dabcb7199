"""Settings for the real Celery worker the worker tests start: the test
database (``DATABASE_URL``), the real Redis, a queue of the test's own, and
emails written to files the test reads."""

import os

from iop.settings_test import *  # noqa: F403

EMAIL_BACKEND = "tests.followup.mailbackends.SlowFileBackend"
EMAIL_FILE_PATH = os.environ["FOLLOWUP_TEST_MAILDIR"]
CELERY_TASK_DEFAULT_QUEUE = os.environ["FOLLOWUP_TEST_QUEUE"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_RESULT_BACKEND = None
# A killed worker's unacknowledged message comes back after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2}
FOLLOWUP_CLAIM_LEASE_SECONDS = int(os.environ.get("FOLLOWUP_CLAIM_LEASE_SECONDS", "600"))
