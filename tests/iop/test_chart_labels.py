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
