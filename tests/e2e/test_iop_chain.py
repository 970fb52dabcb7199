"""The special-education chain through the real UI: PPT writes the expert
assessment, the coordinator makes the decision, the kontaktlærer creates and
publishes the IOP, the faglærer logs progress and the guardian reads it.
axe-core checks the IOP pages in edit and read mode."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from iop.models import Goal, GoalLog, Iop
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login
from tests.iop.factories import consent


def as_user(page: Any, live_server: Any, email: str) -> None:
    page.context.clear_cookies()
    login(page, live_server.url, email)


@pytest.mark.django_db(transaction=True)
def test_the_chain_from_assessment_to_a_guardian_reading_the_plan(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    pupil_url = f"{live_server.url}/elever/{w.pupil_a.pk}/"
    consent(w.pupil_a, "sv")  # the guardians consented to the assessment and the decision
    consent(w.pupil_a, "vedtak")

    # PPT writes and completes the expert assessment.
    as_user(page, live_server, "ppt@test.example")
    page.goto(pupil_url)
    page.get_by_role("link", name="Skriv sakkyndig vurdering").click()
    page.get_by_label("Elevens utbytte av den ordinære opplæringen").fill("Noe utbytte i praktiske fag.")
    page.get_by_label("Hvorfor eleven ikke har eller ikke kan få tilfredsstillende utbytte").fill("Trenger konkreter.")
    page.get_by_label("Realistiske opplæringsmål").fill("Regne i tallområdet 0–100.")
    page.get_by_label("Tiltak som kan gi tilfredsstillende utbytte").fill("Liten gruppe tre timer i uka.")
    page.get_by_label("Elevens egen mening og hvordan den er vektlagt").fill("Vil helst være i klassen; vektlagt.")
    page.locator('[name="fag-0-subject"]').fill("Matematikk")
    page.locator('[name="fag-0-hours"]').fill("76")
    assert_accessible(page)
    page.get_by_role("button", name="Lagre", exact=True).click()
    # Saved (the next page) before going on: never a click on the form being left.
    page.get_by_text("Den sakkyndige vurderingen er lagret som utkast.").wait_for()
    page.get_by_role("button", name="Ferdigstill vurderingen").click()
    page.get_by_role("button", name="Ja, ferdigstill vurderingen").click()  # confirmed without JavaScript
    page.get_by_text("Den sakkyndige vurderingen er ferdigstilt").wait_for()

    # The coordinator makes the decision (subjects and hours come from the assessment).
    as_user(page, live_server, "coordinator@test.example")
    page.goto(pupil_url)
    follow(page, page.get_by_role("link", name="Fatt vedtak ut fra denne vurderingen"))
    expect(page.locator('[name="fag-0-subject"]')).to_have_value("Matematikk")
    # The assessment recommends no organisation or staff: the decision states them, nothing is preselected.
    expect(page.locator('[name="fag-0-organisation"]')).to_have_value("")
    page.locator('[name="fag-0-organisation"]').select_option("small_group")
    page.locator('[name="fag-0-staff_competence"]').select_option("special_needs_teacher")
    page.locator('[name="facts"]').fill("Eleven har lite utbytte av den ordinære opplæringen i matematikk.")
    page.locator('[name="main_considerations"]').fill("Liten gruppe er til elevens beste.")
    page.locator('[name="pupil_view"]').fill("Eleven vil helst jobbe i liten gruppe.")
    page.get_by_role("button", name="Lagre utkast").click()
    page.get_by_text("Vedtaket er lagret som utkast.").wait_for()
    page.get_by_role("button", name="Fatt vedtaket").click()
    page.get_by_role("button", name="Ja, fatt vedtaket").click()
    page.get_by_text("Vedtaket er fattet").wait_for()

    # The kontaktlærer creates the IOP, writes a goal inline and publishes.
    as_user(page, live_server, "teacher@test.example")
    page.goto(pupil_url)
    page.locator(".iop-plans").get_by_role("link", name=re.compile("^Enkeltvedtak")).click()
    page.get_by_role("button", name="Opprett IOP").click()
    page.get_by_text("IOP-en er opprettet").wait_for()
    page.get_by_role("button", name="Legg til mål i Matematikk").click()
    goal = page.locator("li.iop-goal").first
    goal.get_by_label("Læringsmål", exact=True).wait_for()
    expect(goal.get_by_label("Læringsmål", exact=True)).to_be_focused()
    goal.get_by_label("Læringsmål", exact=True).fill("Eleven legger sammen tall opp til 100 med tallinje.")
    for axis in ("Kvalitet", "Selvstendighet"):
        for level in ("begynnernivå", "under utvikling", "kompetent", "fremragende"):
            goal.get_by_label(f"{axis}: {level}").fill(f"Eleven viser {axis.lower()} på nivået {level}.")
    goal.locator("form[data-draft]").evaluate("form => form.requestSubmit()")  # autosave, sent now
    goal.get_by_role("status").get_by_text("Lagret").wait_for()
    assert_accessible(page)  # edit mode
    page.get_by_role("button", name="Publiser til foresatte").click()
    page.get_by_role("button", name="Ja, publiser").click()
    page.get_by_text("IOP-en er publisert").wait_for()
    follow(page, page.get_by_role("link", name="Vis som lesevisning"))
    assert_accessible(page)  # read mode for staff

    # The faglærer logs progress from the pupil's page.
    as_user(page, live_server, "faglaerer@test.example")
    page.goto(pupil_url)
    page.get_by_role("link", name=re.compile("^Logg progresjon")).click()
    page.get_by_label("Nivå for kvalitet").select_option("3")
    page.get_by_label("Nivå for selvstendighet").select_option("2")
    page.get_by_label("Fremovermelding").fill("Bruk tallinja uten hjelp.")
    page.get_by_role("button", name="Lagre logg").click()
    page.get_by_text("Loggen er lagret").wait_for()
    assert_accessible(page)

    # The guardian reads the published plan and the progression; nothing writes.
    as_user(page, live_server, "guardian_a@test.example")
    page.goto(pupil_url)
    follow(page, page.locator(".iop-plans").get_by_role("link", name=re.compile("^IOP")))
    assert "Eleven legger sammen tall opp til 100" in page.inner_text("main")
    assert page.locator("main svg[role=img]").count() == 1
    assert not page.locator("main form").count()
    assert_accessible(page)  # read mode for guardians
    follow(page, page.get_by_role("link", name=re.compile("^Progresjon og logg")))
    assert "Bruk tallinja uten hjelp." in page.inner_text("main")
    assert_accessible(page)

    iop = Iop.objects.get(pupil=w.pupil_a)
    assert iop.status == Iop.Status.PUBLISHED
    assert Goal.objects.filter(iop=iop).count() == 1 and GoalLog.objects.filter(goal__iop=iop).count() == 1
