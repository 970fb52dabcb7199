"""Logs: the format, the request id, request and task lines, and no names or
e-mail addresses, with the project's own LOGGING set-up."""

from __future__ import annotations

import datetime
import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup import deadlines, reminders
from followup.models import Preference
from iop import logging as iop_logging
from students.models import GuardianLink, Pupil
from tests import factories as f
from tests.conftest import World, build_world
from tests.factories import PASSWORD
from tests.followup.conftest import build_year_school

ROOT = Path(__file__).resolve().parent.parent
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d) "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) (?P<logger>\S+) \[(?P<rid>[^\]]+)\] (?P<message>.*)$"
)
REQUEST = re.compile(r"^(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d) ms user=(?P<user>\S+)$")


def _console_handler() -> logging.Handler:
    """The handler the project's LOGGING puts on the root logger."""
    return next(h for h in logging.getLogger().handlers if h.name == "console")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Everything the project's console handler would write, with its formatter and filters."""
    console = _console_handler()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(console.formatter)
    for flt in console.filters:
        handler.addFilter(flt)
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    level = root.level
    root.setLevel(min(level, logging.INFO))
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _lines(buffer: io.StringIO) -> list[re.Match[str]]:
    lines = buffer.getvalue().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if m is None]
    return [m for m in parsed if m is not None]


def _request_lines(lines: list[re.Match[str]]) -> dict[str, re.Match[str]]:
    """The request line of each request id."""
    out: dict[str, re.Match[str]] = {}
    for line in lines:
        if line["logger"] == "iop.request":
            request = REQUEST.match(line["message"])
            assert request, line["message"]
            assert line["rid"] not in out, f"two request lines for {line['rid']}"
            out[line["rid"]] = request
    return out


