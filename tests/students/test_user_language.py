"""Each user's own language: chosen on their settings page (staff and
guardians), it wins over the school's for pages, e-mails and the calendar;
empty, the school's language is used. The choice that used to be the
follow-up preference's (e-mails only) is kept by the data migration."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from followup import reminders
from students import access
from students.models import School, User
from tests.conftest import World

SETTINGS = "followup:preferences"


def lang(response: Any) -> str:
    return response.headers["Content-Language"]


def test_it_speaks_the_school_language_when_the_user_chose_none(world: World) -> None:
    School.objects.filter(pk=world.school1.pk).update(language=School.Language.SV)
    response = world.client("teacher").get(reverse("home"))
    assert lang(response) == "sv"
    assert '<html lang="sv"' in response.content.decode()


@pytest.mark.parametrize("language", ["nb", "nn", "sv", "en"])
def test_the_users_own_language_wins_over_the_schools(world: World, language: str) -> None:
    School.objects.filter(pk=world.school1.pk).update(language=School.Language.SV if language != "sv" else "nb")
    User.objects.filter(pk=world.user("teacher").pk).update(language=language)  # type: ignore[union-attr]
    response = world.client("teacher").get(reverse("home"))
    assert lang(response) == language
    assert f'<html lang="{language}"' in response.content.decode()


def test_the_pages_before_login_speak_the_language_last_used_in_the_browser(world: World) -> None:
    School.objects.filter(pk=world.school1.pk).update(language=School.Language.SV)
    client = world.client("teacher")
    assert lang(client.get(reverse("home"))) == "sv"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    client.post(reverse("logout"))
    page = client.get(reverse("login"))
    assert lang(page) == "sv" and "Logga in" in page.content.decode()
    assert lang(client.get(reverse("password_reset"))) == "sv"


def test_a_visitor_picks_the_language_of_the_login_page(world: World) -> None:
    client = Client()
    page = client.get(reverse("login"), {"next": "/elever/"})
    body = page.content.decode()
    assert lang(page) == "nb" and settings.LANGUAGE_COOKIE_NAME not in page.cookies
    assert '<strong lang="nb" aria-current="true">Norsk bokmål</strong>' in body
    assert 'href="?lang=sv&amp;next=/elever/"' in body  # the way back after login is kept
    swedish = client.get(reverse("login"), {"lang": "sv", "next": "/elever/"})
    assert lang(swedish) == "sv" and "Glömt lösenordet?" in swedish.content.decode()
    # Each language by its own name, whatever the page's language; a Swedish page names the product without IOP.
    assert 'hreflang="en">English</a>' in swedish.content.decode() and "Engelska" not in swedish.content.decode()
    assert "Elevstöd och IUP" in swedish.content.decode() and "IOP och IUP" not in swedish.content.decode()
    assert lang(client.get(reverse("password_reset"))) == "sv"  # remembered
    assert lang(client.get(reverse("login"), {"lang": "xx"})) == "sv"  # an unknown code changes nothing
    assert lang(client.get(reverse("login"), {"lang": "nb"})) == "nb"
    assert lang(client.get(reverse("login"))) == "nb"


@pytest.mark.parametrize(("persona", "linked"), [("teacher", True), ("guardian_a", True), ("operator", False)])
def test_the_header_links_to_the_users_own_settings(world: World, persona: str, linked: bool) -> None:
    page = world.client(persona).get(reverse("home")).content.decode()
    assert (f'href="{reverse(SETTINGS)}"' in page) == linked


def test_staff_choose_their_language_and_the_next_page_speaks_it(world: World) -> None:
    client = world.client("teacher")
    page = client.get(reverse(SETTINGS)).content.decode()
    for name in ("Norsk bokmål", "Norsk nynorsk", "Svenska", "English"):  # each in its own language
        assert f">{name}</option>" in page
    saved = client.post(reverse(SETTINGS), {"language": "en"})
    assert saved.status_code == 302
    assert User.objects.get(pk=world.user("teacher").pk).language == "en"  # type: ignore[union-attr]
    after = client.get(saved["Location"])
    assert lang(after) == "en"
    assert "Your settings are saved." in after.content.decode()
    assert client.post(reverse(SETTINGS), {"language": ""}).status_code == 302  # back to the school's
    assert lang(client.get(reverse("home"))) == "nb"


def test_a_guardian_chooses_their_language(world: World) -> None:
    client = world.client("guardian_a")
    page = client.get(reverse(SETTINGS)).content.decode()
    assert ">Svenska</option>" in page
    saved = client.post(reverse(SETTINGS), {"language": "sv", "plan_emails": "on"})
    assert saved.status_code == 302
    assert User.objects.get(pk=world.user("guardian_a").pk).language == "sv"  # type: ignore[union-attr]
    assert lang(client.get(reverse("home"))) == "sv"


def test_a_language_outside_the_list_is_refused(world: World) -> None:
    response = world.client("teacher").post(reverse(SETTINGS), {"language": "de"})
    assert response.status_code == 200
    assert User.objects.get(pk=world.user("teacher").pk).language == ""  # type: ignore[union-attr]


def test_emails_go_in_the_users_language_else_the_schools(world: World) -> None:
    School.objects.filter(pk=world.school1.pk).update(language=School.Language.SV)
    teacher = User.objects.get(pk=world.user("teacher").pk)  # type: ignore[union-attr]
    assert reminders.language_of(teacher) == "sv"
    User.objects.filter(pk=teacher.pk).update(language="en")
    assert reminders.language_of(User.objects.get(pk=teacher.pk)) == "en"


def test_the_data_migration_keeps_the_language_chosen_for_emails(world: World) -> None:
    """Back to before the move (followup 0018), a preference with a language
    and one without; forward again: the user with a choice has it, the
    other keeps the school's (empty). Rolled back with the test."""
    before = [("followup", "0018_alter_duty_fulfilment_alter_duty_record_event")]
    after = [("followup", "0019_language_on_the_user")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Preference = old.get_model("followup", "Preference")
    chose, other = world.user("teacher"), world.user("coordinator")
    Preference.objects.create(user_id=chose.pk, language="sv", ical_token="a")  # type: ignore[union-attr]
    Preference.objects.create(user_id=other.pk, language="", ical_token="b")  # type: ignore[union-attr]
    with connection.cursor() as cursor:  # the foreign keys checked now: the table is altered next
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert User.objects.get(pk=chose.pk).language == "sv"  # type: ignore[union-attr]
    assert User.objects.get(pk=other.pk).language == ""  # type: ignore[union-attr]


def test_english_dates_put_the_day_first_on_the_24_hour_clock() -> None:
    moment = datetime.datetime(2026, 9, 22, 14, 5)
    with translation.override("en"):
        assert formats.date_format(moment.date()) == "22 September 2026"
        assert formats.date_format(moment.date(), "MEDIUM_DATE_FORMAT") == "22 Sep 2026"
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == "22/09/2026"
        assert formats.time_format(moment.time()) == "14:05"


def test_a_nynorsk_reader_gets_nynorsk_emails(world: World) -> None:
    School.objects.filter(pk=world.school1.pk).update(language=School.Language.NN)
    teacher = User.objects.get(pk=world.user("teacher").pk)  # type: ignore[union-attr]
    assert reminders.language_of(teacher) == "nn"
    with translation.override(reminders.language_of(teacher)):
        assert translation.gettext("Takes effect on the next page.") == "Gjeld frå neste side."


@pytest.mark.parametrize("order", ["nynorsk first", "bokmal first"])
def test_someone_serving_a_bokmal_and_a_nynorsk_school_reads_bokmal(world: World, order: str) -> None:
    """A PPT advisor serves two schools: one writes bokmål, the other
    nynorsk. A tie between the schools' languages goes to the default
    (bokmål) whatever order the memberships come in; a majority wins."""
    first, second = (world.school1, world.school2) if order == "nynorsk first" else (world.school2, world.school1)
    School.objects.filter(pk=first.pk).update(language=School.Language.NN)
    School.objects.filter(pk=second.pk).update(language=School.Language.NB)
    assert lang(world.client("ppt").get(reverse("home"))) == "nb"
    assert access._most_common(["nn", "sv", "nn", "nb"]) == "nn"
    assert access._most_common(["sv", "nn"]) == "nn"


@pytest.mark.parametrize(
    ("browser", "expected"),
    [
        ("sv-SE,sv;q=0.9,en;q=0.8", "sv"),
        ("nn-NO,nn;q=0.9", "nn"),
        ("en-US,en;q=0.9", "nb"),
        ("de-DE", "nb"),
        ("", "nb"),
    ],
)
def test_a_first_visit_takes_swedish_or_nynorsk_from_the_browser(world: World, browser: str, expected: str) -> None:
    """No language chosen in this browser yet: a Swedish or nynorsk browser
    gets its language on the login page; others get bokmål (English is one
    click away on the page). A language chosen on the page wins."""
    client = Client(headers={"Accept-Language": browser} if browser else {})
    page = client.get(reverse("login"))
    assert lang(page) == expected
    assert "Accept-Language" in page["Vary"]
    assert lang(client.get(reverse("login"), {"lang": "nb"})) == "nb"
    assert lang(client.get(reverse("password_reset"))) == "nb"  # remembered over the browser's
