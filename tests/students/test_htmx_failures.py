"""What an htmx request gets when the session has ended or the security token
was refused: a short answer the page shows in place (nothing to swap in), while
ordinary page requests keep the login redirect and a translated page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse

from iop.models import Iop
from tests.conftest import World
from tests.iop.factories import chain

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_it_answers_an_expired_htmx_save_with_401_and_the_login_address(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    page = f"/iop/{ch.iop.pk}/"  # type: ignore[union-attr]
    response = Client().post(
        reverse("iop:goal_update", args=[goal.pk]),
        {f"{goal.pk}-text": "Skrevet før økta gikk ut"},
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
        **HTMX,
    )
    assert response.status_code == 401
    login = urlsplit(response["X-Login-Required"])
    assert login.path == reverse("login")
    assert parse_qs(login.query) == {"next": [page]}  # back to the page, not to the save URL
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "<form" not in body and "Passord" not in body
    assert "Logg inn på nytt" in body
    goal.refresh_from_db()
    assert goal.text != "Skrevet før økta gikk ut"


def test_it_still_redirects_an_ordinary_request_to_the_login_page(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    response = Client().post(reverse("iop:goal_update", args=[ch.goals[0].pk]), {})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("login")
    assert "X-Login-Required" not in response


def test_it_leaves_other_htmx_redirects_alone(world: World) -> None:
    response = world.client("teacher").get(reverse("login"), **HTMX)
    assert "X-Login-Required" not in response


def test_it_answers_a_refused_htmx_token_with_a_short_403_and_a_fresh_token(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("teacher"))  # type: ignore[arg-type]
    client.get(f"/iop/{ch.iop.pk}/")  # type: ignore[union-attr]  # sets the csrftoken cookie
    response = client.post(
        reverse("iop:goal_update", args=[goal.pk]),
        {f"{goal.pk}-text": "Ny tekst"},
        HTTP_X_CSRFTOKEN="a" * 64,  # the token of the page before logging in again
        **HTMX,
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "<html" not in body and "sikkerhetsnøkkel" in body
    fresh = response["X-CSRF-Token"]
    # The fresh token works for the save sent again.
    again = client.post(
        reverse("iop:goal_update", args=[goal.pk]),
        {f"{goal.pk}-text": "Ny tekst", f"{goal.pk}-version": goal.version},
        HTTP_X_CSRFTOKEN=fresh,
        **HTMX,
    )
    assert again.status_code == 200, again.content.decode()
    assert "X-CSRF-Token" not in again


def test_a_refused_token_on_an_ordinary_page_gets_a_translated_page(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("teacher"))  # type: ignore[arg-type]
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "<html" in body and "Skjemaet er utløpt" in body
    assert "X-CSRF-Token" not in response
