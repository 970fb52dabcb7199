"""The dashboard's rows written in Python (followup/rows.py) are the HTML the
row template writes, for every kind of row and in every language."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from followup import selectors
from followup.forms import DeadlineCompleteForm
from followup.models import Deadline
from followup.rows import RowWords, deadline_row
from tests import factories as f
from tests.conftest import World

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _kinds(w: World) -> list[Deadline]:
    """Open, overdue and done (with and without a note); about a pupil, a
    group and the school; with a person or only a role responsible; a title
    and a pupil's name that must be escaped."""
    today = timezone.localdate()
    odd = f.pupil_in(w.group_a, first_name='Åse <b>"Tom"</b>', last_name="Berg & Co")
    common = {"school": w.school1, "school_year": w.group_a.school_year, "responsible_role": "kontaktlaerer"}
    made = [
        Deadline(key="a", title="Kartlegging", pupil=w.pupil_a, due=today + datetime.timedelta(days=3), **common),
        Deadline(
            key="b", title='Møte <i>"Tom & Åse"</i>', group=w.group_a, due=today - datetime.timedelta(days=1), **common
        ),
        Deadline(key="c", title="Årsrapport", due=today, responsible=w.user("teacher"), **common),
        Deadline(
            key="d",
            title="Samtale",
            pupil=w.pupil_a,
            due=today - datetime.timedelta(days=9),
            state=Deadline.State.DONE,
            done_at=timezone.now(),
            done_note="Holdt <b>møtet</b> & skrev referat",
            **common,
        ),
        Deadline(key="e", title="IKO", due=today, state=Deadline.State.DONE, done_at=timezone.now(), **common),
        Deadline(key="f", title="Kartlegging", pupil=odd, due=today + datetime.timedelta(days=3), **common),
        Deadline(
            key="g",
            title="IOP",
            pupil=w.pupil_a,
            due=today,
            state=Deadline.State.DONE,
            done_at=timezone.now(),
            done_automatically=True,
            **common,
        ),
    ]
    Deadline.objects.bulk_create(made)
    return list(
        Deadline.objects.filter(pk__in=[d.pk for d in made])
        .select_related("pupil", "group", "school", "responsible")
        .order_by("key")
    )


@pytest.mark.parametrize("language", ["nb", "nn", "sv", "en"])
def test_a_row_written_in_python_is_the_templates_row(world: World, language: str) -> None:
    request = RequestFactory().get(reverse("followup:dashboard"))
    today = timezone.localdate()
    deadlines = _kinds(world)
    with translation.override(language):
        words = RowWords.current()
        for d in deadlines:
            for link in (selectors.deadline_link(d) + "?a=1&b=2", ""):  # "": no link (to the page itself)
                context = {"d": d, "link": link, "today": today, "complete_form": DeadlineCompleteForm()}
                expected = render_to_string("followup/_deadline_row.html", context, request=request)
                token = TOKEN.search(expected)
                # A form (with its token) to mark an open deadline done, or to open one done by hand again.
                assert (token is not None) == (d.state == Deadline.State.OPEN or not d.done_automatically), d.key
                got = deadline_row(d, link, today=today, csrf_token=token[1] if token else "", words=words)
                assert got == expected, d.key
                assert ("<a " in got) == bool(link), d.key
    assert "&lt;i&gt;&quot;Tom &amp; Åse&quot;&lt;/i&gt;" in deadline_row(
        deadlines[1], "/", today=today, csrf_token="t", words=words
    )


def test_the_done_forms_say_whom_the_deadline_is_about(world: World) -> None:
    """Many rows share a title; the form's label and button name the pupil,
    or the group, (escaped) and nothing more for the whole school."""
    today = timezone.localdate()
    pupil, group, school, _done, _none, odd, _auto = _kinds(world)
    with translation.override("nb"):
        words = RowWords.current()

        def names(d: Deadline) -> tuple[str, str]:
            row = deadline_row(d, "", today=today, csrf_token="t", words=words)
            label = row.split('for="note-')[1].split(">", 1)[1].split("</label>")[0]
            return label, row.split('<span class="visually-hidden">')[1].split("</span>")[0]

        assert names(pupil) == ("Hva ble gjort: Kartlegging, Anna Aasen", ": Kartlegging, Anna Aasen")
        assert names(group)[1] == ": Møte &lt;i&gt;&quot;Tom &amp; Åse&quot;&lt;/i&gt;, 5A"
        assert names(school) == ("Hva ble gjort: Årsrapport", ": Årsrapport")
        assert names(odd)[1] == (": Kartlegging, Åse &lt;b&gt;&quot;Tom&quot;&lt;/b&gt; Berg &amp; Co")


