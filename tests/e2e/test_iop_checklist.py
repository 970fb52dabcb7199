"""The clear-line checks of the IOP page follow the goals in Chromium: an
empty goal added is listed as a goal without text, and deleting it clears
the warning at once, without a reload."""

from __future__ import annotations

import re
from typing import Any

import pytest

from iop.models import Goal, Iop
from tests.conftest import World
from tests.e2e.conftest import login
from tests.iop.factories import chain

UNWRITTEN = '#plan-checklist [data-flag="iop_goal_without_text"]'


@pytest.mark.django_db(transaction=True)
def test_deleting_an_empty_goal_clears_the_warning_without_a_reload(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    ch = chain(w.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    section = ch.sections[0]
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    assert page.locator(UNWRITTEN).count() == 0

    page.keyboard.press("Alt+1")
    page.wait_for_function(f"() => document.activeElement?.id === 'heading-{section.pk}'")
    page.keyboard.press("Alt+N")
    page.wait_for_function("() => document.activeElement?.matches('textarea[id$=\"-text\"]') ?? false")
    page.locator(UNWRITTEN).wait_for()  # the new, empty goal is listed at once
    assert "1 læringsmål har ingen tekst ennå" in page.locator("#plan-checklist").inner_text()
    empty = Goal.objects.get(section=section, text="")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#goal-{empty.pk}").get_by_role("button", name=re.compile(r"^Slett")).click()
    page.locator(f"#goal-{empty.pk}").wait_for(state="detached")
    page.wait_for_function(f"() => document.querySelectorAll('{UNWRITTEN}').length === 0")
    assert not Goal.objects.filter(pk=empty.pk).exists()
    assert page.locator("#plan-checklist").count() == 1  # the region stays for the next update
