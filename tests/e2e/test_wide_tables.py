"""Wide tables on a page of many (a plan's history): every table scrolls in a
box of its own (nav.js), the keyboard reaches a box that scrolls and only
such a box, and the page itself never scrolls sideways."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from iop import history, services
from iop.models import Goal, Iop
from tests.conftest import World
from tests.e2e.conftest import login
from tests.iop.factories import chain

ENTRIES = 80  # more than a page of the history holds: a full page


def long_history(w: World) -> Any:
    """A draft IOP whose goal the teacher changed ENTRIES times, each save
    far enough from the last to be an entry of its own on the history page
    (HISTORY_COLLAPSE_MINUTES)."""
    start = timezone.now() - datetime.timedelta(days=3)
    with time_machine.travel(start - datetime.timedelta(hours=1), tick=False):
        ch = chain(w.pupil_a, iop_status=Iop.Status.DRAFT)
    goal, teacher = ch.goals[0], w.user("teacher")
    for i in range(ENTRIES):
        with time_machine.travel(start + datetime.timedelta(minutes=15 * i), tick=False):
            current = Goal.objects.get(pk=goal.pk)
            text = f"Eleven leser enkle tekster med forståelse og forteller om dem etterpå, utkast {i}"
            services.goal_update(actor=teacher, goal=current, version=current.version, data={"text": text})
    assert ch.iop is not None
    return ch.iop


def boxes(page: Any) -> dict[str, Any]:
    """Each table of the page: whether it is in a box of its own, whether that
    box scrolls, and the box's tabindex."""
    return dict(
        page.evaluate(
            """() => {
              const tables = [...document.querySelectorAll('.site-main table')];
              const info = tables.map(t => {
                const b = t.parentElement, boxed = b.classList.contains('table-scroll');
                const scrolls = boxed && b.scrollWidth > b.clientWidth + 1;
                return {boxed, scrolls, tabindex: b.getAttribute('tabindex')};
              });
              return {
                tables: tables.length,
                boxed: info.filter(i => i.boxed).length,
                scrolling: info.filter(i => i.scrolls).length,
                reachable: info.filter(i => i.tabindex === '0').length,
                wrong: info.filter(i => i.scrolls !== (i.tabindex === '0')).length,
                page: [document.documentElement.scrollWidth, window.innerWidth],
              };
            }"""
        )
    )


@pytest.mark.django_db(transaction=True)
def test_every_table_of_a_long_history_scrolls_in_a_box_the_keyboard_reaches(
    transactional_world: World, live_server: Any, browser: Any
) -> None:
    iop = long_history(transactional_world)
    context = browser.new_context(locale="nb-NO", viewport={"width": 320, "height": 640})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_server.url, "teacher@test.example")
        page.goto(f"{live_server.url}/historikk/iop/{iop.pk}/")
        page.wait_for_load_state("load")
        narrow = boxes(page)
        assert narrow["tables"] >= min(ENTRIES, history.PAGE_SIZE), narrow
        assert narrow["boxed"] == narrow["tables"], "a table is not in a box of its own"
        assert narrow["scrolling"] > 0, "no table is wider than a 320 px screen: the test shows nothing"
        assert narrow["wrong"] == 0, "a box that scrolls is out of the keyboard's reach, or one that does not is in it"
        assert narrow["page"][0] <= narrow["page"][1], f"the page is {narrow['page'][0]} px wide"
        # Each box that scrolls says so above it, in words: a phone shows no scrollbar until touched.
        hints = page.locator(".table-scroll-hint")
        assert hints.count() == narrow["scrolling"]
        assert hints.first.inner_text().startswith("Bredere enn skjermen: rull tabellen sideveis")
        # A wide window: the boxes no longer scroll and leave the tab order.
        page.set_viewport_size({"width": 1600, "height": 900})
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.table-scroll')]"
            ".some(b => (b.scrollWidth > b.clientWidth + 1) !== (b.getAttribute('tabindex') === '0'))"
        )
        wide = boxes(page)
        assert wide["boxed"] == wide["tables"] and wide["wrong"] == 0
        assert page.locator(".table-scroll-hint").count() == wide["scrolling"]
        assert wide["reachable"] < narrow["reachable"], wide
    finally:
        context.close()
