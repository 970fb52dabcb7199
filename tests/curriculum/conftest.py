"""Fixtures for the curriculum tests.

Udir's real Grep records live beside the repository in ``../shared/curriculum``
(reference data, never copied into the project). Tests that need them are
skipped, with the reason, when that folder is absent, except on CI
(``CI=true``, set by ``.ci/run``), where they fail: CI provides the folder, and
a missing one must not pass as a green run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curriculum import grep

SHARED_CURRICULUM = Path(__file__).resolve().parents[2] / ".." / "shared" / "curriculum"


@pytest.fixture(scope="session")
def shared_curriculum() -> Path:
    if not SHARED_CURRICULUM.is_dir():
        missing = f"Udir reference data not found at {SHARED_CURRICULUM.resolve()} (the shared/ folder)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; CI provides it beside the repository")
        pytest.skip(missing)
    return SHARED_CURRICULUM


@pytest.fixture(scope="session")
def grep_samples(shared_curriculum: Path) -> Path:
    return shared_curriculum / "grep-samples"


@pytest.fixture(scope="session")
def lk20_subset(shared_curriculum: Path) -> Path:
    return shared_curriculum / "lk20-subset"


@pytest.fixture
def lk20(db: None, lk20_subset: Path) -> grep.ImportResult:
    """The 317 real aims of NOR01-07, MAT01-05 and ENG01-05 in the database."""
    return grep.import_paths([lk20_subset])
