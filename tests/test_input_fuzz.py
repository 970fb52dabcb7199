"""No input breaks a page: every URL pattern of the permission matrix, sent
the classes of bad input, answers without a server error.

The rows of ``tests/<app>/matrix.py`` give, for every URL pattern and method,
a URL that names existing records, the form data of a write, and who may
reach it. For each pattern and method, one persona who gets through (a
writer for a write) sends:

- GET: every query parameter its view reads (``request.GET.get("...")`` in
  the view and the helpers it calls, the fields of a form bound to
  ``request.GET``), each value class once (request K gives parameter I value
  class I+K, as for writes below); and the URL with every id in it
  replaced by a foreign one (a record of another school, a 25-digit number).
- POST (any write): the row's form data and the fields the view reads
  outside a form, each field getting each value class once (request K gives
  field I value class I+K: as many requests as classes, not the cross
  product).

Every answer is below 500. A write that is refused (4xx, or a form shown
again with errors) changes nothing in the database (the access log of the
page read aside) and tells the person why: a page with words, or the form
with its error shown on it. Each app's rows are walked in parts that run on
separate test workers. Double submits of the records a pupil has one of are
tested apart, in parallel on their own connections.
"""

from __future__ import annotations

import html
import inspect
import re
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.db import close_old_connections, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import translation

from followup.models import Oppfolgingsplan
from iop.models import Iop, Iup
from tests.conftest import PERSONAS, World
from tests.iop.matrix import ready
from tests.matrix import (
    LOGGED_OUT,
    Chain,
    Row,
    chain_of,
    changed_tables,
    fingerprint,
    project_models,
    row_groups,
)

# The value classes; "foreign UUID" is filled in per test (a record of
# another school).
VALUES: dict[str, str] = {
    "empty": "",
    "100k characters": "x" * 100_000,
    "NUL byte": "a\x00b",
    "Arabic-Indic digits": "\u0661\u0662",
    "superscript digit": "\u00b2",
    "huge integer": str(10**25),
    "negative number": "-7",
    "date 0001-01-01": "0001-01-01",
    "date 9999-12-31": "9999-12-31",
    "invalid UUID": "not-a-uuid",
    "foreign UUID": "",
}
HUGE_ID = 10**25

GET_PARAM = re.compile(r"request\.GET(?:\.get\(|\[)\s*\"(\w+)\"")
POST_PARAM = re.compile(r"request\.POST(?:\.get\(|\[)\s*\"(\w+)\"")
GET_FORM = re.compile(r"(\w+)\(\s*request\.GET\b")
HELPER_CALL = re.compile(r"\b(_\w+)\(\s*request\b")


def _source_and_globals(callback: Callable[..., Any]) -> tuple[str, dict[str, Any]]:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return inspect.getsource(view_class), vars(sys.modules[view_class.__module__])
    func = inspect.unwrap(callback)
    return inspect.getsource(func), func.__globals__


def view_reads(callback: Callable[..., Any]) -> tuple[set[str], set[str]]:
    """The query parameters and the POST fields (outside forms) a view
    reads: in its source and in the module's helpers it hands the request
    to, and the fields of the forms it binds to ``request.GET``."""
    source, names = _source_and_globals(callback)
    sources = [source]
    for helper in set(HELPER_CALL.findall(source)):
        func = names.get(helper)
        if inspect.isfunction(func):
            sources.append(inspect.getsource(func))
    text = "\n".join(sources)
    get = set(GET_PARAM.findall(text))
    for form_name in GET_FORM.findall(text):
        form_class = names.get(form_name)
        get |= set(getattr(form_class, "base_fields", {}))
    return get, set(POST_PARAM.findall(text))


def persona_for(row: Row) -> str | None:
    """A persona who gets through: for a read, one who sees the page; for
    a write, one who writes (else one whose request is not refused)."""
    if row.method == "get":
        passing = [p for p in PERSONAS if row.expect[p] == 200]
    else:
        passing = [p for p in PERSONAS if p in row.writers()] or [
            p for p in PERSONAS if row.expect[p] in (200, 302) and p not in LOGGED_OUT
        ]
    return passing[0] if passing else None


def log_tables() -> set[str]:
    """The tables a read writes to by design (the access log)."""
    return {m._meta.db_table for m in project_models() if "accesslog" in m._meta.model_name}


def refused(response: HttpResponse) -> bool:
    """A 4xx, or a page shown again with a form's errors."""
    if 400 <= response.status_code < 500:
        return True
    context = getattr(response, "context", None)
    if response.status_code != 200 or context is None:
        return False
    contexts = context if isinstance(context, list) else [context]
    forms = [
        value
        for each in contexts
        for value in each.flatten().values()
        if hasattr(value, "errors") and hasattr(value, "is_bound")
    ]
    return any(form.is_bound and form.errors for form in forms)


def with_query(url: str, name: str, value: str) -> tuple[str, dict[str, str]]:
    path, _, query = url.partition("?")
    params = dict(parse_qsl(query, keep_blank_values=True))
    params[name] = value
    return path, params


