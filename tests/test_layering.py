"""The apps depend on each other in one direction only (ARCHITECTURE.md):
curriculum and students import nothing of ours, iop never imports followup,
settings import no app; and no app looks a model up by a name guessed at run
time (``apps.get_model`` belongs in migrations only)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("curriculum", "students", "iop", "followup")
SETTINGS = ("iop/settings.py", "iop/settings_test.py")
# What each app may import of ours (besides itself).
ALLOWED = {
    "curriculum": set(),
    "students": set(),
    "iop": {"students", "curriculum"},
    "followup": {"students", "iop", "curriculum"},
}
# Settings may read these helpers of the project package: no models, no app code.
SETTINGS_MAY_IMPORT = {"iop.settings", "iop.proxy", "iop.sso_config"}


def sources(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def imported(path: Path) -> set[str]:
    """Every module PATH imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            out.add(module)
            out |= {f"{module}.{alias.name}" for alias in node.names}
    return out


def ours(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in APPS else None


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_apps_below_it(app: str) -> None:
    wrong = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources(app)
        if str(path.relative_to(ROOT)) not in SETTINGS
        for module in imported(path)
        if (top := ours(module)) and top != app and top not in ALLOWED[app]
    )
    assert wrong == []


def test_settings_import_no_app() -> None:
    wrong = sorted(
        f"{name}: {module}"
        for name in SETTINGS
        for module in imported(ROOT / name)
        if ours(module) and not any(module == m or module.startswith(f"{m}.") for m in SETTINGS_MAY_IMPORT)
    )
    assert wrong == []


def test_no_model_is_looked_up_by_a_guessed_name() -> None:
    wrong = sorted(
        str(path.relative_to(ROOT))
        for app in APPS
        for path in sources(app)
        if "get_model(" in path.read_text(encoding="utf-8")
    )
    assert wrong == []
