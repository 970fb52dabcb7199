"""The referral's question and pedagogisk rapport save themselves while the
author types, like the plans; two teachers' edits merge field by field, and a
clash on the same field shows both texts so nothing typed is lost."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followup import services
from followup.models import Referral
from tests.conftest import World
from tests.followup.fixtures import records

HTMX = {"HTTP_HX_REQUEST": "true"}


def version_sent_back(body: str) -> int:
    match = re.search(r'<input type="hidden" name="version" id="id_version" value="(\d+)" hx-swap-oob="true">', body)
    assert match, body
    return int(match.group(1))


def test_the_report_saves_itself_while_the_author_types(world: World) -> None:
    referral = records(world).referral_a
    url = reverse("followup:referral_edit", args=[referral.pk])
    client = world.client("teacher")
    page = client.get(url).content.decode()
    assert 'hx-trigger="input delay:2s"' in page and 'id="autosave-status"' in page
    assert 'name="version" value="1"' in page

    first = client.post(url, {"question": referral.question, "report": "Eleven leser sakte.", "version": "1"}, **HTMX)
    body = first.content.decode()
    assert first.status_code == 200 and "Lagret" in body and "<form" not in body
    assert version_sent_back(body) == 2
    assert Referral.objects.get(pk=referral.pk).report == "Eleven leser sakte."

    # The author's next keystrokes go with the version the save sent back: no conflict.
    again = client.post(
        url, {"question": referral.question, "report": "Eleven leser sakte og gjetter.", "version": "2"}, **HTMX
    )
    assert "Lagret" in again.content.decode()
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.report == "Eleven leser sakte og gjetter." and saved.version == 3
    assert [h.history_user for h in saved.history.all()[:2]] == [world.user("teacher")] * 2


def test_two_teachers_editing_different_fields_both_keep_their_text(world: World) -> None:
    referral = records(world).referral_a
    url = reverse("followup:referral_edit", args=[referral.pk])
    question, report = referral.question, referral.report
    teacher, coordinator = world.client("teacher"), world.client("coordinator")

    assert teacher.post(url, {"question": question, "report": "Lærerens rapport.", "version": "1"}).status_code == 302
    # The coordinator's page was opened at version 1 and changes only the question.
    answer = coordinator.post(
        url, {"question": "Trenger eleven spesialundervisning?", "report": report, "version": "1"}
    )
    assert answer.status_code == 302
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.question == "Trenger eleven spesialundervisning?"
    assert saved.report == "Lærerens rapport."


def test_the_same_field_changed_by_both_shows_both_texts_and_loses_nothing(world: World) -> None:
    referral = records(world).referral_a
    url = reverse("followup:referral_edit", args=[referral.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    assert (
        teacher.post(url, {"question": referral.question, "report": "Lærerens tekst.", "version": "1"}).status_code
        == 302
    )

    # While typing: the autosave is refused with a message and writes nothing.
    refused = coordinator.post(
        url, {"question": referral.question, "report": "Rådgiverens tekst.", "version": "1"}, **HTMX
    )
    body = refused.content.decode()
    assert refused.status_code == 200 and 'role="alert"' in body and "Ikke lagret" in body and "<form" not in body
    assert Referral.objects.get(pk=referral.pk).report == "Lærerens tekst."
    # ... and the choice comes with it, into the form's conflict box, with the current version.
    assert '<div id="autosave-conflict" hx-swap-oob="true">' in body and 'name="choice-report"' in body
    assert "Lærerens tekst." in body and "Rådgiverens tekst." in body
    assert re.search(r'<input type="hidden" name="version" value="2"[^>]*hx-swap-oob="true"', body), body

    # Pressing Save: both texts, with keep mine / take theirs / merge.
    conflict = coordinator.post(url, {"question": referral.question, "report": "Rådgiverens tekst.", "version": "1"})
    page = conflict.content.decode()
    assert conflict.status_code == 409
    assert "Rådgiverens tekst." in page and "Lærerens tekst." in page
    assert 'name="choice-report" value="mine"' in page and 'name="choice-report" value="theirs"' in page
    assert 'name="choice-report" value="merge"' in page
    assert 'name="version" value="2"' in page  # the form moved to the current version
    assert 'hx-post="' not in page  # no autosave while the choice is open
    assert Referral.objects.get(pk=referral.pk).report == "Lærerens tekst."

    merged = coordinator.post(
        url,
        {
            "question": referral.question,
            "report": "Rådgiverens tekst.",
            "version": "2",
            "choice-report": "merge",
            "merged-report": "Lærerens tekst.\n\nRådgiverens tekst.",
            "theirs-report": "Lærerens tekst.",
        },
    )
    assert merged.status_code == 302
    assert Referral.objects.get(pk=referral.pk).report == "Lærerens tekst.\n\nRådgiverens tekst."


def test_a_sent_referral_refuses_an_autosave_with_a_message(world: World) -> None:
    referral = records(world).referral_a_sent
    url = reverse("followup:referral_edit", args=[referral.pk])
    before = Referral.objects.get(pk=referral.pk)
    answer = world.client("teacher").post(url, {"question": "Ny", "report": "Ny", "version": "1"}, **HTMX)
    body = answer.content.decode()
    assert answer.status_code == 200 and 'role="alert"' in body and "sendt" in body
    after = Referral.objects.get(pk=referral.pk)
    assert (after.question, after.report) == (before.question, before.report)


class _Inputs(HTMLParser):
    """The named inputs and textareas of an answer, read as a browser reads
    them: attribute values unescaped, a textarea's first newline dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.checked: dict[str, str] = {}
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name"):
            if a.get("type") == "radio":
                if "checked" in a:
                    self.checked[a["name"]] = a.get("value", "")
            else:
                self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.values[self._textarea] = text[1:] if text.startswith("\n") else text
            self._textarea = None


