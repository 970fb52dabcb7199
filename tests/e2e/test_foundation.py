"""Log in as a teacher and as a parent through the real UI; axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_teacher_their_pupils_only(live_server: Any, transactional_world: World, page: Any) -> None:
    w = transactional_world
    login(page, live_server.url, "teacher@test.example")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Velkommen")
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Elever", exact=True).first)
    table = page.get_by_role("table")
    assert "Aasen, Anna" in table.inner_text()
    assert "Berg" not in table.inner_text()
    assert_accessible(page)

    # htmx search narrows the list without a full reload
    page.get_by_label("Søk på navn").fill("zzz")
    page.get_by_text("Ingen elever passer søket.").wait_for()

    page.goto(f"{live_server.url}/elever/{w.pupil_a.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Anna Aasen"
    assert_accessible(page)

    response = page.goto(f"{live_server.url}/elever/{w.pupil_b.pk}/")
    assert response is not None and response.status == 404


@pytest.mark.django_db(transaction=True)
def test_it_shows_a_parent_only_their_own_child(live_server: Any, transactional_world: World, page: Any) -> None:
    w = transactional_world
    login(page, live_server.url, "guardian_a@test.example")
    children = page.get_by_role("region", name="Mine barn")
    assert "Anna Aasen" in children.inner_text()
    assert "Bjørn" not in page.content()
    assert_accessible(page)

    follow(page, page.get_by_role("link", name="Anna Aasen"))
    assert page.get_by_role("heading", level=1).inner_text() == "Anna Aasen"
    assert "Fødselsnummer" not in page.content()
    assert not page.locator("main form").count(), "a parent sees no form that writes"

    response = page.goto(f"{live_server.url}/elever/{w.pupil_b.pk}/")
    assert response is not None and response.status == 404


@pytest.mark.django_db(transaction=True)
def test_it_keeps_public_pages_accessible(live_server: Any, transactional_world: World, page: Any) -> None:
    for path in ("/konto/logg-inn/", "/konto/glemt-passord/", "/konto/glemt-passord/sendt/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    page.goto(f"{live_server.url}/konto/logg-inn/")
    page.get_by_label("E-postadresse").fill("teacher@test.example")
    page.get_by_label("Passord").fill("wrong-password")
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_text("Feil e-postadresse eller passord").wait_for()
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_key_figure_pages_accessible(live_server: Any, transactional_world: World, page: Any) -> None:
    login(page, live_server.url, "coordinator@test.example")
    for path, heading in (
        ("/nokkeltall/", "Nøkkeltall"),
        ("/nokkeltall/samtaler-denne-terminen/", "Utviklingssamtaler"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_role("heading", level=1).inner_text().startswith(heading)
        assert_accessible(page)
