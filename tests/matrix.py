"""The permission matrix: for every URL pattern of the project and every HTTP
method its view accepts, what every persona gets.

Each app adds its rows in ``tests/<app>/matrix.py`` as
``ROWS: dict[str, list[Row]]`` keyed by the URL name (``namespace:name``) for
reading; ``tests/test_permission_matrix.py`` resolves each row's URL to the
URL *pattern* it reaches and fails for a pattern, or a method one accepts,
without rows, and for a row without an expectation for every persona.

A row that writes (POST, PUT) also says who changes the database
(``writes``): by default the logged-in personas it expects to be redirected
(302), since a redirect is both how a view reports success and how it reports
a refusal by a domain rule. The test asserts that exactly those personas
write to the database, and a row's ``check`` can assert the effect itself.
"""

from __future__ import annotations

import functools
import importlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.conftest import PERSONAS, World

# The URL modules with rows; an app adds itself here.
ROW_MODULES = [
    "tests.students.matrix",
    "tests.iop.matrix",
    "tests.followup.matrix",
    "tests.reports.matrix",
    "tests.kpi.matrix",
    "tests.atgardsprogram.matrix",
]

# Rows about objects that do not exist use these ids (anything else in a row's
# URL must exist when the row runs).
MISSING_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")
MISSING_INT = 999999

# A write by a read-only persona (guardians, the operator) to an address that
# names a record: the read-only middleware answers 404 before any view runs,
# as for a record that is not theirs (403 where the address names no record).
READ_ONLY_WRITE = {"guardian_a": 404, "guardian_b": 404, "operator": 404}
READ_ONLY_WRITE_NO_RECORD = {"guardian_a": 403, "guardian_b": 403, "operator": 403}

# Persona groups for readable rows.
SCHOOL1_STAFF_OF_A = ("teacher", "faglaerer", "coordinator", "ppt", "vikar")
LOGGED_OUT = ("anonymous", "deactivated")


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Expected status per persona: DEFAULT for all, logged-out personas
    redirected to the login page (302) unless overridden."""
    table = dict.fromkeys(PERSONAS, default)
    for persona in LOGGED_OUT:
        table[persona] = 302
    for persona, status in overrides.items():
        if persona not in PERSONAS:
            raise KeyError(f"unknown persona {persona!r}")
        table[persona] = status
    return table


def only(status: int, personas: tuple[str, ...] | list[str], other: int = 404, **overrides: int) -> dict[str, int]:
    table = expect(other, **overrides)
    for persona in personas:
        table.setdefault(persona, status)
        if persona not in overrides:
            table[persona] = status
    return table


# check(world, persona, response): more assertions on a request's effect, run
# before the request is rolled back.
Check = Callable[[World, str, HttpResponse], None]


@dataclass
class Row:
    url: Callable[[World], str]
    expect: dict[str, int]
    method: str = "get"
    data: Callable[[World], dict[str, Any]] | None = None
    label: str = ""
    # Rows that write (any method but GET): the personas whose request writes
    # to the database (None: the logged-in personas expected to get 302).
    writes: tuple[str, ...] | None = None
    check: Check | None = None

    def writers(self) -> frozenset[str]:
        if self.method == "get":
            return frozenset()
        if self.writes is not None:
            return frozenset(self.writes)
        return frozenset(p for p, status in self.expect.items() if status == 302 and p not in LOGGED_OUT)


def row_groups() -> dict[str, dict[str, list[Row]]]:
    """The rows of each app's module. The state one module's rows build can
    clash with another's (one live IOP per pupil and year), so tests that
    build many rows at once build one module's at a time."""
    return {name: importlib.import_module(name).ROWS for name in ROW_MODULES}


def all_rows() -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {}
    for group in row_groups().values():
        for name, entries in group.items():
            rows.setdefault(name, []).extend(entries)
    return rows


# --- URL patterns -----------------------------------------------------------------------

