"""The goal picker through the real UI, keyboard only: the kontaktlærer starts
editing a goal, opens "Finn kompetansemål" on it, searches, attaches an aim and sees it on the
goal (also after a reload). axe-core checks the page with the picker open."""

from __future__ import annotations

from typing import Any

import pytest

from iop import selectors
from iop.models import Iop
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, login
from tests.iop.factories import aim, chain

TEXT = "telle til hundre og sortere mengder"


def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching SELECTOR has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


@pytest.mark.django_db(transaction=True)
def test_a_teacher_attaches_an_aim_to_a_goal_with_the_keyboard_only(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    ch = chain(w.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    year = selectors.pupil_year_level(w.pupil_a, ch.iop.school_year) or 4
    wanted = aim("KM9001", TEXT, year=year)
    aim("KM9002", "regne med brøker", year=year)

    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    card = page.locator(f"#goal-{goal.pk}")
    assert "KM9001" not in card.inner_text()

    # Start editing the goal with the keyboard: its form comes in with the focus.
    tab_to(page, f'#goal-{goal.pk} a[data-draft-opener="goal:{goal.pk}"]')
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement?.id === 'id_{goal.pk}-text'")
    aims_list = page.locator(f"#goal-aims-{goal.pk}")
    assert "KM9001" not in aims_list.inner_text()

    # Open "Finn kompetansemål" with the keyboard.
    tab_to(page, f"#goal-{goal.pk} details.iop-aim-picker > summary")
    page.keyboard.press("Enter")
    assert card.locator("details.iop-aim-picker").evaluate("el => el.open")

    # Search for words; the subject and the pupil's year level are filled in.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == f"aims-{goal.pk}-q"
    # Opened, the picker already lists the aims of the subject at the pupil's level.
    results = page.locator(f"#aim-results-{goal.pk}")
    results.locator('li[data-aim="KM9002"]').wait_for()
    page.keyboard.type("telle")
    page.keyboard.press("Enter")
    results.locator('li[data-aim="KM9002"]').wait_for(state="detached")
    results.locator('li[data-aim="KM9001"]').wait_for()

    assert_accessible(page)  # the picker open, with results

    # Attach it.
    tab_to(page, f'#aim-results-{goal.pk} button[name="add"][value="{wanted.pk}"]')
    page.keyboard.press("Enter")
    aims_list.locator('li[data-aim="KM9001"]').wait_for()
    assert TEXT in aims_list.inner_text()
    # The focus is not lost with the button that was pressed: it is on the goal's list of aims.
    page.wait_for_function(f"() => document.activeElement?.id === 'goal-aims-{goal.pk}'")
    # Removed and attached again: the focus stays on the list, not on the page.
    tab_to(page, f'#goal-aims-{goal.pk} button[name="remove"][value="{wanted.pk}"]')
    page.keyboard.press("Enter")
    aims_list.locator('li[data-aim="KM9001"]').wait_for(state="detached")
    page.wait_for_function(f"() => document.activeElement?.id === 'goal-aims-{goal.pk}'")
    tab_to(page, f'#aim-results-{goal.pk} button[name="add"][value="{wanted.pk}"]')
    page.keyboard.press("Enter")
    aims_list.locator('li[data-aim="KM9001"]').wait_for()
    assert list(goal.competence_aims.values_list("code", flat=True)) == ["KM9001"]

    page.reload()  # the goal reads as text again, with its aim
    shown = page.locator(f'#goal-{goal.pk} li[data-aim="KM9001"]')
    assert "KM9001" in shown.inner_text() and TEXT in shown.inner_text()
    assert shown.inner_text().index(TEXT) < shown.inner_text().index("KM9001"), "the aim's words first, its code after"
