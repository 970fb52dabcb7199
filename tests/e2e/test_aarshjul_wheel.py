"""The årshjul in the browser: the wheel beside its list, accessible, and on
paper (print media) without the site's navigation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import time_machine

from followup import deadlines
from tests.e2e.conftest import assert_accessible, login
from tests.followup.conftest import build_year_school

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_wheel_beside_its_list(live_server: Any, transactional_db: None, page: Any) -> None:
    with time_machine.travel("2026-11-20T09:00:00+01:00", tick=True):
        ys = build_year_school()
        deadlines.deadlines_generate(school_year=ys.year)
        page.set_viewport_size({"width": 1366, "height": 900})
        login(page, live_server.url, ys.coordinator.email)
        page.goto(f"{live_server.url}/oppfolging/arshjul/")
        wheel = page.get_by_role("img", name="Årshjul 2026/27")
        assert wheel.is_visible()
        assert page.locator("svg .wheel-mark").count() == page.locator("[data-aarshjul-list] tr[data-duty]").count()
        assert page.locator("[data-today]").count() == 1
        table = page.get_by_role("table", name="Skoleårets plikter etter dato")
        assert table.is_visible()
        # Beside each other on a wide screen.
        box_wheel, box_list = wheel.bounding_box(), table.bounding_box()
        assert box_wheel["x"] + box_wheel["width"] <= box_list["x"]
        assert_accessible(page)
        if os.environ.get("IOP_DOCS_SCREENSHOTS"):
            page.screenshot(path=str(DOCS / "aarshjul.png"), full_page=False)
        # On paper: no navigation, no buttons, the wheel and the list stay.
        page.emulate_media(media="print")
        assert not page.locator(".site-header").is_visible()
        assert not page.get_by_role("link", name="Ny plikt").is_visible()
        assert wheel.is_visible() and table.is_visible()


def test_the_list_fits_on_a_laptop(live_server: Any, transactional_db: None, page: Any) -> None:
    """At 1366 px (nynorsk, the longest words) the list's last column, Status,
    is whole in view: its box needs no sideways scrolling."""
    with time_machine.travel("2026-11-20T09:00:00+01:00", tick=True):
        ys = build_year_school()
        ys.coordinator.language = "nn"
        ys.coordinator.save(update_fields=["language"])
        deadlines.deadlines_generate(school_year=ys.year)
        page.set_viewport_size({"width": 1366, "height": 768})
        login(page, live_server.url, ys.coordinator.email)
        page.goto(f"{live_server.url}/oppfolging/arshjul/")
        table = page.get_by_role("table", name="Pliktene i skuleåret etter dato")
        assert table.is_visible()
        # The table's own box (nav.js may wrap it in one that scrolls) is no wider than it shows.
        widths = table.evaluate(
            "t => { const b = t.closest('.table-scroll') || t.parentElement; return [b.scrollWidth, b.clientWidth]; }"
        )
        assert widths[0] <= widths[1], widths
        box = table.evaluate("t => t.parentElement.getBoundingClientRect().right")
        last = table.locator("thead th").last.bounding_box()
        assert last["x"] + last["width"] <= box + 0.5
        assert last["x"] + last["width"] <= 1366
