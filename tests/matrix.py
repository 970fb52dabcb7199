"""The permission matrix: for every URL pattern of the project, what every
persona gets. Each app adds its rows in ``tests/<app>/matrix.py`` as
``ROWS: dict[str, list[Row]]`` keyed by the URL name (``namespace:name``);
``tests/test_permission_matrix.py`` fails for a URL pattern without rows and
for a row without an expectation for every persona.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import PERSONAS, World

# The URL modules with rows; an app adds itself here.
ROW_MODULES = [
    "tests.students.matrix",
    "tests.iop.matrix",
    "tests.followup.matrix",
    "tests.reports.matrix",
    "tests.kpi.matrix",
]

MISSING_UUID = uuid.UUID("00000000-0000-4000-8000-000000000000")

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


@dataclass
class Row:
    url: Callable[[World], str]
    expect: dict[str, int]
    method: str = "get"
    data: Callable[[World], dict[str, Any]] | None = None
    label: str = ""


def all_rows() -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {}
    for module_name in ROW_MODULES:
        module = importlib.import_module(module_name)
        for name, entries in module.ROWS.items():
            rows.setdefault(name, []).extend(entries)
    return rows
