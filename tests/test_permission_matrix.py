"""Every URL pattern of the project, every HTTP method its view accepts, every
persona: the expected status, and whether the request wrote to the database.

A URL pattern without rows in ``tests/<app>/matrix.py`` makes this fail, and so
does a method a view accepts without rows for it (a new pattern that reuses a
name, or a view that starts accepting POST, can not slip through).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.urls import Resolver404, resolve, reverse

from students.middleware import ACCOUNT_URL_NAMES, OWN_SETTINGS_VIEWS
from students.models import School
from tests.conftest import PERSONAS, World, build_world
from tests.matrix import (
    LOGGED_OUT,
    MISSING_INT,
    MISSING_UUID,
    Chain,
    Pattern,
    Row,
    accepted_methods,
    all_rows,
    chain_of,
    changed_tables,
    existing_ids,
    fingerprint,
    missing_objects,
    row_groups,
    url_patterns,
)

ROWS = all_rows()
# HEAD is GET without a body and OPTIONS answers every class-based view; the
# rest must each have rows wherever a view accepts them.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Who asks a function view whether it accepts a method: logged in, so the
# login check lets the request through to the method check.
PROBE_PERSONA = "coordinator"


class SharedWorld(World):
    """A world built once per test module and worker: each test runs in a
    savepoint inside the module's transaction, so every test starts from the
    same rows. Clients log in once; each test gets fresh clients holding the
    same session cookie (a logout in one test ends nothing for the next: its
    session row is back after the rollback)."""

    sessions: dict[str, str] = {}

    def client(self, persona: str) -> Client:
        client = Client()
        if persona in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return client


@pytest.fixture(scope="module")
def module_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[SharedWorld]:
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        shared = SharedWorld(**{f: getattr(built, f) for f in World.__dataclass_fields__})
        sessions = {}
        for persona in PERSONAS:
            client = World.client(shared, persona)
            if settings.SESSION_COOKIE_NAME in client.cookies:
                sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        shared.sessions = sessions
        yield shared
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world: SharedWorld, db: None) -> Iterator[World]:
    yield module_world
    module_world.extra.clear()


def is_admin(pattern: Pattern) -> bool:
    return pattern.namespace.split(":")[0] == "admin"


def app_patterns() -> list[Pattern]:
    return [p for p in url_patterns() if not is_admin(p)]


def login_url(response: Any) -> bool:
    try:
        return resolve(response["Location"].split("?", 1)[0]).url_name == "login"
    except (KeyError, Resolver404):
        return False


@contextmanager
def scratch(world: World) -> Iterator[None]:
    """Whatever is made inside is rolled back afterwards, and the world
    forgets the records it cached."""
    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)
            world.extra.clear()


def asked_directly(method: str, url: str, user: Any) -> Any:
    """What the view of URL answers USER when called without the middleware
    (its own decorators decide on methods and, in the admin, on access): the
    response, or the exception it raised. Any write is rolled back."""
    request = RequestFactory().generic(method, url)
    request.user = user or AnonymousUser()
    request.resolver_match = match = resolve(url.split("?", 1)[0])
    with transaction.atomic():
        try:
            return match.func(request, *match.args, **match.kwargs)
        except Exception as exc:  # reported by the caller, whatever it is
            return exc
        finally:
            transaction.set_rollback(True)


def status_of(answer: Any) -> int | str:
    return getattr(answer, "status_code", None) or type(answer).__name__


def test_it_has_rows_for_every_url_pattern_and_method(world: World) -> None:
    """Each row's URL resolves to the URL pattern it is filed under (by the
    pattern, not its name); every pattern has rows; every method a pattern's
    view accepts has rows (a class-based view says which it handles, a
    function view is asked: anything but 405 means it accepts the method)."""
    patterns = app_patterns()
    known = {p.chain: p for p in patterns}
    methods: dict[Chain, set[str]] = {}
    wrong: list[str] = []
    unrowed: list[str] = []
    prober = world.user(PROBE_PERSONA)
    for group in row_groups().values():
        with scratch(world):
            urls: dict[Chain, str] = {}  # a URL of each pattern the group's rows reach
            for name, rows in sorted(group.items()):
                for index, row in enumerate(rows):
                    url = row.url(world)
                    try:
                        pattern = known.get(chain_of(url))
                    except Resolver404:
                        pattern = None
                    if pattern is None or pattern.name != name:
                        wrong.append(f"{name} row {index}: {url} reaches {pattern or 'no URL pattern of the project'}")
                        continue
                    methods.setdefault(pattern.chain, set()).add(row.method.upper())
                    urls.setdefault(pattern.chain, url)
            for chain, url in urls.items():
                pattern = known[chain]
                accepted = accepted_methods(pattern)
                for method in METHODS:
                    if method in methods[chain]:
                        continue
                    if accepted is not None:
                        if method in accepted:
                            unrowed.append(f"{method} {pattern}")
                        continue
                    status = status_of(asked_directly(method, url, prober))
                    if status != 405:
                        unrowed.append(f"{method} {pattern} (answers {status} to the {PROBE_PERSONA})")
    assert not wrong, f"Rows whose URL does not reach the pattern they are filed under: {wrong}"
    missing = [str(p) for p in patterns if p.chain not in methods]
    assert not missing, f"URL patterns without permission-matrix rows: {missing}"
    assert not unrowed, f"Methods a view accepts without permission-matrix rows: {unrowed}"


def test_the_write_counter_sees_a_write_rolled_back(world: World) -> None:
    """What the tests below rely on: a write in a savepoint rolled back since
    still shows, in its table only."""
    before = fingerprint()
    with transaction.atomic():
        School.objects.filter(pk=world.school1.pk).update(name="Ny skole")
        transaction.set_rollback(True)
    assert changed_tables(before, fingerprint()) == ["students_school"]


@pytest.mark.parametrize(
    ("name", "index"), [(name, i) for name, rows in sorted(ROWS.items()) for i in range(len(rows))]
)
def test_it_answers_each_persona_as_expected(world: World, name: str, index: int) -> None:
    """Each persona gets the expected status; a write (POST, PUT) writes to
    the database for exactly the personas the row says write (everyone else's
    request, refused or redirected, leaves it alone) and passes the row's
    check; logged-out personas are redirected to the login."""
    row: Row = ROWS[name][index]
    assert set(row.expect) == set(PERSONAS), f"{name} row {index} lacks personas {set(PERSONAS) - set(row.expect)}"
    # Everything the row needs exists before the first request and survives
    # each request's rollback.
    url = row.url(world)
    data = row.data(world) if row.data else {}
    missing = missing_objects(url, existing_ids())
    assert not missing, f"{name} row {index}: {url} names objects that do not exist: {missing}"
    clients = {persona: world.client(persona) for persona in PERSONAS}
    writers = row.writers()
    got: dict[str, int] = {}
    problems: list[str] = []
    for persona in PERSONAS:
        with transaction.atomic():
            before = fingerprint()
            response = getattr(clients[persona], row.method)(url, data)
            got[persona] = response.status_code
            if row.method != "get":
                changed = changed_tables(before, fingerprint())
                if persona in writers and not changed:
                    problems.append(f"{persona}: changed nothing")
                if persona not in writers and changed:
                    problems.append(f"{persona}: changed {changed}")
            if row.check is not None:
                try:
                    row.check(world, persona, response)
                except AssertionError as exc:
                    problems.append(f"{persona}: {exc}")
            transaction.set_rollback(True)
        if persona in LOGGED_OUT and response.status_code == 302 and not login_url(response):
            problems.append(f"{persona}: redirected to {response['Location']}, not to the login")
    mismatches = {p: (row.expect[p], got[p]) for p in PERSONAS if row.expect[p] != got[p]}
    label = f"{row.method.upper()} {url} ({row.label or name})"
    assert not mismatches, f"{label}: persona → (expected, got) {mismatches}"
    assert not problems, f"{label}: {problems}"


# --- the admin ----------------------------------------------------------------------------

# Sample values for the arguments of admin URL patterns: only an operator gets
# past the admin's permission check, so for everyone else the values need not
# name anything.
SAMPLE = {"int": "1", "uuid": str(MISSING_UUID)}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
CHOICE = re.compile(r"\(\?P<\w+>(\w+)(?:\|\w+)*\)")
SEGMENT = re.compile(r"\((?:\?P<\w+>)?\[\^/\]\+\)")
ANY = re.compile(r"\((?:\?P<\w+>)?\.\*\)")


def sample_path(pattern: Pattern) -> str:
    """A path that resolves to PATTERN (an admin pattern: routes and the few
    regular expressions the admin uses)."""
    path = ANY.sub("nothing/", SEGMENT.sub("1", CHOICE.sub(r"\1", pattern.route)))
    path = CONVERTER.sub(lambda m: SAMPLE.get(m["converter"] or "str", "1"), path)
    return "/" + path.replace("^", "").replace("$", "")


def admin_patterns() -> list[Pattern]:
    return [p for p in url_patterns() if is_admin(p)]


def test_every_admin_pattern_has_a_sample_url() -> None:
    wrong = []
    for pattern in admin_patterns():
        path = sample_path(pattern)
        try:
            reached = chain_of(path)
        except Resolver404:
            reached = ()
        if reached != pattern.chain:
            wrong.append(f"{pattern}: {path}")
    assert not wrong, f"Admin patterns the sample path does not reach: {wrong}"


def refused_by_the_admin(path: str, response: Any) -> bool:
    """Sent to the admin's login page (from the logout page: to its index)."""
    if getattr(response, "status_code", None) != 302:
        return False
    target = resolve(response["Location"].split("?", 1)[0]).view_name
    return target == "admin:login" or (path == reverse("admin:logout") and target == "admin:index")


