"""Email backends for tests (also used by the real Celery worker)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("SMTP server refused the connection")


class SlowFileBackend(FileBackend):
    """Writes each message to a file. When ``FOLLOWUP_TEST_SLOW_MARKER`` is
    set, it first touches that file and sleeps: the test kills the worker
    while it waits, before anything is sent."""

    def send_messages(self, email_messages: Any) -> int:
        marker = os.environ.get("FOLLOWUP_TEST_SLOW_MARKER")
        if marker:
            Path(marker).touch()
            time.sleep(float(os.environ.get("FOLLOWUP_TEST_SLOW_SECONDS", "30")))
        return super().send_messages(email_messages)
