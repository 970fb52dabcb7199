"""An operator chooses the årshjul a school follows, over its school owner's
own and the built-in one for its kind."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from followup import deadlines
from followup.models import Aarshjul
from tests.conftest import World


def test_the_chosen_aarshjul_wins_and_clearing_it_restores_the_default(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    school = world.school1
    default = deadlines.aarshjul_for(school)
    other = Aarshjul.objects.create(name="Eget hjul", skoleeier=world.school2.skoleeier)
    assert deadlines.aarshjul_for(school) == other  # the school owner's own
    builtin = Aarshjul.objects.exclude(pk=other.pk).exclude(builtin_key="").exclude(pk=default.pk if default else None)
    chosen = builtin.first() or Aarshjul.objects.create(name="Valgt", builtin_key="valgt")
    client = Client()
    client.force_login(world.users["operator"])
    url = reverse("followup:aarshjul_choices")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"school": school.pk, "aarshjul": chosen.pk})
    assert response.status_code == 302
    assert len(callbacks) == 1  # the school's deadlines are regenerated after the commit
    assert deadlines.aarshjul_for(school) == chosen
    assert deadlines.aarshjul_for(world.school2) == other
    page = client.get(url).content.decode()
    assert chosen.name in page
    client.post(url, {"school": school.pk, "aarshjul": ""})
    assert deadlines.aarshjul_for(school) == other
    teacher = world.client("teacher")
    assert teacher.get(url).status_code == 404
