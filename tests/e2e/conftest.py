"""Browser tests: Playwright (Python) driving Debian's Chromium.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "riktig-hest-batteri"  # tests.factories.PASSWORD


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; scripts/setup.sh installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # bypass_csp lets the test inject axe-core; the app itself stays under its CSP.
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def strict_page(browser: Any) -> Iterator[Any]:
    """A page under the app's own Content-Security-Policy (no axe-core): what
    the page does that the CSP refuses shows as a console message."""
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def login(page: Any, live_server_url: str, email: str, password: str = PASSWORD) -> None:
    """Log in through the real login form."""
    page.goto(f"{live_server_url}/konto/logg-inn/")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(password)
    # The page the login leads to has loaded before anything reads it (or goes
    # elsewhere, which would cut the login short).
    follow(page, page.get_by_role("button", name="Logg inn"))


def follow(page: Any, link: Any) -> None:
    """Click a link (or a button that sends a form the ordinary way) and wait
    until the page it leads to has loaded, so that what the test reads next
    is the new page, never the old one or a page still being parsed."""
    with page.expect_navigation(wait_until="load"):
        link.click()


def open_goal(page: Any, goal_id: Any) -> None:
    """Start editing an IOP goal shown as reading text: "Rediger mål" brings
    its form in, with the focus at the end of the goal's text."""
    page.locator(f"#goal-{goal_id}").get_by_role("link", name="Rediger mål").click()
    page.locator(f"#id_{goal_id}-text").wait_for()
    page.wait_for_function(f"() => document.activeElement?.id === 'id_{goal_id}-text'")
    # The caret is at the end of the text: typing adds to it, never into its first word.
    page.wait_for_function("() => document.activeElement.selectionStart === document.activeElement.value.length")


def axe_violations(page: Any, *, exclude_rules: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Run axe-core (from npm) in the page; return its violations (WCAG 2.1 A/AA)."""
    page.add_script_tag(path=str(AXE_JS))
    options: dict[str, Any] = {
        "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
        # Only the violations are read: axe skips the details of what passed.
        "resultTypes": ["violations"],
    }
    if exclude_rules:
        options["rules"] = {rule: {"enabled": False} for rule in exclude_rules}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in violations],
        indent=1,
        ensure_ascii=False,
    )


def assert_accessible(page: Any, *, exclude_rules: tuple[str, ...] = ()) -> None:
    """axe-core finds no WCAG 2.1 A/AA (or best-practice) violation on the page as it is now."""
    # Never on a page still being parsed (callers have waited for something on it first).
    page.wait_for_load_state("load")
    violations = axe_violations(page, exclude_rules=exclude_rules)
    assert not violations, f"{page.url}: {describe(violations)}"