def test_the_dashboard_shows_the_rows_and_marks_one_done(world: World) -> None:
    """The list's rows carry a working "Done" form: the row sent back is the
    template's. A deadline about the whole school links nowhere (its page
    would be the deadline page itself), nor after "Done"."""
    deadlines = _kinds(world)
    client = world.client("coordinator")
    url = reverse("followup:dashboard")
    page = client.get(url + "?status=open").content.decode() + client.get(url + "?status=done").content.decode()
    for d in deadlines:
        assert f'id="deadline-{d.pk}"' in page
    assert "Holdt &lt;b&gt;møtet&lt;/b&gt; &amp; skrev referat" in page
    school_row = page.split(f'<tr id="deadline-{deadlines[2].pk}">')[1].split("</tr>")[0]
    assert "<td>Årsrapport</td>" in school_row and "<a " not in school_row
    assert f'href="{reverse("followup:pupil", args=[world.pupil_a.pk])}">Kartlegging</a>' in page
    answer = client.post(
        reverse("followup:deadline_complete", args=[deadlines[2].pk]),
        {"note": "Skrevet"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + url,
    ).content.decode()
    assert "<td>Årsrapport</td>" in answer and 'href="/oppfolging/"' not in answer
    open_one = deadlines[0]
    url = reverse("followup:deadline_complete", args=[open_one.pk])
    assert f'action="{url}"' in page
    answer = client.post(url, {"note": "Gjort"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    open_one.refresh_from_db()
    assert open_one.state == Deadline.State.DONE
    assert "Gjort" in answer.content.decode()


def test_a_deadline_marked_done_by_mistake_is_opened_again_from_its_row(world: World) -> None:
    """ "Open again" on a deadline done by hand: open, without the note, its
    reminders planned again, and the counts follow. One its record
    fulfilled has no such button, and the service refuses it in words."""
    from followup import services

    deadlines = _kinds(world)
    by_hand, auto = deadlines[3], deadlines[6]
    client = world.client("coordinator")
    done_list = client.get(reverse("followup:dashboard") + "?status=done").content.decode()
    reopen = reverse("followup:deadline_reopen", args=[by_hand.pk])
    assert f'action="{reopen}"' in done_list and "Åpne igjen" in done_list
    assert reverse("followup:deadline_reopen", args=[auto.pk]) not in done_list
    answer = client.post(
        reopen, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/oppfolging/?status=done"
    )
    assert answer.status_code == 200
    by_hand.refresh_from_db()
    assert (by_hand.state, by_hand.done_at, by_hand.done_note) == (Deadline.State.OPEN, None, "")
    body = answer.content.decode()
    assert (
        f'id="note-{by_hand.pk}"' in body and 'id="deadline-counts" hx-swap-oob' in body
    )  # the "Done" form, and the counts
    # Without htmx: back with a message; a second time says it is open already.
    again = client.post(reopen, HTTP_REFERER="http://testserver/oppfolging/?status=done", follow=True)
    assert "Fristen er allerede åpen." in again.content.decode()
    with pytest.raises(ValidationError, match="ble gjort av registreringen"), translation.override("nb"):
        services.deadline_reopen(actor=world.user("coordinator"), deadline=auto)
    assert world.client("guardian_a").post(reopen).status_code == 404


def test_a_task_of_the_whole_school_on_the_home_page_leads_to_its_row_on_the_deadline_page(world: World) -> None:
    """The link names the school's open deadlines (and the duty, when it has
    one): a task due in a month is there, where the default view (overdue
    and due within 14 days) would hide it."""
    school_task = _kinds(world)[2]
    Deadline.objects.filter(pk=school_task.pk).update(due=timezone.localdate() + datetime.timedelta(days=30))
    client = world.client("teacher")
    home = client.get(reverse("home")).content.decode()
    link = reverse("followup:dashboard") + f"?status=open&amp;school={world.school1.pk}"
    assert f'href="{link}"' in home, "the task links to the school's open deadlines"
    row = f'id="deadline-{school_task.pk}"'
    assert row not in client.get(reverse("followup:dashboard")).content.decode(), "hidden by the default view"
    page = client.get(reverse("followup:dashboard"), {"status": "open", "school": world.school1.pk})
    assert page.status_code == 200 and row in page.content.decode()
    assert "Filteret var ugyldig" not in page.content.decode()


def test_a_note_refused_stays_in_the_row_with_the_message(world: World) -> None:
    """A note too long is refused by the field's message, and what was typed
    is in the row sent back (escaped), not lost."""
    open_one = _kinds(world)[0]
    note = "Kartla <lesing> & skriving. " + "x" * 2000
    answer = world.client("coordinator").post(
        reverse("followup:deadline_complete", args=[open_one.pk]), {"note": note}, HTTP_HX_REQUEST="true"
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and "2000 eller færre tegn" in body
    assert 'value="Kartla &lt;lesing&gt; &amp; skriving. xxx' in body
    open_one.refresh_from_db()
    assert open_one.state == Deadline.State.OPEN


def test_namesakes_on_the_dashboard_are_told_apart_by_their_date_of_birth(world: World) -> None:
    today = timezone.localdate()
    first = f.pupil_in(world.group_a, first_name="Jonas", last_name="Haugen", birth_date=datetime.date(2012, 3, 4))
    second = f.pupil_in(world.group_a, first_name="Jonas", last_name="Haugen", birth_date=datetime.date(2012, 9, 1))
    common = {"school": world.school1, "school_year": world.group_a.school_year, "responsible_role": "kontaktlaerer"}
    for key, pupil in (("j1", first), ("j2", second)):
        Deadline.objects.create(key=key, title="Samtale", pupil=pupil, due=today, **common)
    page = world.client("coordinator").get(reverse("followup:dashboard")).content.decode()
    assert "Jonas Haugen (f. 04.03.2012)" in page and "Jonas Haugen (f. 01.09.2012)" in page
    assert f"{world.pupil_a.full_name} (f." not in page  # a name of one pupil alone is enough
