"""The 403 page says what the person may do: a page their role does not
open, or a change to what they may only read."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import World


def test_a_page_the_role_does_not_open_says_so(world: World) -> None:
    answer = world.client("guardian_a").get(reverse("followup:dashboard"))
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "Rollen din gir ikke tilgang til denne siden." in page
    assert "Du kan lese dette" not in page


def test_a_change_to_what_the_person_may_only_read_says_so(world: World) -> None:
    # Guardians read only: any write is refused before a view is asked.
    answer = world.client("guardian_a").post(reverse("followup:dashboard"))
    assert answer.status_code == 403
    assert "Du kan lese dette, men ikke endre det." in answer.content.decode()
