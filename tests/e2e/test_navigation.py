"""The header menu at a laptop (1366 px) and a tablet (820 px) width, for
each persona: one line on the laptop, a "Menu" button on the tablet, and no
page wider than the window."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone
from playwright.sync_api import expect

from followup.aarshjul_data import load_builtin
from followup.models import Aarshjul, Deadline, Duty
from iop.models import Iop
from students.models import Pupil, StaffMembership, User
from tests import factories as f
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, login, open_goal
from tests.iop.factories import chain

PERSONAS = ("teacher", "coordinator", "rektor", "guardian_a")


def _no_horizontal_overflow(page: Any) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: the page is {widths[0]} px wide in a {widths[1]} px window"
    # Words for screen readers only ("Ferdig: <the deadline>") take no room on any page.
    shown = page.evaluate(
        "() => [...document.querySelectorAll('.visually-hidden')]"
        ".filter(e => e.getBoundingClientRect().width > 1).map(e => e.textContent)"
    )
    assert shown == [], f"{page.url}: text meant for screen readers is shown: {shown[:3]}"


def _lines(element: Any) -> int:
    """How many lines ELEMENT's text takes (its words' distinct line tops)."""
    return int(
        element.evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
        )
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_fits_a_laptop_and_a_tablet(
    live_server: Any, transactional_world: World, browser: Any, persona: str
) -> None:
    f.member(
        f.UserFactory(email="rektor@test.example", full_name="Rita Rektor"),
        transactional_world.school1,
        StaffMembership.Role.REKTOR,
    )
    user = User.objects.filter(email=f"{persona}@test.example")
    user.update(full_name=Concat("full_name", Value(" (vgs)")))  # as long as the demo's ("Kari Koordinator (vgs)")
    context = browser.new_context(locale="nb-NO", viewport={"width": 1366, "height": 768}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_server.url, f"{persona}@test.example")
        nav = page.get_by_role("navigation", name="Hovedmeny")
        items = nav.locator(".site-nav > li")
        count = items.count()
        assert 2 <= count <= 6, f"{count} entries in the header"
        assert (
            page.get_by_role("button", name="Meny").count() == 0
            or not page.locator(".site-menu > summary").is_visible()
        )
        tops = {round(items.nth(i).bounding_box()["y"]) for i in range(count)}
        assert len(tops) == 1, f"the menu wraps: entries start at {sorted(tops)}"
        link_height = nav.get_by_role("link").first.bounding_box()["height"]
        assert nav.bounding_box()["height"] < 2 * link_height, "the menu takes more than one line"
        header = page.locator(".site-header__inner").bounding_box()
        assert header["height"] < 80, f"the header is {header['height']} px high"
        logout = page.get_by_role("button", name="Logg ut")
        assert _lines(logout) == 1, "'Logg ut' wraps"
        one_line = logout.bounding_box()["height"]
        _no_horizontal_overflow(page)
        if persona in ("coordinator", "rektor"):
            more = nav.locator("summary", has_text="Mer")
            more.click()
            nav.get_by_role("link", name="Nøkkeltall").wait_for(state="visible")
            page.keyboard.press("Escape")
            assert not nav.get_by_role("link", name="Nøkkeltall").is_visible()
            more.focus()
            page.keyboard.press("Enter")  # the keyboard opens it as well
            nav.get_by_role("link", name="Nøkkeltall").wait_for(state="visible")
        assert_accessible(page)

        page.set_viewport_size({"width": 820, "height": 1180})
        page.reload()
        button = page.locator(".site-menu > summary")
        assert button.is_visible() and button.inner_text().strip() == "Meny"
        first_link = nav.get_by_role("link").first
        assert not first_link.is_visible(), "the menu is closed behind its button on a tablet"
        _no_horizontal_overflow(page)
        button.click()
        first_link.wait_for(state="visible")
        _no_horizontal_overflow(page)
        assert_accessible(page)
        button.click()
        assert not first_link.is_visible()
        button.focus()
        page.keyboard.press("Enter")
        first_link.wait_for(state="visible")
        first_link.focus()
        page.keyboard.press("Escape")  # Escape closes the panel, the focus goes back to its button
        first_link.wait_for(state="hidden")
        assert page.evaluate("() => document.activeElement.matches('.site-menu > summary')")

        # In nynorsk (the demo's vidaregåande skule) the menu's words are longer; "Logg ut" stays on one line.
        user.update(language="nn")
        page.set_viewport_size({"width": 1366, "height": 768})
        page.reload()
        assert page.locator("html").get_attribute("lang") == "nn"
        logout = page.get_by_role("button", name="Logg ut")
        assert _lines(logout) == 1, "'Logg ut' wraps in nynorsk"
        assert logout.bounding_box()["height"] == one_line
        assert page.locator(".site-header__inner").bounding_box()["height"] < 80
        _no_horizontal_overflow(page)
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["coordinator", "guardian_a"])
def test_a_header_too_long_for_the_screen_folds_its_menu_behind_the_button(
    live_server: Any, transactional_world: World, browser: Any, persona: str
) -> None:
    """Between the tablet and a wide screen (1024–1360 px) a long header (the
    coordinator's menu and long name; a parent of two children with long
    names) folds its menu behind "Meny" instead of pushing "Logg ut" out of
    the window; the name gives way first, and a wider window never shows
    less. (Where it fits, the menu stays in the header: the test above.)"""
    w = transactional_world
    User.objects.filter(email=f"{persona}@test.example").update(full_name="Kari-Anne Koordinatorsen Østby (vgs)")
    if persona == "guardian_a":
        f.guardian_of(w.user("guardian_a"), w.pupil_b)
        Pupil.objects.filter(pk__in=[w.pupil_a.pk, w.pupil_b.pk]).update(first_name="Maximilian-Alexander")
    context = browser.new_context(locale="nb-NO", viewport={"width": 1024, "height": 768}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_server.url, f"{persona}@test.example")
        nav = page.get_by_role("navigation", name="Hovedmeny")
        button = page.locator(".site-menu > summary")
        first_link = nav.get_by_role("link").first
        folded: list[bool] = []
        for width in (1024, 1100, 1280, 1360, 1440, 1600, 1920):
            page.set_viewport_size({"width": width, "height": 768})
            # nav.js lays the header out again on the next frame after a resize.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.wait_for_function(
                "() => { const i = document.querySelector('.site-header__inner');"
                " return i.scrollWidth <= i.clientWidth + 1; }"
            )
            _no_horizontal_overflow(page)
            logout = page.get_by_role("button", name="Logg ut").bounding_box()
            assert logout["x"] + logout["width"] <= width, f"'Logg ut' is cut off at {width} px"
            folded.append(button.is_visible())
            if folded[-1]:  # the button opens the menu below the header, in line with the brand
                button.click()
                first_link.wait_for(state="visible")
                _no_horizontal_overflow(page)
                brand = page.locator(".site-brand").bounding_box()
                assert abs(first_link.bounding_box()["x"] - brand["x"]) < 2, f"the panel is out of line at {width} px"
                page.mouse.click(width - 10, 740)  # a click outside closes it
                first_link.wait_for(state="hidden")
            else:
                assert first_link.is_visible()
        assert folded == sorted(folded, reverse=True), f"a wider window folds the menu again: {folded}"
        page.set_viewport_size({"width": 1280, "height": 768})
        page.reload()
        _no_horizontal_overflow(page)
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_an_open_menu_stays_open_while_the_window_keeps_its_layout(
    live_server: Any, transactional_world: World, browser: Any
) -> None:
    """A phone's window changes height as its address bar or keyboard comes
    and goes, and a window can change width a little: the "Menu" panel the
    user opened stays open until the header's layout changes."""
    context = browser.new_context(locale="nb-NO", viewport={"width": 800, "height": 800}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_server.url, "coordinator@test.example")
        nav = page.get_by_role("navigation", name="Hovedmeny")
        first_link = nav.get_by_role("link").first
        page.locator(".site-menu > summary").click()
        first_link.wait_for(state="visible")
        for size in ({"width": 800, "height": 600}, {"width": 780, "height": 600}):
            page.set_viewport_size(size)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            assert first_link.is_visible(), f"the menu closed at {size}"
        page.set_viewport_size({"width": 1800, "height": 800})  # the wide layout: the menu is in the header
        page.locator('.site-header[data-layout="wide"]').wait_for()
        assert first_link.is_visible()
        page.set_viewport_size({"width": 800, "height": 800})  # back to the button: closed
        page.locator('.site-header[data-layout="narrow"]').wait_for()
        first_link.wait_for(state="hidden")
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_menu_works_without_javascript(live_server: Any, transactional_world: World, browser: Any) -> None:
    context = browser.new_context(
        locale="nb-NO", viewport={"width": 820, "height": 1180}, java_script_enabled=False, bypass_csp=True
    )
    page = context.new_page()
    try:
        login(page, live_server.url, "coordinator@test.example")
        nav = page.get_by_role("navigation", name="Hovedmeny")
        nav.get_by_role("link", name="Elever").wait_for(state="visible")  # open as rendered
        nav.locator("summary", has_text="Mer").click()
        nav.get_by_role("link", name="Nøkkeltall").wait_for(state="visible")
        _no_horizontal_overflow(page)
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_no_page_is_wider_than_a_phone(live_server: Any, transactional_world: World, browser: Any) -> None:
    """At 320 px (WCAG 1.4.10) the header wraps and a wide table (deadlines,
    key figures, a goal's criteria) scrolls in a box of its own that the
    keyboard reaches: the page never scrolls sideways. A table's caption
    wraps within the screen (the årshjul's list)."""
    w = transactional_world
    load_builtin(Aarshjul, Duty)  # the built-in årshjul a migration made (gone after a flush)
    ch = chain(w.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    today = timezone.localdate()
    Deadline.objects.bulk_create(
        Deadline(
            key=f"phone:{i}",
            school=w.school1,
            school_year=w.group_a.school_year,
            title=f"Samarbeidsmøte med foresatte og PPT om tilrettelegging {i}",
            pupil=w.pupil_a,
            due=today + datetime.timedelta(days=i - 2),
            responsible_role="kontaktlaerer",
            responsible=w.user("teacher"),
        )
        for i in range(4)
    )
    context = browser.new_context(locale="nb-NO", viewport={"width": 320, "height": 640}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, live_server.url, "coordinator@test.example")
        for path in (
            "/",
            "/oppfolging/",
            "/oppfolging/arshjul/",
            "/nokkeltall/",
            "/elever/",
            f"/elever/{w.pupil_a.pk}/",
            f"/iop/{ch.iop.pk}/",
        ):
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            _no_horizontal_overflow(page)
        page.goto(live_server.url + "/oppfolging/arshjul/")
        caption = page.locator("[data-aarshjul-list] caption")
        expect(caption).to_have_text("Skoleårets plikter etter dato")
        # Every line of the caption's text lies within the box the table scrolls in (none cut off at its edge).
        cut = caption.evaluate(
            """c => {
              const box = c.closest('.table-scroll').getBoundingClientRect(), range = document.createRange();
              range.selectNodeContents(c);
              return [...range.getClientRects()].filter(r => r.left < box.left - 1 || r.right > box.right + 1).length;
            }"""
        )
        assert cut == 0, "the caption runs past the edge of the screen"
        expect(page.get_by_role("table", name="Skoleårets plikter etter dato")).to_be_visible()
        page.goto(live_server.url + "/oppfolging/")
        boxes = page.locator(".table-scroll[tabindex='0']")
        expect(boxes.first).to_have_attribute("aria-label", "Frister")
        assert_accessible(page)
        # "Done" on an overdue deadline: the counts above the list follow at
        # once, one short polite word tells it (not the whole list, nor the
        # counts), and the focus lands on the row's new status, not on <body>.
        counts = page.locator("#deadline-counts")
        assert page.locator("[aria-live], [role='status']").count() == 1
        expect(page.locator("#deadline-results")).not_to_have_attribute("aria-live", "polite")
        overdue = counts.locator("a[href$='status=overdue'] strong")
        done = counts.locator("a[href$='status=done'] strong")
        before, done_before = int(overdue.inner_text()), int(done.inner_text())
        row = page.locator("tr", has_text="tilrettelegging 0")
        row.get_by_role("textbox").fill("Møtet er holdt")
        row.get_by_role("button").click()
        expect(row.get_by_text("Møtet er holdt")).to_be_visible()
        expect(overdue).to_have_text(str(before - 1))
        expect(done).to_have_text(str(done_before + 1))
        assert not page.evaluate("() => document.getElementById('deadline-counts').contains(document.activeElement)")
        expect(page.locator("#deadline-status")).to_have_text("Fristen er markert som utført.")
        focused = page.locator(":focus")
        expect(focused).to_have_text("Ferdig")
        assert focused.evaluate("e => e.closest('tr').textContent.includes('tilrettelegging 0')")
        assert_accessible(page)
        page.reload()
        expect(page.locator("#deadline-counts a[href$='status=overdue'] strong")).to_have_text(str(before - 1))
        page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")
        open_goal(page, ch.goals[0].pk)
        _no_horizontal_overflow(page)
    finally:
        context.close()
