"""The access log, as ``students`` sees it.

The log of who read a pupil's confidential data belongs to the plans' app
(``iop.models.AccessLogEntry``), yet ``students`` serves the pupil page and
depends on no other app of ours. Settings name the function that writes an
entry (``ACCESS_LOG_WRITER``, a dotted path), as they name the pupil page's
sections; without it a read is refused rather than left unlogged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .models import Pupil, User


@cache
def _writer() -> Callable[..., Any]:
    path = getattr(settings, "ACCESS_LOG_WRITER", "")
    if not path:
        raise ImproperlyConfigured("ACCESS_LOG_WRITER names no function: reads of pupils' data can not be logged.")
    return import_string(path)


def log_read(*, actor: User, pupil: Pupil, kind: str, object_id: Any, purpose: str = "read") -> None:
    """Record that ACTOR read PUPIL's data (KIND, e.g. ``"pupil"``, with id
    OBJECT_ID, for PURPOSE) through the configured writer: one INSERT.
    Raises :class:`ImproperlyConfigured` when no writer is configured."""
    _writer()(actor=actor, pupil=pupil, kind=kind, object_id=object_id, purpose=purpose)
