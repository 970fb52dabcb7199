"""Dates and numbers a school can not mean are refused with a message by
the field, in the user's language, and nothing typed is lost: a kartlegging
in the future, a year level that does not exist."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from followup.models import Duty, Kartlegging
from tests.conftest import World
from tests.followup.matrix import duty_data


def test_a_kartlegging_in_the_future_is_refused_and_the_form_kept(world: World) -> None:
    url = reverse("followup:kartlegging_create", args=[world.pupil_a.pk])
    data = {
        "kind": Kartlegging.Kind.ACADEMIC,
        "date": (timezone.localdate() + datetime.timedelta(days=400)).isoformat(),
        "conducted_by": "Kari",
        "method": "Leseprøve",
        "result": "Leser 40 ord i minuttet.",
    }
    response = world.client("coordinator").post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "En kartlegging registreres når den er gjort: ikke fram i tid." in page
    assert "Leser 40 ord i minuttet." in page  # kept in the form
    assert not Kartlegging.objects.filter(pupil=world.pupil_a).exists()
    today = {"date": timezone.localdate().isoformat()}
    assert world.client("coordinator").post(url, data | today).status_code == 302


def test_a_duty_for_a_year_level_that_does_not_exist_is_refused(world: World) -> None:
    url = reverse("followup:duty_create", args=[world.school1.pk])
    client = world.client("coordinator")
    for levels in ({"min_year_level": 99}, {"max_year_level": 999999999999}, {"min_year_level": 0}):
        page = client.post(url, duty_data(world, "Lesekurs") | levels).content.decode()
        assert "Et trinn er 1 til 10, eller 11 til 13 for Vg1 til Vg3." in page, levels
    assert not Duty.objects.filter(title="Lesekurs").exists()
    assert (
        client.post(url, duty_data(world, "Lesekurs") | {"min_year_level": 5, "max_year_level": 13}).status_code == 302
    )
    assert Duty.objects.filter(title="Lesekurs", min_year_level=5, max_year_level=13).exists()
