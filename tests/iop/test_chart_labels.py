"""The goal chart's level words on the y axis keep clear of the chart's left
edge in every language, measured in DejaVu Sans (the PDF's font)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.utils import translation
from PIL import ImageFont

from iop.charts import LABEL_EDGE_PX, progression_svg

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass
class Log:
    date: datetime.date
    quality: int | None
    independence: int | None


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_the_y_axis_labels_do_not_touch_the_chart_edge(language: str) -> None:
    font = ImageFont.truetype(FONT, 12)
    logs = [Log(datetime.date(2026, 9, 1), 1, 2), Log(datetime.date(2026, 10, 1), 3, 4)]
    with translation.override(language):
        svg = str(progression_svg(logs, title="Lese"))
    labels = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end" font-size="12"[^>]*>([^<]+)</text>', svg)
    assert len(labels) >= 4, svg
    for x, text in labels:
        start = float(x) - font.getlength(text)
        assert start >= LABEL_EDGE_PX, f"{text!r} starts {start:.1f} px from the edge"


def test_the_charts_name_has_one_full_stop_after_a_goal_ending_in_one() -> None:
    logs = [Log(datetime.date(2026, 9, 1), 2, 1)]
    with translation.override("nb"):
        ending = str(progression_svg(logs, title="Eleven teller med konkreter og tallinje."))
        plain = str(progression_svg(logs, title="Eleven teller med konkreter"))
    label = re.search(r'aria-label="([^"]*)"', ending)
    assert label and label[1].startswith("Progresjon: Eleven teller med konkreter og tallinje. Kvalitet: "), label
    assert ".." not in label[1]
    assert 'aria-label="Progresjon: Eleven teller med konkreter. Kvalitet: ' in plain