def test_no_pupil_name_or_email_address_reaches_the_logs(
    db: None, captured: io.StringIO, django_capture_on_commit_callbacks
) -> None:
    """A teacher's day and the reminder sweep, logged through the project's
    own set-up: request lines with id and duration, Django's own warnings and
    the task lines in the same format, and nobody's name or address."""
    with time_machine.travel(datetime.datetime.fromisoformat("2026-08-01T09:00:00+02:00"), tick=False) as clock:
        world: World = build_world()
        year_school = build_year_school()
        for pupil, (first, last) in zip(
            year_school.pupils, [("Sigrid", "Solberg"), ("Mats", "Mikkelsen"), ("Ingrid", "Iversen")], strict=True
        ):
            Pupil.objects.filter(pk=pupil.pk).update(first_name=first, last_name=last)
            f.guardian_of(
                f.UserFactory(full_name=f"Gunnar {last}", email=f"{first.lower()}.foresatt@test.example"), pupil
            )
        deadlines.deadlines_generate(school_year=year_school.year)
        responses = []

        # A mistyped password, then the right one (django-axes logs the failure).
        teacher = Client()
        responses.append(teacher.post(reverse("login"), {"username": "teacher@test.example", "password": "feil"}))
        responses.append(teacher.post(reverse("login"), {"username": "teacher@test.example", "password": PASSWORD}))
        assert responses[-1].status_code == 302
        pupil_page = reverse("pupil_detail", args=[world.pupil_a.pk])
        responses.append(teacher.get(pupil_page))
        assert "Anna Aasen" in responses[-1].content.decode()
        # A concern naming the pupil and her mother: the coordinator is e-mailed at once.
        with django_capture_on_commit_callbacks(execute=True):
            responses.append(
                teacher.post(
                    reverse("followup:concern_create", args=[world.pupil_a.pk]),
                    {
                        "high_absence": "on",
                        "description": "Anna Aasen er mye borte; mor Aud Foresatt (guardian_a@test.example) vet det.",
                    },
                )
            )
        assert responses[-1].status_code == 302
        assert [m.to for m in mail.outbox] == [["coordinator@test.example"]]
        # A pupil that does not exist, a form without its CSRF cookie.
        responses.append(teacher.get(reverse("pupil_detail", args=[uuid.uuid4()])))
        assert responses[-1].status_code == 404
        responses.append(
            Client(enforce_csrf_checks=True).post(
                reverse("login"), {"username": "guardian_a@test.example", "password": "x"}
            )
        )
        assert responses[-1].status_code == 403
        # The operator searches the admin for a pupil by name (the query string stays out of the log).
        operator = world.client("operator")
        responses.append(operator.get(reverse("admin:students_user_changelist"), {"q": "Aud Foresatt"}))
        assert responses[-1].status_code == 200 and "Aud Foresatt" in responses[-1].content.decode()
        responses.append(operator.get("/favicon.ico"))
        assert responses[-1].status_code == 200

        # The reminder sweep, its send tasks run in-process.
        clock.move_to(datetime.datetime.fromisoformat("2026-08-31T08:00:00+02:00"))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            swept = reminders.sweep()
        assert swept.claimed >= 1 and len(mail.outbox) == swept.claimed

    text = captured.getvalue()
    lines = _lines(captured)

    # Nobody's name, no e-mail address; not even one the formatter had to blank out.
    names = {f"{p.first_name} {p.last_name}" for p in Pupil.objects.all()}
    names |= {p.first_name for p in Pupil.objects.all()} | {p.last_name for p in Pupil.objects.all()}
    guardians = {link.user.full_name for link in GuardianLink.objects.select_related("user")}
    names |= guardians | {part for name in guardians for part in name.split() if len(part) > 2}
    assert len(names) > 10
    leaked = sorted(name for name in names if re.search(rf"\b{re.escape(name)}\b", text))
    assert not leaked, f"names in the log: {leaked}\n{text}"
    assert not EMAIL.search(text), text
    assert "[e-mail]" not in text, text

    # Every line in the site's time zone, with its offset.
    for line in lines:
        stamp = datetime.datetime.fromisoformat(line["time"])
        assert stamp.utcoffset() == timezone.localtime(stamp).utcoffset(), line["time"]

    # One request line per request, under the id the response carries, without the query string.
    requests = _request_lines(lines)
    assert len(requests) == len(responses)
    for response in responses:
        rid = response["X-Request-ID"]
        line = requests[rid]
        assert (line["method"], line["path"], int(line["status"])) == (
            response.request["REQUEST_METHOD"],
            response.request["PATH_INFO"],
            response.status_code,
        )
        assert float(line["ms"]) >= 0
    assert requests[responses[2]["X-Request-ID"]]["user"] == str(world.user("teacher").pk)
    assert requests[responses[0]["X-Request-ID"]]["user"] == "-"

    # Django's and django-axes' own warnings, under the id of their request.
    def logged(logger: str, rid: str) -> list[str]:
        return [line["message"] for line in lines if line["logger"] == logger and line["rid"] == rid]

    assert logged("axes.handlers.database", responses[0]["X-Request-ID"])
    assert logged("django.request", responses[4]["X-Request-ID"]) == [f"Not Found: {responses[4].request['PATH_INFO']}"]
    assert logged("django.security.csrf", responses[5]["X-Request-ID"])
    assert not [line for line in lines if "favicon" in line["message"] and line["level"] != "INFO"]

    # The tasks and the sweep, counts and ids only.
    task_lines = [line["message"] for line in lines if line["logger"] == "iop.tasks"]
    sends = [
        m
        for m in task_lines
        if re.fullmatch(r"Task followup\.send_notification\[[0-9a-f-]{36}\] done in \d+ ms \(SUCCESS\)", m)
    ]
    assert len(sends) == 1 + swept.claimed  # the concern's, then each reminder
    assert f"Reminder sweep: {swept.deadlines} deadline(s) due, {swept.created} notification(s) created, " in text
    assert f"{swept.claimed} claimed for sending, 0 digest(s)." in text
    sent = [line for line in lines if line["logger"] == "followup.reminders" and line["message"].endswith(" sent.")]
    assert len(sent) == 1 + swept.claimed


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(captured: io.StringIO) -> None:
    client = Client()
    kept = client.get(reverse("login"), headers={"X-Request-ID": "lb-7f3a.0_1"})
    too_long = client.get(reverse("login"), headers={"X-Request-ID": "a" * 65})
    forged = client.get(reverse("login"), headers={"X-Request-ID": "x] INFO forged line"})
    none = client.get(reverse("login"))
    assert kept["X-Request-ID"] == "lb-7f3a.0_1"
    for response in (too_long, forged, none):
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert len({r["X-Request-ID"] for r in (kept, too_long, forged, none)}) == 4
    assert set(_request_lines(_lines(captured))) == {r["X-Request-ID"] for r in (kept, too_long, forged, none)}
    assert iop_logging.current_request_id() is None  # unbound after each request


