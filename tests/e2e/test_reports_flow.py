"""A teacher writes an årsrapport in the browser (htmx save), finalises and
publishes it; the guardian downloads it; a coordinator runs a school batch.
axe-core on every page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login
from tests.reports.factories import make_iop


@pytest.mark.django_db(transaction=True)
def test_a_report_from_draft_to_the_guardian(
    live_server: Any, transactional_world: World, browser: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = transactional_world
    make_iop(w.pupil_a, goals_per_subject=1, logs_per_goal=3, subjects=(("Norsk", 76), ("Matematikk", 57)))
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/elever/{w.pupil_a.pk}/")
    follow(page, page.get_by_role("button", name="Lag utkast: Årsrapport"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Årsrapport")
    assert_accessible(page)

    page.get_by_label("Oppsummering").fill("Anna leser nå korte tekster selv og regner med tall til 20.")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text("Lagret kl.").wait_for()
    assert_accessible(page)

    # Typed text comes along with "Ferdigstill" and is saved: going back from the question asks nothing.
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.get_by_label("Oppsummering").press("Control+End")
    page.keyboard.type(" Hun leser høyt.")
    # "Ferdigstill" is sent with htmx and swaps in its question (no navigation); the links
    # and buttons of the question wait for it, and lead to pages that are followed.
    page.get_by_role("button", name="Ferdigstill rapporten").click()  # below the texts, which come along
    follow(page, page.get_by_role("link", name="Nei, gå tilbake"))
    assert dialogs == [] and page.get_by_label("Oppsummering").input_value().endswith("Hun leser høyt.")
    page.get_by_role("button", name="Ferdigstill rapporten").click()
    follow(page, page.get_by_role("button", name="Ja, ferdigstill rapporten"))
    assert "Ferdigstilt" in page.content()
    follow(page, page.get_by_role("button", name="Publiser til foresatte"))
    follow(page, page.get_by_role("button", name="Ja, publiser"))
    assert "Foresatte kan nå lese den" in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned PDF").click()
    teacher_pdf = Path(download.value.path()).read_bytes()
    assert teacher_pdf.startswith(b"%PDF")

    guardian = browser.new_context(locale="nb-NO", bypass_csp=True)
    gpage = guardian.new_page()
    login(gpage, live_server.url, "guardian_a@test.example")
    gpage.goto(f"{live_server.url}/elever/{w.pupil_a.pk}/")
    assert not gpage.locator("main form").count()
    with gpage.expect_download() as download:
        gpage.get_by_role("link", name=re.compile(r"^PDF\W+Årsrapport")).click()
    assert Path(download.value.path()).read_bytes() == teacher_pdf  # the same bytes
    guardian.close()


@pytest.mark.django_db(transaction=True)
def test_a_school_batch_with_progress(
    live_server: Any, transactional_world: World, page: Any, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    w = transactional_world
    for pupil in (w.pupil_a, w.pupil_b):
        make_iop(pupil, goals_per_subject=1, logs_per_goal=2, subjects=(("Norsk", 76),))
    login(page, live_server.url, "coordinator@test.example")
    page.goto(f"{live_server.url}/rapporter/skole/")
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()
    page.wait_for_load_state("networkidle")
    page.get_by_text("2 av 2 elever behandlet (100 %)").wait_for()
    assert_accessible(page)
    page.reload()
    page.get_by_text("2 av 2 elever behandlet (100 %)").wait_for()
