"""Two teachers edit the same goal in two browser contexts, from the same
version: different fields both survive; the same field shows both texts
side by side, and after choosing, the page shows one clear state."""

from __future__ import annotations

from typing import Any

import pytest

from iop.models import Goal, Iop
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, login, open_goal
from tests.iop.factories import chain


@pytest.mark.django_db(transaction=True)
def test_two_teachers_edit_the_same_goal(live_server: Any, transactional_world: World, browser: Any, page: Any) -> None:
    w = transactional_world
    ch = chain(w.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    url = f"{live_server.url}/iop/{ch.iop.pk}/"

    other = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    other.set_default_timeout(10_000)
    b = other.new_page()
    login(page, live_server.url, "teacher@test.example")
    login(b, live_server.url, "coordinator@test.example")
    page.goto(url)
    b.goto(url)
    open_goal(page, goal.pk)
    open_goal(b, goal.pk)  # both from version 1

    def save(p: Any, field: str, text: str) -> None:
        card = p.locator(f"#goal-{goal.pk}")
        card.locator(f"#id_{goal.pk}-{field}").fill(text)
        card.locator("form[data-draft]").evaluate("form => form.requestSubmit()")  # autosave, sent now

    # Different fields: both survive, and B's page takes A's text.
    save(page, "quality_1", "Kvalitet fra A")
    page.locator(f"#goal-status-{goal.pk}").get_by_text("Lagret").wait_for()
    save(b, "independence_1", "Selvstendighet fra B")
    b.locator(f"#goal-status-{goal.pk}").get_by_text("Lagret").wait_for()
    assert b.locator(f"#id_{goal.pk}-quality_1").input_value() == "Kvalitet fra A"
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.quality_1, stored.independence_1) == ("Kvalitet fra A", "Selvstendighet fra B")
    assert b.locator(".iop-conflict").count() == 0

    # The same field: B sees both texts side by side, nothing is lost.
    page.reload()
    open_goal(page, goal.pk)
    save(page, "quality_1", "A skrev dette")
    page.locator(f"#goal-status-{goal.pk}").get_by_text("Lagret").wait_for()
    save(b, "quality_1", "B skrev dette")
    conflict = b.locator(f"#goal-{goal.pk} .iop-conflict")
    conflict.wait_for()
    assert "A skrev dette" in conflict.inner_text() and "B skrev dette" in conflict.inner_text()
    assert "Tone Lærer" in conflict.inner_text()
    assert_accessible(b)
    assert Goal.objects.get(pk=goal.pk).quality_1 == "A skrev dette"

    # B merges: the merged text is saved, the banner is gone, one clear state.
    merged = conflict.get_by_label("Sammenslått tekst: Kvalitet: begynnernivå")
    merged.fill("A skrev dette, og B la til sitt")
    choice = conflict.get_by_label("Bruk den sammenslåtte teksten under")
    words = choice.locator("xpath=..")  # the label around it
    radio, line = choice.bounding_box(), words.bounding_box()
    assert radio["height"] > line["height"] / 2, "the radio button beside its words, on one line"
    choice.check()
    b.locator(f"#goal-{goal.pk}").get_by_role("button", name="Lagre mål").click()
    b.locator(f"#goal-status-{goal.pk}").get_by_text("Lagret").wait_for()
    assert b.locator(".iop-conflict").count() == 0
    assert b.locator(f"#goal-{goal.pk} .ds-alert[data-color='danger']").count() == 0
    assert b.locator(f"#goal-{goal.pk} .draft-offer").count() == 0, "the rejected text is not offered back"
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.quality_1, stored.independence_1) == ("A skrev dette, og B la til sitt", "Selvstendighet fra B")
    other.close()
