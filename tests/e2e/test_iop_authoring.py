"""Writing an IOP fast, in Chromium: the table of contents per subject, the
keyboard shortcuts (Alt+2 to a subject, Alt+N a new empty goal with the focus
in it, Alt+J the next empty field, Alt+K the criteria from the template),
autosave without a per-goal save button, and the template action by mouse."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from iop.models import Goal, Iop
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login
from tests.e2e.test_no_lost_words import NO_DRAFTS
from tests.iop.factories import chain

SUBJECTS = (("Matematikk", 76), ("Norsk", 38), ("Engelsk", 38))


@pytest.mark.django_db(transaction=True)
def test_a_teacher_writes_a_goal_with_the_keyboard_shortcuts(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    ch = chain(w.pupil_a, subjects=SUBJECTS, goals=0, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    norsk = ch.sections[1]
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")

    toc = page.locator("#iop-toc")
    assert [a.inner_text() for a in toc.locator("[data-toc-subject]").all()][:3] == ["Matematikk", "Norsk", "Engelsk"]
    page.locator("#iop-shortcuts > summary").click()
    assert "Alt" in toc.inner_text() and "Nytt mål i faget du står i" in toc.inner_text()
    assert_accessible(page)

    # Alt+2: to Norsk; Alt+N: a new, empty goal there with the focus in its text.
    page.keyboard.press("Alt+2")
    page.wait_for_function(f"() => document.activeElement?.id === 'heading-{norsk.pk}'")
    page.keyboard.press("Alt+N")
    page.wait_for_function("() => document.activeElement?.matches('textarea[id$=\"-text\"]') ?? false")
    goal = Goal.objects.get(section=norsk)
    assert goal.text == ""
    text_box = page.locator(f"#id_{goal.pk}-text")
    assert text_box.get_attribute("placeholder") == "Hva skal eleven lære? Skriv noe som kan observeres."
    page.keyboard.type("Eleven leser korte tekster høyt.")

    # Alt+J: the next empty field (the first criterion); written in, Alt+J goes on to the next empty one.
    page.keyboard.press("Alt+J")
    assert page.evaluate("() => document.activeElement.id") == f"id_{goal.pk}-quality_1"
    page.keyboard.type("Leser enkeltord.")
    page.keyboard.press("Alt+J")
    assert page.evaluate("() => document.activeElement.id") == f"id_{goal.pk}-quality_2"

    # No save button while the goal saves itself; it is saved after a pause in the typing.
    card = page.locator(f"#goal-{goal.pk}")
    assert not card.get_by_role("button", name="Lagre mål").is_visible()
    card.get_by_role("status").get_by_text("Lagret").wait_for()
    goal.refresh_from_db()
    assert goal.text == "Eleven leser korte tekster høyt." and goal.quality_1 == "Leser enkeltord."

    # Alt+K: the remaining criteria from the template, the written one kept.
    page.keyboard.press("Alt+K")
    card.locator(f"#id_{goal.pk}-independence_1").wait_for()
    page.wait_for_function(
        f"() => document.getElementById('id_{goal.pk}-independence_1')?.value.startsWith('Eleven gjør det')"
    )
    goal.refresh_from_db()
    assert goal.quality_1 == "Leser enkeltord."
    assert goal.independence_1 == "Eleven gjør det med hjelp fra en voksen hele veien."
    assert all(getattr(goal, name) for name in Goal.CRITERIA_FIELDS)
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_the_template_button_fills_the_criteria_and_keeps_the_text_being_written(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    ch = chain(w.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    Goal.objects.filter(pk=goal.pk).update(**dict.fromkeys(Goal.CRITERIA_FIELDS, ""))
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    card = page.locator(f"#goal-{goal.pk}")
    card.get_by_role("link", name="Rediger mål").click()
    card.locator(f"#id_{goal.pk}-text").fill("Eleven teller til 50.")
    card.get_by_role("button", name="Fyll tomme kriterier fra malen").click()
    filled = "Eleven viser det i enkle, kjente oppgaver."
    page.wait_for_function(f"() => document.getElementById('id_{goal.pk}-quality_1')?.value === '{filled}'")
    goal.refresh_from_db()
    assert goal.text == "Eleven teller til 50." and goal.independence_3 == "Eleven gjør det selv etter oppstart."


@pytest.mark.django_db(transaction=True)
def test_moving_a_goal_keeps_the_text_being_written(
    live_server: Any, transactional_world: World, strict_page: Any
) -> None:
    w = transactional_world
    # Levels logged: the goals' reading view shows their progression charts.
    ch = chain(w.pupil_a, goals=2, iop_status=Iop.Status.DRAFT, logs_per_goal=3)
    assert ch.iop is not None
    goal, other = ch.goals
    page = strict_page  # the page's own Content-Security-Policy enforced
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    card = page.locator(f"#goal-{goal.pk}")
    card.get_by_role("link", name="Rediger mål").click()
    assert card.get_by_role("button", name="Flytt opp").is_disabled()  # the first goal of its subject
    # Moved at once, before the autosave: the text is saved with the move and stays in the open form.
    card.locator(f"#id_{goal.pk}-text").fill("Skrevet rett før flyttingen.")
    card.get_by_role("button", name="Flytt ned").click()
    page.wait_for_function(
        f"() => document.getElementById('goal-{other.pk}')?.compareDocumentPosition("
        f"document.getElementById('goal-{goal.pk}')) === Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert page.locator(f"#id_{goal.pk}-text").input_value() == "Skrevet rett før flyttingen."
    assert page.locator(f"#goal-{goal.pk}").get_by_role("button", name="Flytt ned").is_disabled()
    # The keyboard stays with the moved goal: on its other move button, now that "down" is disabled.
    page.wait_for_function(f"() => document.getElementById('goal-{goal.pk}')?.contains(document.activeElement)")
    assert page.evaluate("() => document.activeElement.textContent").startswith("Flytt opp")
    goal.refresh_from_db()
    assert goal.text == "Skrevet rett før flyttingen."

    # Moved back up with the keyboard: the focus follows the goal to the top, on "Flytt ned".
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.getElementById('goal-{goal.pk}')?.compareDocumentPosition("
        f"document.getElementById('goal-{other.pk}')) === Node.DOCUMENT_POSITION_FOLLOWING"
    )
    page.wait_for_function(f"() => document.getElementById('goal-{goal.pk}')?.contains(document.activeElement)")
    assert page.evaluate("() => document.activeElement.textContent").startswith("Flytt ned")
    assert refused == []  # the goals section swapped in breaks none of the page's Content-Security-Policy


@pytest.mark.django_db(transaction=True)
def test_a_goal_edited_on_its_own_page_moves_and_is_deleted_from_there(
    live_server: Any, transactional_world: World, strict_page: Any
) -> None:
    """The goal's editor opened as a page of its own (a new tab, no list of
    goals around it): its move, close and delete buttons work, and lead to the plan."""
    ch = chain(transactional_world.pupil_a, goals=2, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal, other = ch.goals
    page = strict_page
    asked: list[str] = []  # the browser's questions: none about leaving, what was typed is saved
    page.on("dialog", lambda dialog: (asked.append(f"{dialog.type}: {dialog.message}"), dialog.accept()))
    login(page, live_server.url, "teacher@test.example")
    page.goto(live_server.url + reverse("iop:goal_editor", args=[goal.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rediger målet")
    page.locator(f"#id_{goal.pk}-text").fill("Skrevet på målets egen side.")
    page.get_by_role("button", name="Flytt ned").click()
    page.wait_for_url(f"{live_server.url}/iop/{ch.iop.pk}/#goal-{goal.pk}")
    page.wait_for_function(
        f"() => document.getElementById('goal-{other.pk}')?.compareDocumentPosition("
        f"document.getElementById('goal-{goal.pk}')) === Node.DOCUMENT_POSITION_FOLLOWING"
    )
    goal.refresh_from_db()
    assert goal.text == "Skrevet på målets egen side."  # saved with the move

    # "Lukk" saves what was typed and goes back to the plan, at the goal.
    page.goto(live_server.url + reverse("iop:goal_editor", args=[goal.pk]))
    page.locator(f"#id_{goal.pk}-text").fill("Lukket på målets egen side.")
    page.get_by_role("button", name="Lukk").click()
    page.wait_for_url(f"{live_server.url}/iop/{ch.iop.pk}/#goal-{goal.pk}")
    expect(page.locator(f"#goal-{goal.pk}")).to_contain_text("Lukket på målets egen side.")
    assert page.evaluate(NO_DRAFTS), "the saved text is not kept as a draft to offer back"
    assert page.locator(f"#id_{goal.pk}-text").count() == 0  # the goal reads as text, not reopened

    page.goto(live_server.url + reverse("iop:goal_editor", args=[goal.pk]))
    assert asked == []
    page.get_by_role("button", name="Slett").click()
    page.wait_for_url(f"{live_server.url}/iop/{ch.iop.pk}/")
    assert asked == ["confirm: Slette dette målet?"]
    expect(page.get_by_role("status").filter(has_text="Målet er slettet.")).to_be_visible()
    assert list(Goal.objects.filter(iop=ch.iop).values_list("pk", flat=True)) == [other.pk]


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_writes_the_schools_criteria_templates(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    login(page, live_server.url, "coordinator@test.example")
    page.goto(f"{live_server.url}/laeringsbank/")
    follow(page, page.get_by_role("link", name=f"Kriteriemaler for {w.school1.name}"))
    assert_accessible(page)
    box = page.get_by_label("Selvstendighet: begynnernivå")
    assert box.get_attribute("placeholder") == "Eleven gjør det med hjelp fra en voksen hele veien."
    box.fill("Eleven gjør det med en voksen ved siden av.")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text(f"Kriteriemalene for {w.school1.name} er lagret.").wait_for()
    assert (
        page.get_by_label("Selvstendighet: begynnernivå").input_value() == "Eleven gjør det med en voksen ved siden av."
    )
