"""Login, lockout, password reset, session expiry and the operators' admin."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.factories import PASSWORD

OSLO = ZoneInfo("Europe/Oslo")


def test_it_logs_in_with_email_and_lands_a_parent_on_their_children(world: World) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "guardian_a@test.example", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mine barn" in page and "Anna Aasen" in page


def test_the_email_address_is_the_same_whatever_its_case(world: World) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "Guardian_A@Test.Example", "password": PASSWORD})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(world.user("guardian_a").pk)
    wrong = Client().post(reverse("login"), {"username": "Guardian_A@Test.Example", "password": PASSWORD.upper()})
    assert "Passordet skiller mellom store og små bokstaver." in wrong.content.decode()  # the password's case counts


def test_it_says_clearly_when_the_password_is_wrong(world: World) -> None:
    response = Client().post(reverse("login"), {"username": "teacher@test.example", "password": "feil"})
    assert response.status_code == 200
    assert "Feil e-postadresse eller passord" in response.content.decode()
    assert 'value="teacher@test.example"' in response.content.decode()


def test_it_locks_the_account_after_repeated_failures(world: World) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "teacher@test.example", "password": "feil"})
    response = client.post(reverse("login"), {"username": "teacher@test.example", "password": PASSWORD})
    assert response.status_code == 429
    assert "For mange mislykkede forsøk" in response.content.decode()


def test_it_resets_a_password_by_email(world: World) -> None:
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "teacher@test.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/konto/nytt-passord/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.get(link.group(1), follow=True)
    assert "Velg nytt passord" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "ny-lang-frase-42", "new_password2": "ny-lang-frase-42"}
    )
    assert response.status_code == 302
    fresh = Client()
    fresh.post(reverse("login"), {"username": "teacher@test.example", "password": "ny-lang-frase-42"})
    assert "_auth_user_id" in fresh.session


def test_it_sends_no_mail_for_an_unknown_address(world: World) -> None:
    response = Client().post(reverse("password_reset"), {"email": "nobody@test.example"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_it_expires_sessions_after_inactivity(world: World) -> None:
    """An hour at most without a request logs the user out; each request starts the hour again."""
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle <= datetime.timedelta(hours=1)
    client = Client()
    page = reverse("pupil_list")
    with time_machine.travel(datetime.datetime(2026, 11, 10, 8, 0, tzinfo=OSLO), tick=False) as clock:
        client.post(reverse("login"), {"username": "teacher@test.example", "password": PASSWORD})
        assert client.get(page).status_code == 200
        assert client.cookies[settings.SESSION_COOKIE_NAME]["expires"] == ""  # ends when the browser closes
        for _ in range(3):  # active for three times the timeout: still logged in
            clock.shift(idle - datetime.timedelta(minutes=1))
            assert client.get(page).status_code == 200
        clock.shift(idle + datetime.timedelta(minutes=1))
        response = client.get(page)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={page}"
    assert "_auth_user_id" not in client.session


def test_it_refuses_login_to_a_deactivated_account(world: World) -> None:
    response = Client().post(reverse("login"), {"username": "deactivated@test.example", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


@pytest.mark.parametrize("persona", ["teacher", "coordinator"])
def test_it_keeps_staff_flagged_users_out_of_the_admin_unless_superuser(world: World, persona: str) -> None:
    user = world.user(persona)
    user.is_staff = True
    user.save()
    response = world.client(persona).get(reverse("admin:index"))
    assert response.status_code == 302


def test_reading_pages_renews_the_session_only_when_its_idle_window_needs_it(world: World) -> None:
    """Pages read within a few minutes write no session row; the first request
    after SESSION_REFRESH_AFTER seconds renews it (and so its expiry)."""
    from django.contrib.sessions.models import Session

    client = Client()
    page = reverse("pupil_list")
    step = datetime.timedelta(seconds=settings.SESSION_REFRESH_AFTER)
    with time_machine.travel(datetime.datetime(2026, 11, 10, 8, 0, tzinfo=OSLO), tick=False) as clock:
        client.post(reverse("login"), {"username": "teacher@test.example", "password": PASSWORD})
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        assert client.get(page).status_code == 200
        expiry = Session.objects.get(session_key=key).expire_date
        clock.shift(step / 2)
        for _ in range(3):
            assert client.get(page).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == expiry  # nothing written
        clock.shift(step)
        assert client.get(page).status_code == 200
        assert Session.objects.get(session_key=key).expire_date > expiry


def test_expired_sessions_are_deleted_by_the_nightly_task(world: World) -> None:
    from django.contrib.sessions.models import Session

    from students.tasks import clear_sessions

    with time_machine.travel(datetime.datetime(2026, 11, 10, 8, 0, tzinfo=OSLO), tick=False) as clock:
        world.client("teacher")
        world.client("coordinator")
        assert Session.objects.count() == 2
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        Client().post(reverse("login"), {"username": "faglaerer@test.example", "password": PASSWORD})
        assert clear_sessions() == 2
        assert Session.objects.count() == 1
    assert "students-clear-sessions" in settings.CELERY_BEAT_SCHEDULE
