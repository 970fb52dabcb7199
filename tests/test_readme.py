"""The README's configuration table names every environment variable the
settings read, and nothing they do not."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READERS = r"(?:os\.environ\.get|os\.getenv|env_int|env_bool|env_list)\(\s*\"([A-Z][A-Z0-9_]+)\""


def variables_read() -> set[str]:
    """Every variable ``iop/settings.py`` reads (the test-only settings module aside)."""
    return set(re.findall(READERS, (ROOT / "iop" / "settings.py").read_text()))


def variables_documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("### Configuration", 1)[1].split("\n\n", 2)[1]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_the_configuration_table_matches_the_settings() -> None:
    read, documented = variables_read(), variables_documented()
    assert len(read) > 30  # the scan found the settings' readers
    assert not read - documented, f"Read by iop/settings.py but not in the README's table: {sorted(read - documented)}"
    assert not documented - read, f"In the README's table but read by nothing: {sorted(documented - read)}"