def foreign_url(url: str, foreign: uuid.UUID) -> str | None:
    """URL with every id replaced: UUIDs by FOREIGN, integers by a 25-digit
    number, other text by a NUL byte (None when it has no argument)."""
    match = resolve(url.split("?", 1)[0])
    if not match.kwargs:
        return None
    kwargs: dict[str, Any] = {}
    for key, value in match.kwargs.items():
        if isinstance(value, uuid.UUID):
            kwargs[key] = foreign
        elif isinstance(value, int):
            kwargs[key] = HUGE_ID
        else:
            kwargs[key] = "a\x00b"
    try:
        return reverse(match.view_name, kwargs=kwargs)
    except NoReverseMatch:  # a slug: only what its pattern takes
        return reverse(
            match.view_name, kwargs={k: match.kwargs[k] if isinstance(v, str) else v for k, v in kwargs.items()}
        )


@contextmanager
def scratch(world: World) -> Iterator[None]:
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)
            world.extra.clear()


#: Each app's rows are walked in this many parts (more for the apps with
#: the most forms), so the parts run on separate test workers.
SHARDS = {"tests.iop.matrix": 6, "tests.followup.matrix": 4}
DEFAULT_SHARDS = 2
#: The Swedish support chain is for pupils of Swedish schools: in the matrix
#: world, a Norwegian kommune's, every one of its URLs answers 404 before any
#: form is read. Its forms are walked with a Swedish school in
#: tests/atgardsprogram/test_fuzz.py.
WALKED_APART = {"tests.atgardsprogram.matrix"}
PARTS = [
    (module, shard)
    for module in sorted(set(row_groups()) - WALKED_APART)
    for shard in range(SHARDS.get(module, DEFAULT_SHARDS))
]


def _shown_text(response: HttpResponse) -> str:
    """The words a person sees in RESPONSE (markup, scripts and styles removed)."""
    content = getattr(response, "content", b"").decode(response.charset or "utf-8", "replace")
    content = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", content)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def _first_error(value: Any) -> Any:
    """The first error of a bound form or formset (None without errors)."""
    errors = getattr(value, "errors", None)
    if not errors:
        return None
    if isinstance(errors, list):  # a formset: its own errors, then its forms'
        found = [*value.non_form_errors(), *(e for form in errors for each in form.values() for e in each)]
        return found[0] if found else None
    return next(iter(errors.values()))[0]


def refusal_message(response: HttpResponse) -> str | None:
    """What a refused write tells the person, or None when it tells nothing
    (an empty body, or a form with errors that the page does not show).
    The errors are lazy texts: read in the language the page was shown in."""
    with translation.override(response.get("Content-Language") or None):
        return _refusal_message(response)


def _refusal_message(response: HttpResponse) -> str | None:
    context = getattr(response, "context", None)
    if response.status_code == 200 and context is not None:
        contexts = context if isinstance(context, list) else [context]
        shown = _shown_text(response)
        for each in contexts:
            for value in each.flatten().values():
                first = _first_error(value) if getattr(value, "is_bound", False) else None
                if first is not None:
                    return str(first) if " ".join(str(first).split()) in shown else None
        return None
    text = _shown_text(response)
    return text if len(text.split()) >= 3 else None


class Sender:
    """Sends requests as the personas of CLIENTS, each inside a transaction
    rolled back after it, and keeps what went wrong: server errors, and
    refused writes that changed the database (the access log aside) or told
    the person nothing."""

    def __init__(self, clients: dict[str, Client], *, redirects_tell: bool = False) -> None:
        self.clients = clients
        # Also: a write answered with a redirect that changed nothing leaves
        # a message for the next page (else the input was silently lost).
        self.redirects_tell = redirects_tell
        for each in clients.values():
            each.raise_request_exception = False
        self.logs = log_tables()
        self.errors: list[str] = []
        self.problems: list[str] = []
        self.sent = 0

    def __call__(self, persona: str, method: str, url: str, data: dict[str, Any], what: str) -> HttpResponse:
        self.sent += 1
        with transaction.atomic():
            try:
                before = fingerprint()
                response = getattr(self.clients[persona], method)(url, data)
                if response.status_code >= 500:
                    self.errors.append(f"{method.upper()} {url} as {persona}, {what}: {response.status_code}")
                elif method != "get" and refused(response):
                    changed = [t for t in changed_tables(before, fingerprint()) if t not in self.logs]
                    if changed:
                        self.problems.append(
                            f"{method.upper()} {url} as {persona}, {what}: refused but changed {changed}"
                        )
                    if refusal_message(response) is None:
                        self.problems.append(
                            f"{method.upper()} {url} as {persona}, {what}: refused ({response.status_code}) "
                            "without a message the person can read"
                        )
                elif method != "get" and self.redirects_tell and response.status_code == 302:
                    changed = [t for t in changed_tables(before, fingerprint()) if t not in self.logs]
                    storage = getattr(response.wsgi_request, "_messages", None)
                    if not changed and not getattr(storage, "_queued_messages", None):
                        self.problems.append(
                            f"{method.upper()} {url} as {persona}, {what}: redirected, saved nothing and said nothing"
                        )
                return response
            finally:
                transaction.set_rollback(True)
                # The request's flash messages go with it, as its writes do.
                self.clients[persona].cookies.pop("messages", None)

    def check(self) -> None:
        assert not self.errors, f"Server errors from input ({len(self.errors)} of {self.sent} requests):\n" + "\n".join(
            self.errors
        )
        assert not self.problems, "Refused writes:\n" + "\n".join(self.problems)