def test_it_keeps_the_admin_for_operators_only(world: World) -> None:
    """Every URL pattern in the ``admin`` namespace sends a visitor (through
    the whole stack) and a school's coordinator (asked of the view itself:
    the admin's own guard, ~1 ms a pattern) to the admin's login, bar the
    login page, which shows its form. Every persona but the operator is
    refused the index; the operator reaches it and every model's changelist.
    GET only: the guard is the same for every method, and a view without it
    answers a GET with anything but the redirect (a POST-only one: 405)."""
    clients = {persona: world.client(persona) for persona in PERSONAS}
    coordinator = world.user("coordinator")
    login = reverse("admin:login")
    wrong: list[str] = []
    for pattern in admin_patterns():
        path = sample_path(pattern)
        if path == login:
            continue
        response = clients["anonymous"].get(path)
        if not refused_by_the_admin(path, response):
            wrong.append(f"GET {path} as a visitor: {response.status_code}")
        response = asked_directly("GET", path, coordinator)
        if not refused_by_the_admin(path, response):
            wrong.append(f"GET {path} as the coordinator: {status_of(response)}")
    for persona in ("anonymous", "coordinator"):
        status = clients[persona].get(login).status_code
        if status != 200:
            wrong.append(f"{login} as {persona}: {status}")
    index = reverse("admin:index")
    for persona, client in clients.items():
        response = client.get(index)
        if persona == "operator" and response.status_code != 200:
            wrong.append(f"{index} as the operator: {response.status_code}")
        if persona != "operator" and not refused_by_the_admin(index, response):
            wrong.append(f"{index} as {persona}: {response.status_code}")
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        status = clients["operator"].get(url).status_code
        if status != 200:
            wrong.append(f"{url} as the operator: {status}")
    assert not wrong, f"Admin answers: {wrong}"