def as_browser_posts(value: str) -> str:
    """A form value as a browser sends it: line ends as CRLF."""
    return value.replace("\r\n", "\n").replace("\n", "\r\n")


def test_a_merge_chosen_after_a_refused_autosave_keeps_the_other_teachers_lines(world: World) -> None:
    # A referral as the page makes it: version 1 with its history record, the report pre-filled.
    teacher, coordinator = world.user("teacher"), world.user("coordinator")
    referral = services.referral_create(actor=teacher, pupil=world.pupil_a, question="Lesevansker?")
    assert referral.version == 1 and referral.history.filter(version=1).exists()
    base = referral.report
    url = reverse("followup:referral_edit", args=[referral.pk])
    a, b = world.client("teacher"), world.client("coordinator")
    assert coordinator  # B opened the page at version 1
    question = referral.question

    # A adds a line at the start; the autosave goes through (version 2).
    mine_a = "AAA første linje fra A.\n" + base
    saved = a.post(url, {"question": question, "report": as_browser_posts(mine_a), "version": "1"}, **HTMX)
    assert "Lagret" in saved.content.decode()

    # B, still at version 1, adds a line at the end: the autosave is refused, the box comes in place.
    mine_b = base + "\nBBB siste linje fra B."
    refused = b.post(url, {"question": question, "report": as_browser_posts(mine_b), "version": "1"}, **HTMX)
    parsed = _Inputs()
    parsed.feed(refused.content.decode())
    assert parsed.checked.get("choice-report") == "merge", refused.content.decode()

    # B types on in the report field and presses Save; the form posts what the page holds.
    form = {"question": question, "report": mine_b + " Mer fra B.", "version": "1"}
    form.update(parsed.values)
    form.update(parsed.checked)
    answer = b.post(url, {k: as_browser_posts(v) for k, v in form.items()})
    assert answer.status_code == 302, answer.content.decode()
    final = Referral.objects.get(pk=referral.pk)
    assert final.report.count("AAA første linje fra A.") == 1
    assert final.report.count("BBB siste linje fra B. Mer fra B.") == 1


def test_a_draft_begun_by_mistake_is_deleted_after_a_question_and_a_draft_with_consent_is_kept(
    world: World,
) -> None:
    """The teacher who started a referral for the wrong pupil deletes it: the
    page asks first, then the draft is gone and its history says who deleted
    it. A draft with a consent recorded, and a sent referral, are kept and the
    page says why; nobody else's draft is touched."""
    teacher = world.client("teacher")
    draft = Referral.objects.create(
        pupil=world.pupil_a, question="Feil elev", report="", created_by=world.user("teacher")
    )
    detail = reverse("followup:referral_detail", args=[draft.pk])
    url = reverse("followup:referral_delete", args=[draft.pk])
    assert url in teacher.get(detail).content.decode()
    question = teacher.post(url).content.decode()
    assert "Slette utkastet til henvisning?" in question and 'name="confirm" value="1"' in question
    assert Referral.objects.filter(pk=draft.pk).exists()
    done = teacher.post(url, {"confirm": "1"}, follow=True)
    assert "Utkastet til henvisning er slettet." in done.content.decode()
    assert not Referral.objects.filter(pk=draft.pk).exists()
    deleted = Referral.history.filter(id=draft.pk, history_type="-").get()
    assert deleted.history_user == world.user("teacher")

    kept = records(world)
    for referral, why in (
        (kept.referral_a, "Det er registrert samtykke til denne henvisningen"),
        (kept.referral_a_sent, "En sendt henvisning blir tatt vare på"),
    ):
        page = world.client("coordinator").get(reverse("followup:referral_detail", args=[referral.pk])).content.decode()
        assert reverse("followup:referral_delete", args=[referral.pk]) not in page
        assert (why in page) == (referral == kept.referral_a)  # a sent referral says so in its status
        answer = world.client("coordinator").post(
            reverse("followup:referral_delete", args=[referral.pk]), {"confirm": "1"}
        )
        assert (
            answer.status_code == 200
            and why in answer.content.decode()
            and 'name="confirm"' not in answer.content.decode()
        )
        assert Referral.objects.filter(pk=referral.pk).exists()
        with pytest.raises(ValidationError):
            services.referral_delete(actor=world.user("coordinator"), referral=referral)