def walk(
    send: Sender,
    persona: str,
    method: str,
    url: str,
    data: dict[str, Any],
    classes: list[tuple[str, str]],
    foreign: uuid.UUID,
) -> None:
    """Send one URL pattern's hostile input as PERSONA: for a read, every
    query parameter its view reads and the URL with foreign ids; for a write,
    DATA and the fields the view reads outside a form (see the module's
    docstring)."""
    get_params, post_fields = view_reads(chain_of(url)[-1].callback)
    if method == "get":
        names = sorted(get_params)
        for k in range(len(classes) if names else 0):
            path, params = url, {}
            for i, name in enumerate(names):
                path, more = with_query(path, name, classes[(i + k) % len(classes)][1])
                params.update(more)
            labels = {name: classes[(i + k) % len(classes)][0] for i, name in enumerate(names)}
            send(persona, "get", path, params, f"query {labels}")
        other = foreign_url(url, foreign)
        if other is not None:
            send(persona, "get", other, {}, "foreign ids in the URL")
        return
    fields = sorted(set(data) | post_fields)
    for k in range(len(classes) if fields else 0):
        fuzzed = dict(data)
        for i, field in enumerate(fields):
            fuzzed[field] = classes[(i + k) % len(classes)][1]
        labels = {field: classes[(i + k) % len(classes)][0] for i, field in enumerate(fields)}
        send(persona, method, url, fuzzed, f"fields {labels}")


@pytest.mark.parametrize(("module", "shard"), PARTS)
def test_no_input_makes_a_server_error(world: World, module: str, shard: int) -> None:
    values = {**VALUES, "foreign UUID": str(world.pupil_c.pk)}
    classes = list(values.items())
    # Logged in before any request: a session made inside a request's
    # rolled-back transaction would be lost.
    send = Sender({persona: world.client(persona) for persona in PERSONAS})

    with scratch(world):
        chosen: dict[tuple[Chain, str], tuple[Row, str, str, dict[str, Any]]] = {}
        for _name, rows in sorted(row_groups()[module].items()):
            for row in rows:
                persona = persona_for(row)
                if persona is None:
                    continue
                url = row.url(world)
                key = (chain_of(url), row.method)
                if key not in chosen:
                    chosen[key] = (row, persona, url, row.data(world) if row.data else {})
        parts = SHARDS.get(module, DEFAULT_SHARDS)
        mine = [entry for index, entry in enumerate(chosen.items()) if index % parts == shard]
        for (_chain, method), (_row, persona, url, data) in mine:
            walk(send, persona, method, url, data, classes, world.pupil_c.pk)
    assert mine, f"{module} part {shard}: no URL pattern to walk (the walk lost its rows)"
    send.check()


# --- double submits ------------------------------------------------------------------------

PARALLEL = 8


def submit_in_parallel(world: World, persona: str, url: str, data: dict[str, Any]) -> list[int]:
    """PARALLEL threads, each with its own client and database connection,
    post DATA to URL at once; their statuses."""
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            client = world.client(persona)
            client.raise_request_exception = False
            barrier.wait(timeout=30)
            status = client.post(url, data).status_code
            with lock:
                statuses.append(status)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(statuses) == PARALLEL, statuses
    return statuses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("record", ["IOP from a vedtak", "IUP", "oppfølgingsplan"])
def test_a_double_submit_makes_one_record(transactional_world: World, record: str) -> None:
    """Eight parallel submits of a create of which a pupil has one (a live
    IOP or IUP per school year, one active follow-up plan): no server
    error, every submit lands on the same record, and there is one."""
    w = transactional_world
    pupil = w.pupil_a
    if record == "IOP from a vedtak":
        vedtak = ready(w).vedtak
        url, data = reverse("iop:iop_create", args=[vedtak.pk]), {}
        made = lambda: Iop.objects.filter(pupil=pupil, vedtak=vedtak)  # noqa: E731
    elif record == "IUP":
        url, data = reverse("iop:iup_create", args=[pupil.pk]), {}
        made = lambda: Iup.objects.filter(pupil=pupil)  # noqa: E731
    else:
        url, data = reverse("followup:plan_edit", args=[pupil.pk]), {"main_challenges": "Lesing og skriving"}
        made = lambda: Oppfolgingsplan.objects.filter(pupil=pupil, status=Oppfolgingsplan.Status.ACTIVE)  # noqa: E731
    assert not made().exists()
    statuses = submit_in_parallel(w, "teacher", url, data)
    assert all(status < 500 for status in statuses), statuses
    assert statuses == [302] * PARALLEL, statuses
    assert made().count() == 1
