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


def test_an_address_that_only_saves_says_it_is_not_a_page(world: World) -> None:
    """A form's address opened in the browser (GET on a POST-only view): a
    page in the user's language with the way back, and the ``Allow`` header;
    htmx keeps the bare answer."""
    client = world.client("teacher")
    url = reverse("followup:notifications_read")
    answer = client.get(url)
    assert answer.status_code == 405
    assert answer["Allow"] == "POST"
    page = answer.content.decode()
    assert "Ikke en side å åpne" in page and reverse("home") in page
    bare = client.get(url, HTTP_HX_REQUEST="true")
    assert bare.status_code == 405 and bare.content == b""
