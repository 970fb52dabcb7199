"""No typed word is lost, in Chromium: the kontaktlærer writes a goal while
the session ends. A short message appears in the goal's status area, the focus
and the text stay; the login opens in a new tab (which offers the unsaved text
back), and typing on in the first tab saves with the renewed security token.
A link followed before the autosave saves the text first and then leaves;
when that save does not go through, the page stays. Leaving another way
asks first and sends the text once more as the page goes, and the page offers
the text back when it opens again (the goal, shown as reading text, opens for
editing by itself when a draft of it is kept)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from iop.limits import TEXT_MAX_LENGTH
from iop.models import Goal, Iop
from tests.conftest import World
from tests.e2e.conftest import PASSWORD, assert_accessible, login, open_goal
from tests.iop.factories import chain

NO_DRAFTS = "() => !Object.keys(localStorage).some(k => k.startsWith('iop-draft|'))"


@pytest.mark.django_db(transaction=True)
def test_text_typed_while_the_session_ends_is_kept_and_saved_after_logging_in_again(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    ch = chain(transactional_world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    open_goal(page, goal.pk)  # the goal reads as text until the teacher starts editing it
    box = page.locator(f"#id_{goal.pk}-text")
    status = page.locator(f"#goal-status-{goal.pk}")
    box.fill("Eleven teller til hundre")
    box.press("End")

    # The session ends (deleted on the server) while the teacher writes.
    Session.objects.all().delete()
    page.keyboard.type(" og sorterer")
    expect(status).to_contain_text("Ikke lagret: økta di er avsluttet", timeout=8000)
    assert page.evaluate("() => document.activeElement.id") == f"id_{goal.pk}-text"
    # Typing goes on into the goal, not into a login form. Its autosave is
    # refused too, before the login below (a save after the login would
    # succeed with the renewed token and leave nothing to offer back).
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/mal/{goal.pk}/endre/"), timeout=10_000
    ):
        page.keyboard.type(" mengder")
    assert box.input_value() == "Eleven teller til hundre og sorterer mengder"
    assert page.locator('input[name="username"]').count() == 0
    assert_accessible(page)  # the message shown

    # "Logg inn igjen" opens the login in a new tab, which comes back to the plan
    # and offers the unsaved text (the draft is kept in this browser).
    with page.context.expect_page() as opened:
        status.get_by_role("link", name="Logg inn igjen").click()
    tab = opened.value
    tab.get_by_label("E-postadresse").fill("teacher@test.example")
    tab.get_by_label("Passord").fill(PASSWORD)
    tab.get_by_role("button", name="Logg inn").click()
    offer = tab.locator(f'form[data-draft="goal:{goal.pk}"] .draft-offer')
    expect(offer).to_contain_text("Du har ulagret tekst fra")
    tab.close()

    # Back in the first tab: typing on saves (the token changed with the login);
    # the local draft goes once the server has confirmed it.
    box.press("End")
    page.keyboard.type(".")
    page.wait_for_function(NO_DRAFTS, timeout=10_000)
    expect(status).to_contain_text("Lagret")
    goal.refresh_from_db()
    assert goal.text == "Eleven teller til hundre og sorterer mengder."

    # A link followed within two seconds of typing saves the text first and
    # leaves without asking.
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    box.press("End")
    page.keyboard.type(" Til 200.")
    page.get_by_role("link", name="Hjem").click()
    page.wait_for_url(f"{live_server.url}/")
    assert dialogs == []
    assert Goal.objects.get(pk=goal.pk).text == "Eleven teller til hundre og sorterer mengder. Til 200."
    assert page.evaluate(NO_DRAFTS)

    # When the save does not go through (the session ended), the link leaves
    # nothing: the page stays with the text. Leaving anyway asks first; the
    # text comes back after logging in again.
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    open_goal(page, goal.pk)
    box.press("End")
    Session.objects.all().delete()
    page.keyboard.type(" Og 300.")
    page.get_by_role("link", name="Hjem").click()
    expect(status).to_contain_text("Ikke lagret: økta di er avsluttet")
    assert page.url == f"{live_server.url}/iop/{ch.iop.pk}/"
    assert dialogs == []
    page.reload()  # asks, and sends the text once more as the page goes (refused too)
    assert dialogs == ["beforeunload"]
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    assert Goal.objects.get(pk=goal.pk).text == "Eleven teller til hundre og sorterer mengder. Til 200."

    # The goal with a draft opens for editing by itself, and offers the text back.
    offer = page.locator(f'form[data-draft="goal:{goal.pk}"] .draft-offer')
    expect(offer).to_contain_text("Du har ulagret tekst fra")
    assert_accessible(page)  # the offer shown
    restore, discard = offer.get_by_role("button", name="Gjenopprett"), offer.get_by_role("button", name="Forkast")
    assert restore.bounding_box()["y"] == discard.bounding_box()["y"], "the two choices side by side"
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    offer.get_by_role("button", name="Gjenopprett").click()
    page.wait_for_function(NO_DRAFTS, timeout=10_000)
    expect(status).to_contain_text("Lagret")
    assert refused == []  # nothing the page does breaks its own Content-Security-Policy
    assert Goal.objects.get(pk=goal.pk).text == "Eleven teller til hundre og sorterer mengder. Til 200. Og 300."
    page.reload()
    assert page.locator(".draft-offer").count() == 0

    # A form without drafts warns too: typed hours not yet logged.
    page.locator("#teaching [name$=note]").fill("Lest sammen i liten gruppe")
    page.get_by_role("link", name="Hjem").click()
    page.wait_for_url(f"{live_server.url}/")
    assert dialogs == ["beforeunload", "beforeunload"]

    # An address typed within two seconds of typing: the text is sent as the page goes.
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    open_goal(page, goal.pk)
    box.press("End")
    page.keyboard.type(" Og 400.")
    page.goto(f"{live_server.url}/elever/")
    # The request sent as the page went is answered on its own: wait until the goal's page says it.
    page.wait_for_function(
        "async ([url, text]) => (await (await fetch(url)).text()).includes(text)",
        arg=[f"/mal/{goal.pk}/", "Til 200. Og 300. Og 400."],
        polling=200,
        timeout=15_000,
    )
    assert Goal.objects.get(pk=goal.pk).text == "Eleven teller til hundre og sorterer mengder. Til 200. Og 300. Og 400."


@pytest.mark.django_db(transaction=True)
def test_text_typed_beside_a_field_in_error_is_kept_and_the_form_says_it_is_not_saved(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    """An autosave refused for another field of the form (a criterion over
    the length limit) saves nothing: the goal's status says so, the field
    says why, the text typed in the goal stays in the browser, a link is not
    followed, leaving the page asks first, and the page offers the text back
    when it opens again."""
    ch = chain(transactional_world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    written = goal.text
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    open_goal(page, goal.pk)
    page.locator(f"#id_{goal.pk}-quality_4").fill("x" * (TEXT_MAX_LENGTH + 1))
    box = page.locator(f"#id_{goal.pk}-text")
    box.press("End")
    page.keyboard.type(" og deler i like grupper")

    status = page.locator(f"#goal-status-{goal.pk}")
    expect(status).to_contain_text("Ikke lagret: rett feltet som er merket", timeout=8000)
    expect(page.locator(f"#id_{goal.pk}-quality_4_error")).to_contain_text(str(TEXT_MAX_LENGTH))
    expect(box).to_have_value(written + " og deler i like grupper")
    assert Goal.objects.get(pk=goal.pk).text == written
    assert_accessible(page)  # the messages shown

    # A link is not followed: the text would be lost to the error. The page
    # stays and says why; leaving by an address asks first.
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/mal/{goal.pk}/endre/")):
        page.get_by_role("link", name="Hjem").click()
    expect(status).to_contain_text("Ikke lagret: rett feltet som er merket")
    assert page.url == f"{live_server.url}/iop/{ch.iop.pk}/"
    page.goto(f"{live_server.url}/")
    assert dialogs == ["beforeunload"]
    assert Goal.objects.get(pk=goal.pk).text == written

    opened: list[str] = []  # the goal's form, opened at once for its draft: once (a second answer would replace it)
    page.on("request", lambda r: opened.append(r.url) if f"/mal/{goal.pk}/skjema/" in r.url else None)
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    offer = page.locator(f'form[data-draft="goal:{goal.pk}"] .draft-offer')
    expect(offer).to_contain_text("Du har ulagret tekst fra")
    page.wait_for_load_state("networkidle")
    assert len(opened) == 1, opened
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    offer.get_by_role("button", name="Gjenopprett").click()
    expect(page.locator(f"#id_{goal.pk}-text")).to_have_value(written + " og deler i like grupper")
    expect(page.locator(f"#goal-status-{goal.pk}")).to_contain_text("Ikke lagret")  # the criterion is still too long
    assert refused == []


@pytest.mark.django_db(transaction=True)
def test_closing_a_goal_saves_what_was_typed_and_shows_it_as_reading_text(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    """ "Lukk" (from the keyboard, before the autosave) saves the text typed
    and brings the goal back as reading text with the focus on its edit
    button; the page reads the same after a reload and asks nothing on the
    way. With a field in error the goal stays open, says why, and keeps the text."""
    ch = chain(transactional_world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    goal = ch.goals[0]
    written = goal.text
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
    item = page.locator(f"#goal-{goal.pk}")
    open_goal(page, goal.pk)
    page.keyboard.type(" og teller baklengs")
    close = item.get_by_role("button", name="Lukk")
    close.focus()  # within the autosave's two seconds: the close saves the text itself
    page.keyboard.press("Enter")
    expect(item.get_by_role("heading", level=4)).to_have_text(written + " og teller baklengs")
    assert page.locator(f"#id_{goal.pk}-text").count() == 0
    page.wait_for_function(
        f"() => document.activeElement?.getAttribute('data-draft-opener') === 'goal:{goal.pk}'"
    )  # the focus on the goal's "Rediger mål"
    page.wait_for_function(NO_DRAFTS)
    assert Goal.objects.get(pk=goal.pk).text == written + " og teller baklengs"
    assert_accessible(page)
    page.reload()
    expect(item.get_by_role("heading", level=4)).to_have_text(written + " og teller baklengs")
    assert page.locator(f"#id_{goal.pk}-text").count() == 0  # no draft left to open it again
    assert dialogs == []  # nothing unsaved when the page was left

    # A criterion over the length limit: the goal stays open, says so, and keeps the text.
    open_goal(page, goal.pk)
    page.locator(f"#id_{goal.pk}-quality_4").fill("x" * (TEXT_MAX_LENGTH + 1))
    box = page.locator(f"#id_{goal.pk}-text")
    box.press("End")
    page.keyboard.type(" til 20")
    item.get_by_role("button", name="Lukk").click()
    alert = item.get_by_role("alert").filter(has_text="Målet er fortsatt åpent")
    expect(alert).to_be_visible()
    expect(box).to_have_value(written + " og teller baklengs til 20")
    page.wait_for_function("() => document.activeElement?.getAttribute('role') === 'alert'")
    assert Goal.objects.get(pk=goal.pk).text == written + " og teller baklengs"
    assert_accessible(page)
