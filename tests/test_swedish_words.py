"""Swedish words that mean something else in Sweden stay out of the Swedish catalogs.

An "orosanmälan" is, in Sweden, a report to the social services (socialtjänstlagen);
the follow-up module's concern is the report to the head teacher that a pupil may
need särskilt stöd (skollagen 3 kap. 7 §): an "anmälan om stödbehov".
"""

from __future__ import annotations

import re
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


#: Norwegian words that a Swedish text names in brackets beside its own
#: ("Elevsamtal (elevsamtale)"): the Swedish word stands alone.
NORWEGIAN_IN_BRACKETS = ("samtale)", "(tiltak)")


@pytest.mark.parametrize("catalog", SWEDISH, ids=name)
def test_no_swedish_text_explains_itself_in_norwegian(catalog: Path) -> None:
    lines = catalog.read_text(encoding="utf-8").splitlines()
    msgstrs = [re.sub(r"%\(\w+\)s", "", line.lower()) for line in lines if line.startswith("msgstr")]  # no placeholders
    assert [line for line in msgstrs for word in NORWEGIAN_IN_BRACKETS if word in line] == []
