"""The operators' admin reads a pupil's case records, with the read logged,
and changes none of them: they are written in the app, where the services
check them and keep their history."""

from __future__ import annotations

from django.urls import reverse

from followup.models import Concern
from iop.models import AccessLogEntry
from tests.conftest import World
from tests.followup.fixtures import records


def test_a_concern_and_a_referral_are_read_only_in_the_admin(world: World) -> None:
    r = records(world)
    client = world.client("operator")
    concern = r.concern_a
    url = reverse("admin:followup_concern_change", args=[concern.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert AccessLogEntry.objects.filter(object_id=concern.pk, purpose=AccessLogEntry.Purpose.ADMIN).exists()
    written = concern.description
    assert client.post(url, {"description": "Endret av drift"}).status_code == 403
    assert Concern.objects.get(pk=concern.pk).description == written
    for name in ("followup_concern", "followup_referral", "followup_consent", "followup_tiltak", "followup_talk"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403, name
        listing = client.get(reverse(f"admin:{name}_changelist")).content.decode()
        assert "delete_selected" not in listing, name
    referral = r.referral_a
    form = client.get(reverse("admin:followup_referral_change", args=[referral.pk])).content.decode()
    assert 'name="_save"' not in form and 'name="question"' not in form
