"""Small labels users saw: an empty select says "— velg —" (not Django's
"---------"), the filter buttons say "Filtrer" (not the admin's "Filtrering")."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from students.models import School
from tests.conftest import World


class _Form(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.order_by("name"), required=False)
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)


@pytest.mark.django_db
def test_an_empty_select_offers_a_translated_choose_label(world: World) -> None:
    for language, label in (("nb", "— velg —"), ("sv", "— välj —")):
        with translation.override(language):
            html = str(_Form()["school"]) + str(_Form()["kind"])
        assert "---------" not in html and html.count(f'<option value="" selected>{label}</option>') == 2, html
    with translation.override("nb"):
        assert "Skole 1" in str(_Form()["school"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/oppfolging/", "/oppfolging/kjeden/", "/oppfolging/moter/"])
def test_the_filter_button_says_filtrer(world: World, path: str) -> None:
    body = world.client("coordinator").get(path).content.decode()
    assert ">Filtrer</button>" in body and "Filtrering" not in body
