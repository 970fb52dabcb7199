"""The pedagogisk rapport saves itself while the kontaktlærer types, in
Chromium: "Lagret" appears in the status area, the text is stored and the
browser's local draft is dropped once the server has it; an autosave refused
because someone else changed the text says so in place, with the choice."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from followup.models import Referral
from tests.conftest import World
from tests.e2e.conftest import login
from tests.followup.fixtures import records

NO_DRAFTS = "() => !Object.keys(localStorage).some(k => k.startsWith('iop-draft|'))"


@pytest.mark.django_db(transaction=True)
def test_the_pedagogisk_rapport_saves_itself_while_typing(
    live_server: Any, transactional_world: World, page: Any
) -> None:
    referral = records(transactional_world).referral_a
    referral.report = "## Bakgrunn\n- 01.09.2026: uro i timene\n\n## Hva eleven mestrer\n"
    referral.save()
    login(page, live_server.url, "teacher@test.example")
    page.goto(live_server.url + reverse("followup:referral_edit", args=[referral.pk]))
    box = page.get_by_label("Hva eleven mestrer")  # one field per section, labelled by its title
    expect(box).to_have_attribute("placeholder", "Beskriv elevens sterke sider og hva som fungerer godt.")
    box.fill("Eleven leser sakte, men forstår det hun leser.")
    box.press("End")
    page.keyboard.type(" Hun trenger mer tid.")
    expect(page.locator("#autosave-status")).to_contain_text("Lagret", timeout=8000)
    page.wait_for_function(NO_DRAFTS)  # the server confirmed the text as it stands in the field
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.report == (
        "## Bakgrunn\n- 01.09.2026: uro i timene\n\n"
        "## Hva eleven mestrer\nEleven leser sakte, men forstår det hun leser. Hun trenger mer tid.\n"
    )
    assert saved.version >= 2 and saved.history.first().history_user == transactional_world.user("teacher")

    # Someone else saves the same text; typing on is refused, in place, with both texts and the choice.
    saved.report, saved.version = "Koordinatorens rapport.", saved.version + 1
    saved._history_user = transactional_world.user("coordinator")  # type: ignore[attr-defined]
    saved.save()
    page.keyboard.type(" Og mer.")
    expect(page.locator("#autosave-status")).to_contain_text("Ikke lagret", timeout=8000)
    expect(page.locator("#autosave-conflict .iop-conflict")).to_contain_text("Koordinatorens rapport.")
    assert Referral.objects.get(pk=referral.pk).report == "Koordinatorens rapport."
