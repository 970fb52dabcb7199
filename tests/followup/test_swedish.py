"""A Swedish school's staff meet the follow-up module in Swedish, with dates
written the Swedish way; a Norwegian school's pages keep bokmål and their
Norwegian dates."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from followup import deadlines, reminders
from followup.models import MEETING_AGENDA, Concern, Deadline, Kartlegging, Meeting, Oppfolgingsplan, Tiltak
from iop.formats import CUSTOM_FORMATS
from students.models import School, User
from tests import factories as f
from tests.conftest import LOGIN_BACKEND
from tests.followup.conftest import YearSchool, build_year_school

TODAY = "2026-11-20T09:00:00+01:00"  # a Friday
DUE = datetime.date(2026, 11, 24)

#: Bokmål that must not be left on a Swedish page (whole words, case-sensitive).
NORWEGIAN = (
    "Mine frister",
    "Frister",
    "Oppgave",
    "Ansvarlig",
    "Marker som utført",
    "IKO-møter",
    "IKO-møte",
    "Elevsamtale",
    "innen",
    "forfalt",
    "Gjelder",
    "Lagre",
    "Oppfølging",
    "Bekymring",
    "bekymringsmelding",
    "Foresatte",
    "foresatte",
    "skoleår",
    "Møter",
    "Samtaler",
    "Hovedansvarlig",
    "Evalueringsdato",
    "Lukk",
    "Kontaktlærer",
    "faglærer",
    "og",
    "Refleksjon",
)


@pytest.fixture
def at_today() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def _world(swedish: bool) -> tuple[YearSchool, dict[str, str]]:
    ys = build_year_school(kind=School.Kind.BARNE_UNGDOM, level=5)
    if swedish:
        f.make_swedish(ys.school)
    pupil = ys.pupils[0]
    concern = Concern.objects.create(pupil=pupil, filed_by=ys.teacher, description="Hög frånvaro", high_absence=True)
    Kartlegging.objects.create(
        pupil=pupil,
        concern=concern,
        kind=Kartlegging.Kind.ACADEMIC,
        date=datetime.date(2026, 11, 16),
        conducted_by="Mentor",
        result="Läser långsamt",
    )
    plan = Oppfolgingsplan.objects.create(pupil=pupil, main_challenges="Läsning", created_by=ys.teacher)
    tiltak = Tiltak.objects.create(
        plan=plan,
        pupil=pupil,
        challenge="Läsning",
        description="Läsgrupp två gånger i veckan",
        organisation=Tiltak.Organisation.GROUP,
        collaboration=Tiltak.Collaboration.SCHOOL,
        start=datetime.date(2026, 11, 2),
        end=datetime.date(2027, 1, 29),
        responsibilities="Mentor",
        responsible=ys.teacher,
        evaluation_date=DUE,
    )
    with translation.override("sv" if swedish else "nb"):  # as the form proposes it
        agenda = str(MEETING_AGENDA)
    meeting = Meeting.objects.create(group=ys.group, date=datetime.date(2026, 11, 18), agenda=agenda)
    meeting.pupils.add(pupil)
    for key, due in (("sv:soon", DUE), ("sv:late", datetime.date(2026, 11, 10))):
        Deadline.objects.create(
            key=key,
            school=ys.school,
            school_year=ys.year,
            title="Utvecklingssamtal",
            pupil=pupil,
            due=due,
            responsible_role="kontaktlaerer",
            responsible=ys.teacher,
        )
    urls = {
        "home": reverse("home"),
        "deadlines": reverse("followup:dashboard"),
        "deadlines, open": reverse("followup:dashboard") + "?status=open",
        "meetings": reverse("followup:meeting_list"),
        "meeting": reverse("followup:meeting_detail", args=[meeting.pk]),
        "new meeting": reverse("followup:meeting_create"),
        "pupil's follow-up": reverse("followup:pupil", args=[pupil.pk]),
        "pupil page": reverse("pupil_detail", args=[pupil.pk]),
        "concern": reverse("followup:concern_detail", args=[concern.pk]),
        "new concern": reverse("followup:concern_create", args=[pupil.pk]),
        "new kartlegging": reverse("followup:kartlegging_create", args=[pupil.pk]),
        "follow-up plan": reverse("followup:plan_edit", args=[pupil.pk]),
        "new tiltak": reverse("followup:tiltak_create", args=[pupil.pk]),
        "tiltak": reverse("followup:tiltak_detail", args=[tiltak.pk]),
        "evaluate tiltak": reverse("followup:tiltak_evaluate", args=[tiltak.pk]),
        "new talk": reverse("followup:talk_create", args=[pupil.pk]),
        "talks of the group": reverse("followup:talk_overview", args=[ys.group.pk]),
        "notifications": reverse("followup:notifications"),
        "settings": reverse("followup:preferences"),
    }
    return ys, urls


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _text(html: str) -> str:
    """The words a reader sees: tags, scripts and styles removed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _norwegian_left(text: str) -> list[str]:
    return [word for word in NORWEGIAN if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)]