def test_the_calendar_feeds_secret_address_stays_out_of_the_log(world: World, captured: io.StringIO) -> None:
    token = Preference.objects.create(user=world.user("teacher")).ical_token
    response = Client().get(reverse("followup:ical", args=[token]))
    assert response.status_code == 200
    assert token not in captured.getvalue()
    [line] = _request_lines(_lines(captured)).values()
    assert line["path"] == reverse("followup:ical", args=["*"])


def test_a_refused_request_is_one_line_without_a_traceback(world: World, captured: io.StringIO) -> None:
    from tests.iop.factories import chain

    ch = chain(world.pupil_a)
    response = world.client("guardian_a").get(reverse("iop:history", args=["iop", ch.iop.pk]))
    assert response.status_code == 403
    lines = _lines(captured)  # every line in the project's format: no traceback lines
    assert [line["logger"] for line in lines if "Forbidden" in line["message"]] == ["django.request"]
    assert "Traceback" not in captured.getvalue()


def test_the_json_format_has_the_same_fields_and_leaves_objects_out() -> None:
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(iop_logging.JsonFormatter())
    handler.addFilter(iop_logging.RequestIdFilter())
    logger = logging.getLogger("tests.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        moment = datetime.datetime.fromisoformat("2027-01-15T12:00:00+00:00")
        with time_machine.travel(moment, tick=False):
            with iop_logging.request_id("abc-123"):
                try:
                    raise ValueError("refused: teacher@test.example")
                except ValueError:
                    logger.exception(
                        "Sending %s failed", "n1", extra={"status": 550, "request": object(), "data": {"args": ["x"]}}
                    )
            logger.warning("outside a request")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    first, second = (json.loads(line) for line in buffer.getvalue().splitlines())
    assert first["time"] == timezone.localtime(moment).isoformat(timespec="milliseconds")  # the site's zone
    assert (first["level"], first["logger"], first["request_id"]) == ("ERROR", "tests.json", "abc-123")
    assert first["message"] == "Sending n1 failed" and first["status"] == 550
    assert "request" not in first and "data" not in first
    assert "ValueError: refused: [e-mail]" in first["exc_info"]
    assert (second["level"], second["request_id"], second["message"]) == ("WARNING", None, "outside a request")


def _start(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "IOP_", "LOG_", "DJANGO"))}
    clean.update(env)
    prelude = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='iop.settings'; django.setup();"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", prelude + code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_log_format_json_and_a_bad_log_level_at_start(tmp_path: Path) -> None:
    demo = {"IOP_ENV": "demo", "IOP_VAR_DIR": str(tmp_path)}
    started = _start(
        {**demo, "LOG_FORMAT": "json", "LOG_LEVEL": "warning"},
        "import logging; logging.getLogger('django.request').warning('Not Found: %s', '/x');"
        "logging.getLogger('iop.request').info('not at this level')",
    )
    assert started.returncode == 0, started.stderr
    [line] = started.stderr.splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"], record["message"]) == ("WARNING", "django.request", "Not Found: /x")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", record["time"])
    refused = _start({**demo, "LOG_LEVEL": "LOUD"}, "")
    assert refused.returncode != 0 and "LOG_LEVEL must be one of" in refused.stderr


def test_gunicorn_logs_in_the_same_format() -> None:
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    log = iop_logging.GunicornLogger(cfg)
    try:
        for handler in (*log.error_log.handlers, *log.access_log.handlers):
            assert isinstance(handler.formatter, iop_logging.TextFormatter)
    finally:
        for logger in (log.error_log, log.access_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)
