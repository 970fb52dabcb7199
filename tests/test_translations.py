"""Every catalog compiles cleanly and is complete: no untranslated or fuzzy entries.

The catalogs are found, not listed: every ``.po`` file of the project (the
project's ``locale/`` and each app's), in every language. A catalog is also
current: ``makemessages`` run on the source finds no string it lacks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_OURS = {".git", ".venv", "node_modules", "var", "static", "staticfiles", "__pycache__"}
NOT_SOURCE = {"tests", "bench", "docs", "scripts"}
STATISTICS = re.compile(r"(\d+) (translated|fuzzy|untranslated) (?:message|translation)s?")


def catalogs() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in NOT_OURS and not d.startswith(".")]
        found += [Path(folder) / name for name in files if name.endswith(".po")]
    return sorted(found)


CATALOGS = catalogs()
# Every app catalog exists in every language the interface offers.
APP_CATALOGS = ("", "curriculum/", "iop/", "iop/reports/", "followup/", "followup/kpi/")
CATALOG_LANGUAGES = ("nb", "nn", "sv", "en")


def name(catalog: Path) -> str:
    return str(catalog.relative_to(ROOT))


@pytest.fixture(scope="module")
def msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("msgfmt (gettext) is missing; scripts/setup.sh installs it")
        pytest.skip("gettext is installed by scripts/setup.sh")
    return path


def check(msgfmt: str, catalog: Path) -> str:
    """msgfmt's complaints about CATALOG ("" when it compiles and translates every string)."""
    result = subprocess.run(  # noqa: S603
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(catalog)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    counts = {kind: int(n) for n, kind in STATISTICS.findall(result.stderr)}
    if result.returncode != 0 or not counts.get("translated") or counts.get("fuzzy") or counts.get("untranslated"):
        return result.stderr
    return ""


def test_it_finds_the_catalogs_of_every_app_and_language() -> None:
    found = {name(p) for p in CATALOGS}
    assert found >= {
        f"{app}locale/{language}/LC_MESSAGES/django.po" for app in APP_CATALOGS for language in CATALOG_LANGUAGES
    }, found


def test_every_catalog_of_a_language_says_which_language_it_is() -> None:
    """The header's Language matches the folder: an English catalog copied
    from the bokmål one must not claim to be bokmål."""
    wrong = []
    for catalog in CATALOGS:
        language = catalog.parent.parent.name
        if f'"Language: {language}\\n"' not in catalog.read_text(encoding="utf-8")[:2000]:
            wrong.append(name(catalog))
    assert not wrong, wrong


@pytest.mark.parametrize("catalog", CATALOGS, ids=name)
def test_it_compiles_and_translates_every_string(catalog: Path, msgfmt: str) -> None:
    problems = check(msgfmt, catalog)
    assert not problems, problems


def test_every_string_of_the_source_is_in_its_catalog(msgfmt: str, tmp_path: Path) -> None:
    """``makemessages`` on a copy of the source adds nothing untranslated to any catalog."""
    copy = tmp_path / "source"
    shutil.copytree(
        ROOT, copy, ignore=lambda folder, names: [n for n in names if n in NOT_OURS | NOT_SOURCE or n.startswith(".")]
    )
    languages = sorted({p.parts[-3] for p in CATALOGS})
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemessages", "-v0", *(f"--locale={lang}" for lang in languages)],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "iop.settings_test"},
        check=True,
    )
    stale = {name(p): check(msgfmt, copy / name(p)) for p in CATALOGS}
    assert not any(stale.values()), (
        "Strings of the source missing from their catalog (run makemessages in the app's folder and translate):\n"
        + "\n".join(f"{catalog}: {problems}" for catalog, problems in stale.items() if problems)
    )


def test_the_swedish_catalogs_say_ladda_ner_throughout() -> None:
    """One word for "download" in Swedish: «Ladda ner», never also «Ladda ned»."""
    swedish = [p for p in CATALOGS if p.parts[-3] == "sv"]
    assert swedish
    mixed = [name(p) for p in swedish if re.search(r"\b(ladda|laddas|laddar) ned\b", p.read_text(), re.IGNORECASE)]
    assert not mixed, mixed
