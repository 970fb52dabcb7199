"""The pupil list's filters and the browser's Back button: the page comes
back from the server as its address says, and no copy of it is kept in
the browser's storage."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import World
from tests.e2e.conftest import follow, login


@pytest.mark.django_db(transaction=True)
def test_back_shows_the_filters_of_the_list_it_shows(live_server: Any, transactional_world: World, page: Any) -> None:
    w = transactional_world
    login(page, live_server.url, "coordinator@test.example")
    page.goto(f"{live_server.url}/elever/")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Aasen, Anna")

    page.get_by_label("Gruppe").select_option(str(w.group_b.pk))
    page.wait_for_url(f"**/elever/?*group={w.group_b.pk}*")
    expect(table).not_to_contain_text("Aasen")
    expect(table).to_contain_text("Berg, Bjørn")
    page.get_by_label("Vis arkiverte elever i stedet").check()
    page.wait_for_url("**arkiv=1*")
    page.get_by_text("Ingen elever passer søket.").wait_for()

    page.go_back()  # to 7B without the archive: the page is asked for again
    expect(page.get_by_label("Vis arkiverte elever i stedet")).not_to_be_checked()
    expect(page.get_by_label("Gruppe")).to_have_value(str(w.group_b.pk))
    expect(page.get_by_role("table")).to_contain_text("Berg, Bjørn")
    expect(page.get_by_role("table")).not_to_contain_text("Aasen")
    # Nothing of the pages (pupils' names) stays in the tab's storage after they are left.
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    assert "Berg" not in page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")

    follow(page, page.get_by_role("link", name="Hjem"))
    page.go_back()
    expect(page.get_by_label("Gruppe")).to_have_value(str(w.group_b.pk))

    # A search (a pupil's name) is not left in the tab's storage after logging out.
    page.get_by_label("Søk på navn").fill("Berg")
    page.wait_for_url("**q=Berg*")
    follow(page, page.get_by_role("button", name="Logg ut"))
    assert "Berg" not in page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage, localStorage))")