Chain = tuple[URLPattern | URLResolver, ...]


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the project: the resolvers leading to it and itself."""

    chain: Chain
    route: str
    namespace: str

    @property
    def pattern(self) -> URLPattern:
        last = self.chain[-1]
        assert isinstance(last, URLPattern)
        return last

    @property
    def name(self) -> str:
        name = self.pattern.name
        return f"{self.namespace}:{name}" if self.namespace and name else name or ""

    def __str__(self) -> str:
        return f"{self.route} ({self.name or 'unnamed'})"


def _join(route: str, part: str) -> str:
    return route + part.removeprefix("^") if route else part


def url_patterns(resolver: URLResolver | None = None, chain: Chain = (), route: str = "") -> Iterator[Pattern]:
    """Every URL pattern, recursively, with its full route and namespace."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, (*chain, entry), _join(route, str(entry.pattern)))
        else:
            namespace = ":".join(r.namespace for r in chain if isinstance(r, URLResolver) and r.namespace)
            yield Pattern((*chain, entry), _join(route, str(entry.pattern)), namespace)


def chain_of(url: str) -> Chain:
    """The chain of URL patterns that URL resolves to (Resolver404 if none)."""
    match = resolve(url.split("?", 1)[0])
    return tuple(match.tried[-1])


def accepted_methods(pattern: Pattern) -> frozenset[str] | None:
    """The methods a class-based view handles; None for a function view (whose
    decorators keep their list to themselves: ask it with a request)."""
    view_class = getattr(pattern.pattern.callback, "view_class", None)
    if view_class is None:
        return None
    return frozenset(m.upper() for m in view_class.http_method_names if hasattr(view_class, m))


# --- the database -----------------------------------------------------------------------


@functools.cache
def project_models() -> tuple[type[models.Model], ...]:
    """The models of the project's own apps, and django-guardian's object
    permissions (an explicit grant is a write too); through tables included."""
    base = Path(settings.BASE_DIR).resolve()
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if config.label == "guardian" or (path.is_relative_to(base) and ".venv" not in path.parts):
            found.extend(config.get_models(include_auto_created=True))
    return tuple(found)


Fingerprint = dict[str, tuple[int, int, int]]
WRITES = """
    SELECT c.relname, pg_stat_get_xact_tuples_inserted(c.oid), pg_stat_get_xact_tuples_updated(c.oid),
           pg_stat_get_xact_tuples_deleted(c.oid)
    FROM pg_class c
    WHERE c.relname = ANY(%s) AND c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
"""


def fingerprint() -> Fingerprint:
    """Per table of the project's apps: the rows the current transaction has
    inserted, updated and deleted so far (PostgreSQL's own counters, one
    query). Writes in a savepoint stay counted after it is rolled back, so
    take it right before a request and compare right after: any write the
    request made, even one that changed no value, changes it."""
    tables = sorted({m._meta.db_table for m in project_models() if m._meta.managed})
    with connection.cursor() as cursor:
        cursor.execute(WRITES, [tables])
        return {table: (inserted, updated, deleted) for table, inserted, updated, deleted in cursor.fetchall()}


def changed_tables(before: Fingerprint, after: Fingerprint) -> list[str]:
    return sorted(table for table in before if before[table] != after[table])


def existing_ids() -> set[Any]:
    """Every primary key of a UUID-keyed project model (one query)."""
    qn = connection.ops.quote_name
    tables = sorted(
        {
            (m._meta.db_table, m._meta.pk.column)
            for m in project_models()
            if m._meta.managed and isinstance(m._meta.pk, models.UUIDField)
        }
    )
    sql = " UNION ALL ".join(f"SELECT {qn(column)} FROM {qn(table)}" for table, column in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}


def missing_objects(url: str, ids: set[Any]) -> list[str]:
    """The ids in URL's captured arguments that name no object of the
    project (the deliberate MISSING_UUID / MISSING_INT excepted)."""
    match = resolve(url.split("?", 1)[0])
    missing: list[str] = []
    for key, value in match.kwargs.items():
        if value in (MISSING_UUID, MISSING_INT):
            continue
        if isinstance(value, uuid.UUID):
            if value not in ids:
                missing.append(f"{key}={value}")
        elif isinstance(value, int):
            model = next(
                (m for m in project_models() if key == f"{m._meta.model_name}_id" and not m._meta.auto_created), None
            )
            assert model is not None, f"{url}: which model does {key} name?"
            if not model._default_manager.filter(pk=value).exists():
                missing.append(f"{key}={value}")
    return missing