@pytest.mark.usefixtures("at_today")
def test_a_swedish_schools_mentor_and_coordinator_read_follow_up_in_swedish(db: None) -> None:
    ys, urls = _world(swedish=True)
    for user in (ys.teacher, ys.coordinator):
        client = _client(user)
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            html = response.content.decode()
            assert 'lang="sv"' in html, name
            left = _norwegian_left(_text(html))
            assert not left, f"{name} ({user.email}) still has Norwegian: {left}"
    assert translation.get_language() == "nb", "the language of a request must not outlive it"


@pytest.mark.usefixtures("at_today")
def test_swedish_pages_write_dates_the_swedish_way(db: None) -> None:
    ys, urls = _world(swedish=True)
    client = _client(ys.teacher)
    home = _text(client.get(urls["home"]).content.decode())
    assert "Mina frister" in home
    deadlines = _text(client.get(urls["deadlines, open"]).content.decode())
    assert "24 nov 2026" in deadlines and "24. nov" not in deadlines
    assert "Markera som klar" in deadlines
    pupil = _text(client.get(urls["pupil's follow-up"]).content.decode())
    assert "2026-11-02" in pupil and "2.11.2026" not in pupil  # the tiltak's period
    assert "24 nov 2026" in pupil
    page = _text(client.get(urls["pupil page"]).content.decode())
    assert "1STA (årskurs 5)" in page and "Uppföljning" in page


@pytest.mark.usefixtures("at_today")
def test_a_norwegian_school_keeps_bokmal_and_its_dates(db: None) -> None:
    ys, urls = _world(swedish=False)
    client = _client(ys.teacher)
    home = _text(client.get(urls["home"]).content.decode())
    assert "Mine frister" in home
    deadlines = _text(client.get(urls["deadlines, open"]).content.decode())
    assert "24. nov 2026" in deadlines and "Marker som utført" in deadlines
    pupil = _text(client.get(urls["pupil's follow-up"]).content.decode())
    assert "2.11.2026" in pupil


def test_every_language_defines_every_date_format_of_the_project() -> None:
    """A format name a language lacks would be printed as its letters."""
    day = datetime.date(2026, 9, 22)
    expected = {
        "nb": {
            "MEDIUM_DATE_FORMAT": "22. sep 2026",
            "NUMERIC_DATE_FORMAT": "22.9.2026",
            "DATE_FORMAT": "22. september 2026",
        },
        "sv": {
            "MEDIUM_DATE_FORMAT": "22 sep 2026",
            "NUMERIC_DATE_FORMAT": "2026-09-22",
            "DATE_FORMAT": "22 september 2026",
        },
    }
    for language in ("nb", "nn", "sv", "en"):
        with translation.override(language):
            for name in CUSTOM_FORMATS:
                assert formats.get_format(name) != name, (language, name)
            for name, text in expected.get(language, {}).items():
                assert formats.date_format(day, name) == text, (language, name)


def test_a_swedish_schools_reminder_email_is_in_swedish(db: None, django_capture_on_commit_callbacks: Any) -> None:
    ys = build_year_school()  # a deadline of the built-in årshjul, then the school turns Swedish
    with time_machine.travel("2026-08-01T09:00:00+02:00", tick=False):
        deadlines.deadlines_generate(school_year=ys.year)
    keep = Deadline.objects.filter(duty__key="oppstartsamtale", pupil=ys.pupils[0]).get()
    Deadline.objects.exclude(pk=keep.pk).delete()
    Deadline.objects.filter(pk=keep.pk).update(title="Uppstartssamtal med mentor")
    f.make_swedish(ys.school)
    with (
        time_machine.travel("2026-08-31T08:00:00+02:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminders.sweep()
    [message] = mail.outbox
    assert message.subject == "Frist om 7 dagar: Uppstartssamtal med mentor"
    assert "Hej " in message.body and "En frist närmar sig:" in message.body
    assert "Frist: 7 september 2026" in message.body
    assert not _norwegian_left(message.body), message.body
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    assert "<title>Elevstöd och IUP</title>" in html and "IOP" not in html  # no IOP at a Swedish school
