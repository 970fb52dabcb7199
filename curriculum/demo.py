"""Demo data for the curriculum: the project's own small, invented curriculum.

``create`` fits ``settings.DEMO_BUILDERS`` (``"curriculum.demo.create"``); it
imports ``curriculum/demo_data`` through the real importer and is idempotent.
"""

from __future__ import annotations

from .grep import ImportResult, import_demo


def create() -> ImportResult:
    return import_demo()
