"""Every catalog is complete: no untranslated or fuzzy Norwegian entries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted(
    p
    for p in ROOT.glob("**/locale/nb/LC_MESSAGES/django.po")
    if ".venv" not in p.parts and "node_modules" not in p.parts
)


def test_it_has_a_norwegian_catalog() -> None:
    assert (ROOT / "locale/nb/LC_MESSAGES/django.po") in CATALOGS


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is installed by scripts/setup.sh")
@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_translates_every_string(catalog: Path) -> None:
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalog)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


SWEDISH = [ROOT / "locale/sv/LC_MESSAGES/django.po"]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is installed by scripts/setup.sh")
@pytest.mark.parametrize("catalog", SWEDISH, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_translates_the_pages_swedish_schools_use(catalog: Path) -> None:
    test_it_translates_every_string(catalog)
