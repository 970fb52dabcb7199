"""The operators' admin speaks the operator's language, third-party apps included."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories as f


@pytest.mark.django_db
def test_the_admin_index_names_every_app_and_model_in_bokmaal(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index")).content.decode()
    captions = re.findall(r"<caption>\s*<a[^>]*>([^<]+)</a>", html)
    assert "Innloggingssperrer" in captions
    english = {"Axes", "Curriculum", "Access attempts", "Access failures", "Subject codes"}
    shown = set(captions) | set(re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>([^<]+)</a>', html))
    assert not shown & english, shown & english
    assert "Innloggingsforsøk" in shown
