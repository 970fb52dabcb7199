"""The "Record a kartlegging" link of a concern's page opens the form with
that concern chosen (still changeable); a concern named in the address that
the user may not see, or of another pupil, is ignored and never shown."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import timezone

from followup import services
from followup.models import Concern
from students import access
from tests.conftest import World
from tests.followup.fixtures import records


def _selected(html: str) -> list[str]:
    select = re.search(r'<select name="concern".*?</select>', html, re.S)
    assert select is not None
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(0))


def test_the_link_from_a_concern_preselects_it(world: World) -> None:
    r = records(world)
    teacher = world.client("teacher")
    page = teacher.get(reverse("followup:concern_detail", args=[r.concern_a.pk])).content.decode()
    base = reverse("followup:kartlegging_create", args=[world.pupil_a.pk])
    link = re.search(rf'href="({re.escape(base)}[^"]*)"', page)
    assert link is not None
    form = teacher.get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200
    assert _selected(form.content.decode()) == [str(r.concern_a.pk)]
    assert _selected(teacher.get(base).content.decode()) == [""]  # without it: "— choose —" as before


def test_a_concern_the_user_may_not_see_or_of_another_pupil_is_ignored(world: World) -> None:
    r = records(world)
    base = reverse("followup:kartlegging_create", args=[world.pupil_a.pk])
    for persona in ("teacher", "coordinator"):  # the teacher may not see pupil B; the coordinator may
        for raw in (str(r.concern_b.pk), "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
            response = world.client(persona).get(f"{base}?bekymring={raw}")
            html = response.content.decode()
            assert response.status_code == 200
            assert _selected(html) == [""]
            assert "Trives dårlig" not in html and f'value="{r.concern_b.pk}"' not in html


def test_a_coordinator_who_records_the_concerns_kartlegging_has_received_it(world: World) -> None:
    """A concern assessed by leadership no longer shows as "Ny" (unread); a
    kartlegging recorded by the teacher leaves it for leadership to receive."""
    r = records(world)
    concern = Concern.objects.get(pk=r.concern_a.pk)
    Concern.objects.filter(pk=concern.pk).update(status=Concern.Status.NEW, received_by=None, received_at=None)
    pupil = access.get_pupil(world.user("teacher"), world.pupil_a.pk)
    fields = {
        "kind": "academic",
        "date": timezone.localdate(),
        "conducted_by": "Kontaktlærer",
        "result": "Leser sakte.",
    }
    services.kartlegging_create(actor=world.user("teacher"), pupil=pupil, concern=concern, **fields)
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.NEW

    pupil = access.get_pupil(world.user("coordinator"), world.pupil_a.pk)
    services.kartlegging_create(actor=world.user("coordinator"), pupil=pupil, concern=concern, **fields)
    concern.refresh_from_db()
    assert (concern.status, concern.received_by) == (Concern.Status.RECEIVED, world.user("coordinator"))
