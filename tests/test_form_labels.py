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


class _Choices(forms.Form):
    answer = forms.ChoiceField(label="Needs support?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect)
    note = forms.CharField(label="Note", help_text="A few words.")


def test_help_texts_are_read_with_their_fields_and_a_radio_group_is_a_fieldset() -> None:
    import re

    from django.template.loader import render_to_string

    html = render_to_string("_form_fields.html", {"form": _Choices()})
    described = re.search(r'<input[^>]*name="note"[^>]*>', html)
    assert described is not None and 'aria-describedby="id_note_helptext"' in described.group(0)
    assert 'id="id_note_helptext"' in html  # what the field points to is there
    assert 'for=""' not in html
    assert re.search(r'<fieldset class="ds-field">\s*<legend class="ds-label">Needs support\?</legend>', html)
