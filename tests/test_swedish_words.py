"""Swedish words that mean something else in Sweden stay out of the Swedish catalogs.

An "orosanmälan" is, in Sweden, a report to the social services (socialtjänstlagen);
the follow-up module's concern is the report to the head teacher that a pupil may
need särskilt stöd (skollagen 3 kap. 7 §): an "anmälan om stödbehov".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_translations import CATALOGS, name

SWEDISH = [catalog for catalog in CATALOGS if catalog.parts[-3] == "sv"]
WRONG_WORDS = ("orosanmäl",)


def test_there_are_swedish_catalogs() -> None:
    assert len(SWEDISH) >= 6


@pytest.mark.parametrize("catalog", SWEDISH, ids=name)
def test_no_swedish_catalog_speaks_of_a_report_to_social_services(catalog: Path) -> None:
    text = catalog.read_text(encoding="utf-8").lower()
    assert [word for word in WRONG_WORDS if word in text] == []
