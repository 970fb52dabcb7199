"""One teacher with the same plan open in two tabs (or windows, or devices):
the second tab's save never undoes what the first saved. A field only the
other tab changed is taken over; the same text shows both versions, the
other marked as the teacher's own save elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from iop.models import Goal, Iop
from tests.conftest import World
from tests.e2e.conftest import login, open_goal
from tests.iop.factories import chain


@pytest.mark.django_db(transaction=True)
def test_a_second_tab_of_the_same_teacher_overwrites_nothing(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    w = transactional_world
    ch = chain(w.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    url = f"{live_server.url}/iop/{ch.iop.pk}/"
    login(page, live_server.url, "teacher@test.example")
    b = page.context.new_page()  # the same login, a second tab
    page.goto(url)
    b.goto(url)

    # The plan's own form: tab A writes the strengths, tab B (opened before) only the aids.
    page.locator("#iop-form-wrapper").get_by_label("Elevens sterke sider og interesser").fill("Glad i fotball.")
    page.locator("#iop-form-wrapper").get_by_role("button", name="Lagre", exact=True).click()
    page.locator("#iop-status").get_by_text("Lagret").wait_for()
    b.locator("#iop-form-wrapper").get_by_label("Hjelpemidler og læremidler").fill("Tallinje.")
    b.locator("#iop-form-wrapper").get_by_role("button", name="Lagre", exact=True).click()
    b.locator("#iop-status").get_by_text("Lagret").wait_for()
    stored = Iop.objects.get(pk=ch.iop.pk)
    assert (stored.strengths, stored.aids) == ("Glad i fotball.", "Tallinje.")
    assert b.locator("#iop-form-wrapper").get_by_label("Elevens sterke sider og interesser").input_value() == (
        "Glad i fotball."
    )

    # The same goal text in both tabs: B's save is refused with both texts; A's text stays.
    open_goal(page, goal.pk)
    open_goal(b, goal.pk)

    def save(p: Any, text: str) -> None:
        card = p.locator(f"#goal-{goal.pk}")
        card.locator(f"#id_{goal.pk}-quality_1").fill(text)
        card.locator("form[data-draft]").evaluate("form => form.requestSubmit()")  # autosave, sent now

    save(page, "Skrevet i fane A")
    page.locator(f"#goal-status-{goal.pk}").get_by_text("Lagret").wait_for()
    save(b, "Skrevet i fane B")
    conflict = b.locator(f"#goal-{goal.pk} .iop-conflict")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "Skrevet i fane A" in text and "Skrevet i fane B" in text
    assert "i et annet vindu eller en annen fane" in text
    assert Goal.objects.get(pk=goal.pk).quality_1 == "Skrevet i fane A"

    # B leaves with the conflict box open, by a link on the page and then by another address: the
    # choice is B's to make, never sent for it. A's text stays; B's waits in the browser.
    sent: list[str] = []
    b.context.on("request", lambda r: sent.append(r.url) if r.method == "POST" and str(goal.pk) in r.url else None)
    b.on("dialog", lambda dialog: dialog.accept())  # "Leave the page?": yes
    b.locator("a.site-brand").click()
    expect(conflict).to_be_in_viewport()  # the link is not followed: the box is shown instead
    assert b.url == url
    b.goto(f"{live_server.url}/")
    b.goto(url)
    offer = b.locator(f"#goal-{goal.pk} .draft-offer")  # the goal opens by itself to offer B's text back
    offer.wait_for()
    assert b.locator(f"#id_{goal.pk}-quality_1").input_value() == "Skrevet i fane A"
    assert sent == []
    assert Goal.objects.get(pk=goal.pk).quality_1 == "Skrevet i fane A"
