"""Guardians read what was published, in two browsers at once.

The kontaktlærer edits a goal of a published IOP in one browser context;
the guardian, in another, still reads the published goal on the IOP page and
in the PDF (downloaded with the guardian's session) until the teacher, who
sees "Upubliserte endringer siden …", presses "Publiser endringene"; then
the guardian reads the new text and has a notification linking to the plan.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from iop import services
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login, open_goal
from tests.iop.factories import chain


def _pdf_words(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "iop.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)  # noqa: S603, S607
    return " ".join(out.stdout.split())


@pytest.mark.django_db(transaction=True)
def test_the_guardian_reads_the_published_plan_until_the_changes_are_published(
    live_server: Any, browser: Any, page: Any, transactional_world: World, tmp_path: Path
) -> None:
    world = transactional_world
    teacher = world.user("teacher")
    with transaction.atomic():
        ch = chain(world.pupil_a, goals=1)
        assert ch.iop is not None
        goal = ch.goals[0]
        goal.text = "Eleven leser 50 ord i minuttet."
        goal.save()
        iop = ch.iop
        services.iop_publish(actor=teacher, iop=iop, version=iop.version)  # type: ignore[arg-type]
    iop_url = f"{live_server.url}/iop/{iop.pk}/"
    pdf_url = f"{live_server.url}/rapporter/iop/{iop.pk}/pdf/"

    login(page, live_server.url, "teacher@test.example")
    page.goto(iop_url)
    open_goal(page, goal.pk)
    page.locator(f"#id_{goal.pk}-text").fill("Eleven leser 80 ord i minuttet.")
    page.locator(f"#goal-{goal.pk} form[data-draft]").evaluate("form => form.requestSubmit()")  # autosave, sent now
    page.locator(f"#goal-status-{goal.pk}").get_by_text("Lagret").wait_for()

    guardian_context = browser.new_context(locale="nb-NO", bypass_csp=True)
    guardian_context.set_default_timeout(10_000)
    guardian = guardian_context.new_page()
    try:
        login(guardian, live_server.url, "guardian_a@test.example")
        guardian.goto(iop_url)
        main = guardian.inner_text("main")
        assert "Eleven leser 50 ord i minuttet." in main and "80 ord" not in main
        pdf = guardian.request.get(pdf_url)
        words = _pdf_words(pdf.body(), tmp_path)
        assert pdf.ok and "50 ord" in words and "80 ord" not in words

        page.reload()
        banner = page.locator("#unpublished-changes")
        assert "Upubliserte endringer siden" in banner.inner_text()
        assert_accessible(page)  # the staff page with the banner
        # Typed and published at once, before the autosave's pause: the
        # text is saved first, then published.
        open_goal(page, goal.pk)
        page.locator(f"#id_{goal.pk}-text").fill("Eleven leser 90 ord i minuttet.")
        page.get_by_role("button", name="Publiser endringene").click()
        page.get_by_role("button", name="Ja, publiser").click()  # confirmed without JavaScript
        page.get_by_text("IOP-en er publisert").wait_for()
        assert not page.locator("#unpublished-changes").count()
        # Nothing left to publish: the page says so instead of offering the button,
        # until the teacher starts changing the plan again (no reload needed).
        publish = page.get_by_role("button", name="Publiser endringene")
        assert page.get_by_text("Ingenting å publisere").is_visible() and not publish.is_visible()
        open_goal(page, goal.pk)
        page.locator(f"#id_{goal.pk}-text").press("End")
        page.locator(f"#id_{goal.pk}-text").type(" Og mer.")
        publish.wait_for(state="visible")
        assert not page.get_by_text("Ingenting å publisere").is_visible()
        page.locator(f"#goal-status-{goal.pk}").get_by_text("Lagret").wait_for()

        guardian.reload()
        main = guardian.inner_text("main")
        assert "Eleven leser 90 ord i minuttet." in main and "50 ord" not in main
        words = _pdf_words(guardian.request.get(pdf_url).body(), tmp_path)
        assert "90 ord" in words and "50 ord" not in words
        guardian.goto(f"{live_server.url}/")
        # The latest publication, on the home page: the earlier one, not yet opened, counts no more.
        follow(guardian, guardian.get_by_role("link", name="1 nytt varsel"))
        guardian.locator("main").get_by_role("link", name="IOP").first.click()
        guardian.wait_for_url(iop_url)
        assert_accessible(guardian)  # the guardian's read view
    finally:
        guardian_context.close()
