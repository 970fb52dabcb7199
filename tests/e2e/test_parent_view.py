"""What a parent sees: levels in everyday words, a parent's menu (their
children, notifications, who has read), a footer written for parents, and
the "who has read" link on the child's page in Norwegian and Swedish."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from iop import services
from tests import factories as f
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login
from tests.iop.factories import chain


@pytest.mark.django_db(transaction=True)
def test_a_norwegian_parent_reads_levels_in_words(live_server: Any, transactional_world: World, page: Any) -> None:
    w = transactional_world
    with transaction.atomic():
        ch = chain(w.pupil_a, goals=1, logs_per_goal=3)  # the latest log: quality 3, independence 4
        assert ch.iop is not None
        services.iop_publish(actor=w.user("teacher"), iop=ch.iop, version=ch.iop.version)  # type: ignore[arg-type]

    login(page, live_server.url, "guardian_a@test.example")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    labels = [t.strip() for t in nav.get_by_role("link").all_inner_texts()]
    assert labels == ["Mine barn", "Anna", "Varsler", "Hvem har lest"], labels
    footer = page.locator("footer").inner_text()
    assert "kontaktlæreren" in footer and "Ikke del" not in footer

    follow(page, nav.get_by_role("link", name="Anna"))
    assert page.get_by_role("heading", level=1).inner_text() == "Anna Aasen"
    main = page.locator("main")
    goals = main.get_by_role("table").filter(has_text="Hvor godt").inner_text()
    assert "Mestrer svært godt" in goals and "Mestrer" in goals
    assert "/4" not in main.inner_text()
    assert page.get_by_role("navigation", name="Du er her").get_by_role("link", name="Mine barn").count() == 1
    assert_accessible(page)

    follow(page, main.get_by_role("link", name="Progresjon").first)  # the goal's log, in the same words
    log = page.locator("#log-entries").get_by_role("table").inner_text()
    assert "Hvor godt" in log and "Mestrer svært godt" in log and "Kompetent" not in log
    criteria = page.get_by_role("table", name="Kriterier").inner_text()  # the axes in the same words
    assert "Hvor godt" in criteria and "Hvor selvstendig" in criteria and "Kvalitet" not in criteria
    assert_accessible(page)
    page.go_back()

    follow(page, main.get_by_role("link", name="Hvem har lest planene"))
    assert page.url.endswith(f"/elever/{w.pupil_a.pk}/innsyn/")
    assert_accessible(page)

    page.goto(f"{live_server.url}/iop/{ch.iop.pk}/")  # the plan itself says the latest status in words too
    status = page.locator(".iop-goal-status").first.inner_text()
    assert "hvor godt: mestrer" in status and "hvor selvstendig: mestrer svært godt" in status, status
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
def test_a_swedish_parent_finds_who_has_read(live_server: Any, transactional_world: World, page: Any) -> None:
    w = transactional_world
    f.make_swedish(w.school2)
    f.guardian_of(f.UserFactory(email="vardnadshavare@test.example", full_name="Vera Vårdnadshavare"), w.pupil_c)

    login(page, live_server.url, "vardnadshavare@test.example")
    nav = page.get_by_role("navigation", name="Huvudmeny")
    labels = [t.strip() for t in nav.get_by_role("link").all_inner_texts()]
    assert "Elever" not in labels and "Cecilie" in labels, labels
    assert "mentor" in page.locator("footer").inner_text()

    follow(page, nav.get_by_role("link", name="Cecilie"))
    follow(page, page.locator("main").get_by_role("link", name="Vem har läst planerna"))
    assert page.url.endswith(f"/elever/{w.pupil_c.pk}/innsyn/")
    assert_accessible(page)
