"""The demo's Swedish school has the support chain: a decided åtgärdsprogram
after extra anpassningar and an utredning, and a beslut att inte upprätta;
their dates are deadlines; the demo guardian reads the programme."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from followup.models import Deadline
from iop.atgardsprogram.models import Atgardsprogram, ExtraAnpassning, Utredning
from students.demo import DEMO_PASSWORD


@pytest.mark.django_db
def test_the_demo_has_the_swedish_support_chain() -> None:
    call_command("seed_demo", stdout=None)
    programme = Atgardsprogram.objects.get(kind=Atgardsprogram.Kind.UPPRATTA)
    assert programme.status == Atgardsprogram.Status.DECIDED and programme.atgarder.count() == 2
    assert programme.decided_by.email == "rektor.alvby@demo.example"
    refusal = Atgardsprogram.objects.get(kind=Atgardsprogram.Kind.INTE_UPPRATTA)
    assert refusal.is_decided and refusal.utredning.needs_support is False
    assert ExtraAnpassning.objects.filter(pupil=programme.pupil, uppfoljningar__isnull=False).exists()
    assert Utredning.objects.count() == 2
    states = dict(
        Deadline.objects.filter(record_kind="atgardsprogram", record_id=str(programme.pk)).values_list(
            "duty__key", "state"
        )
    )
    assert states == {
        "atgardsprogram-beslut": Deadline.State.DONE,  # decided
        "atgardsprogram-uppfoljning": Deadline.State.OPEN,
        "atgardsprogram-utvardering": Deadline.State.OPEN,
    }

    client = Client()
    client.post("/konto/logg-inn/", {"username": "vardnadshavare.5a.1@demo.example", "password": DEMO_PASSWORD})
    page = client.get(f"/stod/beslut/{programme.pk}/")
    assert page.status_code == 200 and "Speciallärare 30 minuter" in page.content.decode()
