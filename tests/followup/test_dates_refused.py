"""Dates and numbers a school can not mean are refused with a message by
the field, in the user's language, and nothing typed is lost: a kartlegging
in the future, a tiltak evaluated in the future or before it began, a year
level that does not exist."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from followup.models import Duty, Kartlegging
from tests.conftest import World
from tests.followup.fixtures import records
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


def test_a_tiltak_evaluation_in_the_future_or_before_the_tiltak_is_refused_and_its_deadline_stays(
    world: World,
) -> None:
    """A mistyped year would record an evaluation that was never made and
    close the deadline of the one still to make."""
    tiltak = records(world).tiltak_a
    url = reverse("followup:tiltak_evaluate", args=[tiltak.pk])
    today = timezone.localdate()
    data = {
        "outcome": "adjusted",
        "effect": "Leser mer flytende i gruppa",
        "adjustment": "Tre økter i uka",
        "next_evaluation_date": (today + datetime.timedelta(days=150)).isoformat(),
    }
    client = world.client("teacher")
    future = client.post(url, data | {"date": (today + datetime.timedelta(days=120)).isoformat()})
    page = future.content.decode()
    assert future.status_code == 200 and "En evaluering kan ikke dateres fram i tid." in page
    assert "Leser mer flytende i gruppa" in page  # kept in the form
    before = client.post(url, data | {"date": (tiltak.start - datetime.timedelta(days=1)).isoformat()})
    assert "Tiltaket begynte " in before.content.decode()
    tiltak.refresh_from_db()
    assert not tiltak.evaluations.exists() and tiltak.evaluation_date == today + datetime.timedelta(days=30)
    assert client.post(url, data | {"date": today.isoformat()}).status_code == 302
    assert tiltak.evaluations.get().date == today
