"""The NLOD attribution that must accompany imported curriculum data."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from curriculum import attribution


def test_it_renders_the_attribution_snippet() -> None:
    with translation.override("en"):
        html = render_to_string(attribution.ATTRIBUTION_TEMPLATE)

    assert html.strip() == "Contains data under NLOD, made available at data.udir.no"


def test_it_exposes_the_attribution_as_a_constant() -> None:
    with translation.override("en"):
        assert str(attribution.ATTRIBUTION) == "Contains data under NLOD, made available at data.udir.no"
    assert attribution.LICENCE_URL.startswith("https://data.norge.no/nlod")
