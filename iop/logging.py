"""Logs an operator can read and search.

Every record of Django, the app, Celery and gunicorn goes out as one line::

    2027-03-28T07:01:02.345+02:00 INFO iop.request [3f2a…] GET /elever/…/ 200 41.2 ms user=12

(the time in the site's time zone with its offset, level, logger, request id,
message), or as one JSON object per line with the same fields when
``LOG_FORMAT=json`` (python-json-logger).

* :class:`RequestLogMiddleware` gives every request an id (the incoming
  ``X-Request-ID`` when it is a sane token, else a new one), returns it in the
  response's ``X-Request-ID`` header and logs one line per request: method,
  path without the query string, status, duration and the user's id.
* :class:`RequestIdFilter` stamps that id on every record logged while the
  request runs (a context variable, so threads and tasks run in-process keep
  their own).
* The formatters replace e-mail addresses with ``[e-mail]`` wherever they turn
  up (an SMTP refusal, a database error, a traceback): logs carry ids, never
  people's names or addresses.
* :class:`GunicornLogger` puts gunicorn's own lines (start-up, workers, access
  log) in the same format and time zone (``--logger-class``).
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any
from zoneinfo import ZoneInfo

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty
from gunicorn import glogging
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"

_request_id: ContextVar[str | None] = ContextVar("iop_request_id", default=None)
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

request_logger = logging.getLogger("iop.request")


# --- the request id ------------------------------------------------------------------


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(value: str) -> Token[str | None]:
    return _request_id.set(value)


def unbind_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


@contextmanager
def request_id(value: str) -> Iterator[str]:
    """Log the records of this block under VALUE (a task outside a request, a test)."""
    token = bind_request_id(value)
    try:
        yield value
    finally:
        unbind_request_id(token)


def sane_request_id(value: str | None) -> str | None:
    """VALUE when it is a token of at most 64 letters, digits, ``-``, ``_`` or ``.``."""
    return value if value and _SANE_ID.fullmatch(value) else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get() or NO_REQUEST
        return True


class RefusalWithoutTraceback(logging.Filter):
    """On ``django.request``: a refused request (403, the access layer's
    ``PermissionDenied``) is an expected answer, logged as one warning line
    without the traceback Django attaches to it. Server errors keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


# --- formatters ------------------------------------------------------------------------


def redact(text: str) -> str:
    """E-mail addresses out of a log line."""
    return _EMAIL.sub("[e-mail]", text)


_zone: datetime.tzinfo | None = None


def site_zone() -> datetime.tzinfo | None:
    """``TIME_ZONE`` of the settings (None before they can be read: the process's own zone then)."""
    global _zone
    if _zone is None:
        try:
            from django.conf import settings

            _zone = ZoneInfo(settings.TIME_ZONE)
        except Exception:  # no settings (yet), or no zone: a log line must still come out
            return None
    return _zone


def iso_time(created: float) -> str:
    """The moment in the site's time zone, with its offset: ``2027-03-28T07:01:02.345+02:00``."""
    moment = datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
    return moment.astimezone(site_zone()).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message`` (tracebacks follow on the next lines)."""

    FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, **kwargs: Any) -> None:
        super().__init__(fmt or self.FORMAT, datefmt, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record.created)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = NO_REQUEST  # a handler without the filter
        return redact(super().format(record))


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: ``time``, ``level``, ``logger``, ``request_id``,
    ``message``, the record's own extra fields, and ``exc_info`` with a traceback.

    Objects that libraries attach to their records (Django's request, Celery's
    task data with its arguments) are left out: their text is not the log's
    to carry."""

    FIELDS = ("asctime", "levelname", "name", "request_id", "message")
    LEFT_OUT = ("request", "server_time", "data", "color_message", "taskName")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *self.LEFT_OUT])
        super().__init__(list(self.FIELDS), **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return iso_time(record.created)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        if log_data.get("request_id") in (None, NO_REQUEST):
            log_data["request_id"] = None
        return {key: redact(value) if isinstance(value, str) else value for key, value in log_data.items()}


FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {"text": TextFormatter, "json": JsonFormatter}


# --- requests --------------------------------------------------------------------------

# URL parts that are secrets (the calendar feed's address, a password reset link).
SECRET_URL_KWARGS = ("token", "uidb64")


def loggable_path(request: HttpRequest) -> str:
    """The path without the query string, secrets in it replaced by ``*``."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name in SECRET_URL_KWARGS:
            value = match.kwargs.get(name)
            if value:
                path = path.replace(str(value), "*")
    return _CONTROL.sub("?", path)[:300]


def _user_id(request: HttpRequest) -> int | None:
    """The user's id when the request has already looked the user up (no query of its own)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # AuthenticationMiddleware's lazy object
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "pk", None)


class RequestLogMiddleware:
    """The request id, its response header and one INFO line per request.

    Sits right after the trusted-proxy middleware, so it times (and ids) all
    the rest. Health checks that answer 200 are logged at DEBUG: the compose
    health check asks every 30 seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = sane_request_id(request.headers.get(REQUEST_ID_HEADER)) or uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        # Bound until the response is closed (request_finished): Django logs a
        # 4xx answer ("Not Found: …") after the last middleware has returned.
        bind_request_id(rid)
        start = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - start) * 1000, 1)
        response[REQUEST_ID_HEADER] = rid
        match = getattr(request, "resolver_match", None)
        quiet = response.status_code == 200 and match is not None and match.url_name == "healthz"
        path = loggable_path(request)
        user_id = _user_id(request)
        request_logger.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s %.1f ms user=%s",
            request.method,
            path,
            response.status_code,
            duration_ms,
            user_id if user_id is not None else "-",
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                "user_id": user_id,
            },
        )
        return response


@receiver(request_finished, dispatch_uid="iop.logging.request_finished")
def _request_finished(**kwargs: Any) -> None:
    _request_id.set(None)


# --- gunicorn --------------------------------------------------------------------------


class GunicornLogger(glogging.Logger):
    """gunicorn's error and access logs in the project's format and the site's
    time zone (``--logger-class iop.logging.GunicornLogger``). Reading the
    settings here also sets the master's own zone to ``TIME_ZONE``, as Django
    does in the workers, so gunicorn's ``%(t)s`` agrees in every process."""

    _filter = RequestIdFilter()

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
        from django.conf import settings

        formatter = FORMATTERS[settings.LOG_FORMAT]()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
                handler.addFilter(self._filter)