# --- guardians write nothing ------------------------------------------------------------

GUARDIANS = ("guardian_a", "guardian_b")


def without_read_only_middleware() -> Any:
    return override_settings(
        MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != "students.middleware.ReadOnlyUsersMiddleware"]
    )


def named_ids(url: str) -> set[Any]:
    """The ids of the records URL names (not the deliberately missing ones)."""
    values = resolve(url.split("?", 1)[0]).kwargs.values()
    return {v for v in values if isinstance(v, uuid.UUID | int) and v not in (MISSING_UUID, MISSING_INT)}


def rolled_back(client: Client, method: str, url: str, data: dict[str, Any]) -> tuple[int, list[str]]:
    """The status of the request and the tables it wrote to, then rolled back."""
    with transaction.atomic():
        before = fingerprint()
        response = getattr(client, method)(url, data)
        changed = changed_tables(before, fingerprint())
        transaction.set_rollback(True)
    return response.status_code, changed


def test_it_refuses_every_write_by_a_guardian(world: World) -> None:
    """Guardians write nothing, and each refusal is the permission check's.

    Through the read-only middleware, a guardian's POST to every non-account
    URL pattern answers 404 where the address names a record (as for a record
    that is not theirs), else 403. Behind it (the middleware removed), the view
    itself refuses every POST row: 403 where the guardian sees every record
    the URL names (a GET row shows it to them, e.g. their own child), else
    403 or 404 (405 where the view takes no POST). The database is unchanged
    after every request, and every record a row names exists while it runs:
    each app's records are built before its requests, each request is
    rolled back."""
    clients = {persona: world.client(persona) for persona in GUARDIANS}
    seen: dict[str, set[Any]] = {persona: set() for persona in GUARDIANS}
    wrong: list[str] = []
    for group in row_groups().values():
        with scratch(world):
            built = [
                (row, row.url(world), row.data(world) if row.data else {})
                for name, rows in sorted(group.items())
                if name not in ACCOUNT_URL_NAMES and name not in OWN_SETTINGS_VIEWS  # their own account
                for row in rows
            ]
            ids = existing_ids()
            for row, url, _data in built:
                missing = missing_objects(url, ids)
                assert not missing, f"{url} names objects that do not exist: {missing}"
                for persona in GUARDIANS:
                    if row.method == "get" and row.expect[persona] == 200:
                        seen[persona] |= named_ids(url)
            # One URL per pattern: the middleware looks at the pattern only.
            per_pattern: dict[Chain, tuple[str, dict[str, Any]]] = {}
            for _row, url, data in sorted(built, key=lambda b: b[0].method != "post"):
                per_pattern.setdefault(chain_of(url), (url, data))
            for url, data in per_pattern.values():
                for persona in GUARDIANS:
                    status, changed = rolled_back(clients[persona], "post", url, data)
                    refused = 404 if resolve(url.split("?", 1)[0]).kwargs else 403  # a record's address: 404
                    if status != refused or changed:
                        wrong.append(f"POST {url} as {persona}: {status}, changed {changed}")
            with without_read_only_middleware():
                # A client loads the middleware on its first request: new ones.
                bare = {persona: world.client(persona) for persona in GUARDIANS}
                for row, url, data in built:
                    if row.method == "get":
                        continue
                    for persona in GUARDIANS:
                        status, changed = rolled_back(bare[persona], row.method, url, data)
                        named = named_ids(url)
                        sees = bool(named) and named <= seen[persona]
                        allowed = (403, 405) if sees else (403, 404, 405)
                        if status not in allowed or changed:
                            wrong.append(
                                f"{row.method.upper()} {url} ({row.label}) as {persona} behind the middleware: "
                                f"{status} (expected {allowed}), changed {changed}"
                            )
    assert not wrong, f"Guardian writes not refused: {wrong}"
