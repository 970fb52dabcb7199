"""The 2023 act's words: individuelt tilrettelagt opplæring (opplæringslova § 11-6), not "spesialundervisning"."""

from __future__ import annotations

import re

from django.urls import reverse

from followup.aarshjul_data import load_builtin
from followup.models import Aarshjul, Duty
from tests import factories as f
from tests.conftest import World
from tests.iop.factories import chain


def test_the_menu_the_overview_and_the_pupil_page_use_the_2023_act_word(world: World) -> None:
    chain(world.pupil_a)
    coordinator = world.client("coordinator")
    overview = coordinator.get(reverse("iop:overview")).content.decode()
    pupil = coordinator.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "<title>Individuelt tilrettelagt opplæring" in overview
    assert "Individuelt tilrettelagt opplæring: den røde tråden" in overview
    assert "Individuelt tilrettelagt opplæring</h2>" in pupil
    # the old word once, as the help text that explains the new one
    assert len(re.findall("spesialundervisning", overview, re.IGNORECASE)) == 1
    assert "spesialundervisning" not in pupil.lower()


def test_the_swedish_pages_have_no_norwegian_chain_words(world: World) -> None:
    """A Swedish school has no overview of the Norwegian chain (404), and its pupil page names none of it."""
    f.make_swedish(world.school2)
    chain(world.pupil_c)
    coordinator = world.client("coordinator_other")
    assert coordinator.get(reverse("iop:overview")).status_code == 404
    page = coordinator.get(reverse("pupil_detail", args=[world.pupil_c.pk])).content.decode()
    assert 'lang="sv"' in page
    assert "pecialundervisning" not in page and "tilrettelagt" not in page


def test_the_built_in_aarshjul_says_individuelt_tilrettelagt_opplaering(db: None) -> None:
    load_builtin(Aarshjul, Duty)  # as the migration made it (a test that flushes the tables removes it)
    builtin = Duty.objects.exclude(aarshjul__builtin_key="")
    assert builtin.exists()
    assert not builtin.filter(description__icontains="spesialundervisning").exists()
    assert builtin.filter(key="sokt-inn-1-februar", description__contains="(opplæringslova § 11-6)").exists()
