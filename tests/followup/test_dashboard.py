"""The dashboard, the pupil page and the calendar run a fixed number of queries."""

from __future__ import annotations

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import Deadline
from tests.conftest import World
from tests.followup.fixtures import records
from tests.queries import Queries, assert_same_queries, page_queries


def _deadlines(w: World, n: int, start: int = 0) -> None:
    today = timezone.localdate()
    teacher = w.user("teacher")
    rows = []
    for i in range(start, start + n):
        rows.append(
            Deadline(
                key=f"bulk:{i}",
                school=w.school1,
                school_year=w.group_a.school_year,
                title=f"Plikt {i % 7}",
                pupil=w.pupil_a if i % 3 == 0 else None,
                group=w.group_a if i % 3 == 1 else None,
                due=today + datetime.timedelta(days=(i % 30) - 10),
                responsible_role="kontaktlaerer",
                responsible=teacher,
                state=Deadline.State.DONE if i % 10 == 0 else Deadline.State.OPEN,
                done_at=timezone.now() if i % 10 == 0 else None,
            )
        )
    Deadline.objects.bulk_create(rows)


def test_the_dashboard_runs_the_same_queries_for_10_or_1000_deadlines(world: World) -> None:
    urls = [
        reverse("followup:dashboard"),
        reverse("followup:dashboard") + "?status=open",
        reverse("followup:dashboard") + f"?status=done&group={world.group_a.pk}",
        reverse("followup:dashboard") + "?mine=on&status=overdue",
        reverse("home"),
    ]
    _deadlines(world, 10)
    clients = {persona: world.client(persona) for persona in ("coordinator", "teacher")}
    small = [page_queries(client, url) for client in clients.values() for url in urls]
    _deadlines(world, 990, start=10)
    large = [page_queries(client, url) for client in clients.values() for url in urls]
    assert_same_queries(small, large)
    page = world.client("coordinator").get(reverse("followup:dashboard") + "?status=open").content.decode()
    assert "Side 1 av" in page


def test_the_home_pages_numbers_open_the_same_deadlines(world: World) -> None:
    """ "N forfalt" on the home page counts the user's own deadlines; its link
    opens the deadline page on that same set, which shows the same N."""
    _deadlines(world, 40)  # the teacher's
    coordinator = world.user("coordinator")
    Deadline.objects.filter(key__in=[f"bulk:{i}" for i in range(0, 40, 4)]).update(responsible=coordinator)
    for persona in ("teacher", "coordinator"):
        client = world.client(persona)
        home = client.get(reverse("home")).content.decode()
        link = re.search(r'href="([^"]*mine=on&amp;status=overdue)">(\d+) forfalt</a>', home)
        assert link is not None, persona
        page = client.get(link.group(1).replace("&amp;", "&")).content.decode()
        shown = re.search(r"<strong>(\d+)</strong> forfalt", page)
        assert shown is not None
        own = Deadline.objects.filter(
            responsible=world.user(persona), state=Deadline.State.OPEN, due__lt=timezone.localdate()
        ).count()
        assert int(link.group(2)) == int(shown.group(1)) == own > 0, persona


def test_a_teacher_sees_their_own_deadlines_and_the_coordinator_all(world: World) -> None:
    r = records(world)
    other = Deadline.objects.create(
        key="other",
        school=world.school1,
        school_year=world.group_a.school_year,
        title="Koordinatorens plikt",
        due=timezone.localdate(),
        responsible_role="koordinator",
        responsible=world.user("coordinator"),
    )
    teacher_page = world.client("teacher").get(reverse("followup:dashboard")).content.decode()
    assert r.deadline_a.title in teacher_page and other.title not in teacher_page
    coordinator_page = world.client("coordinator").get(reverse("followup:dashboard")).content.decode()
    assert r.deadline_a.title in coordinator_page and other.title in coordinator_page
    assert (
        world.client("coordinator_other").get(reverse("followup:dashboard")).content.decode().count("Koordinatorens")
        == 0
    )


def test_the_pupil_follow_up_page_has_a_fixed_query_count(world: World) -> None:
    records(world)
    client = world.client("teacher")
    url = reverse("followup:pupil", args=[world.pupil_a.pk])
    small = page_queries(client, url)
    _deadlines(world, 200)
    assert_same_queries(small, page_queries(client, url))


def test_completing_a_deadline_by_htmx_returns_the_row(world: World) -> None:
    r = records(world)
    client = world.client("teacher")
    url = reverse("followup:deadline_complete", args=[r.deadline_a.pk])
    response = client.post(url, {"note": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Feltet er påkrevet." in response.content.decode()
    response = client.post(url, {"note": "Evaluert i møte"}, HTTP_HX_REQUEST="true")
    assert 'data-color="success"' in response.content.decode()
    r.deadline_a.refresh_from_db()
    assert r.deadline_a.state == Deadline.State.DONE and r.deadline_a.done_note == "Evaluert i møte"


def _overdue(w: World, key: str, *, school: object = None) -> Deadline:
    return Deadline.objects.create(
        key=key,
        school=school or w.school1,
        school_year=w.group_a.school_year,
        title=f"Frist {key}",
        pupil=w.pupil_a,
        due=timezone.localdate() - datetime.timedelta(days=2),
        responsible_role="kontaktlaerer",
        responsible=w.user("teacher"),
    )


def _counts(html: str) -> dict[str, int]:
    """The numbers of the deadline page's cards in HTML, by the status each links to."""
    return {status: int(n) for status, n in re.findall(r'status=(\w+)"><strong>(\d+)</strong>', html)}


def test_done_by_htmx_sends_the_counts_of_the_page_it_came_from(world: World) -> None:
    """The answer to "Done" holds the deadline page's counts out of band
    (into ``#deadline-counts``), counted for the filter of the page the row
    was on, with that filter kept in their links, and a short word of it into
    the page's one polite live region; the focus goes to the row's new status
    (to the note again after an error)."""
    records(world)
    first, second = _overdue(world, "oob:1"), _overdue(world, "oob:2")
    client = world.client("coordinator")
    page_url = reverse("followup:dashboard") + f"?school={world.school1.pk}&status=overdue"
    page = client.get(page_url).content.decode()
    assert page.count("aria-live") + page.count('role="status"') == 1  # not the counts, not the whole list
    assert '<p id="deadline-status" class="ds-sr-only" role="status"></p>' in page
    before = _counts(page)
    assert before["overdue"] >= 2
    response = client.post(
        reverse("followup:deadline_complete", args=[first.pk]),
        {"note": "Holdt møtet"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + page_url,
    )
    body = response.content.decode()
    assert f'<tr id="deadline-{first.pk}">' in body
    assert '<span class="ds-tag" data-color="success" tabindex="-1" autofocus>Ferdig</span>' in body
    oob = body[body.index("<template>") :]
    assert 'id="deadline-counts" hx-swap-oob="innerHTML"' in oob
    assert '<p id="deadline-status" hx-swap-oob="innerHTML">Fristen er markert som utført.</p>' in oob
    after = _counts(oob)
    assert after == {**before, "overdue": before["overdue"] - 1, "open": before["open"] - 1, "done": before["done"] + 1}
    assert f'href="?school={world.school1.pk}&amp;status=overdue"' in oob  # the page's filter, the status replaced
    assert _counts(client.get(page_url).content.decode()) == after  # what a reload shows
    # An error changes nothing: the counts sent are the same as before.
    response = client.post(
        reverse("followup:deadline_complete", args=[second.pk]),
        {"note": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + page_url,
    )
    assert "Feltet er påkrevet." in response.content.decode() and _counts(response.content.decode()) == after
    assert 'required autofocus placeholder="Hva ble gjort"' in response.content.decode()
    assert "deadline-status" not in response.content.decode()


def test_a_new_filter_by_htmx_sends_its_counts_too(world: World) -> None:
    """The filter form swaps only the list: its answer brings the counts of
    the new filter out of band, the same as the page with that filter shows."""
    records(world)
    _overdue(world, "filter:1")
    client = world.client("coordinator")
    url = reverse("followup:dashboard") + "?mine=on"
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body and 'id="deadline-counts" hx-swap-oob="innerHTML"' in body
    for answer in (body, client.get(reverse("followup:dashboard"), HTTP_HX_REQUEST="true").content.decode()):
        shown = answer.count('<tr id="deadline-')  # a short word for the live region, not the whole list
        word = "frist" if shown == 1 else "frister"
        assert f'<p id="deadline-status" hx-swap-oob="innerHTML">{shown} {word} passer.</p>' in answer
    assert shown
    assert _counts(body) == _counts(client.get(url).content.decode())
    assert _counts(body) != _counts(client.get(reverse("followup:dashboard")).content.decode())


def test_done_by_htmx_from_elsewhere_sends_no_counts(world: World) -> None:
    records(world)
    deadline = _overdue(world, "oob:elsewhere")
    response = world.client("coordinator").post(
        reverse("followup:deadline_complete", args=[deadline.pk]),
        {"note": "Gjort"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + reverse("followup:notifications"),
    )
    assert response.status_code == 200 and "hx-swap-oob" not in response.content.decode()


def test_done_by_htmx_runs_the_same_queries_for_10_or_1000_deadlines(world: World) -> None:
    client = world.client("coordinator")
    page_url = "http://testserver" + reverse("followup:dashboard") + f"?status=open&group={world.group_a.pk}"

    def done(key: str) -> Queries:
        url = reverse("followup:deadline_complete", args=[_overdue(world, key).pk])
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(url, {"note": "Gjort"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page_url)
        assert response.status_code == 200 and "hx-swap-oob" in response.content.decode()
        return Queries(url=url, sql=tuple(q["sql"] for q in ctx.captured_queries))

    _deadlines(world, 10)
    done("warm")  # the session's first request does one-off work
    small = done("small")
    _deadlines(world, 990, start=10)
    assert_same_queries(small, done("large"))


def test_done_without_javascript_goes_back_to_the_page_it_was_sent_from(world: World) -> None:
    records(world)
    deadline = _overdue(world, "nojs")
    page_url = reverse("followup:dashboard") + "?status=overdue&mine=on"
    response = world.client("teacher").post(
        reverse("followup:deadline_complete", args=[deadline.pk]),
        {"note": "Gjort"},
        HTTP_REFERER="http://testserver" + page_url,
    )
    assert response.status_code == 302 and response["Location"] == page_url
    deadline.refresh_from_db()
    assert deadline.state == Deadline.State.DONE
    # A page of another site is never where the form goes back to.
    response = world.client("teacher").post(
        reverse("followup:deadline_complete", args=[_overdue(world, "nojs2").pk]),
        {"note": "Gjort"},
        HTTP_REFERER="https://evil.example/oppfolging/",
    )
    assert response["Location"] == reverse("followup:dashboard")


def test_the_calendar_feed_names_no_pupil(world: World) -> None:
    r = records(world)
    body = world.client("anonymous").get(reverse("followup:ical", args=[r.token])).content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in body
    assert "SUMMARY:Evaluere tiltak (Skole 1)" in body
    assert "Anna" not in body and "Aasen" not in body
    old = r.token
    world.client("teacher").post(reverse("followup:ical_renew"))
    assert world.client("anonymous").get(reverse("followup:ical", args=[old])).status_code == 404


def test_the_done_list_shows_when_each_deadline_was_done(world: World) -> None:
    """The done list runs newest done first, so each row says the day it was
    done (beside the day it was due)."""
    records(world)
    deadline = _overdue(world, "done:when")
    client = world.client("coordinator")
    client.post(reverse("followup:deadline_complete", args=[deadline.pk]), {"note": "Holdt møtet"})
    deadline.refresh_from_db()
    done = timezone.localdate(deadline.done_at)
    page = client.get(reverse("followup:dashboard"), {"status": "done"}).content.decode()
    row = page.split(f'<tr id="deadline-{deadline.pk}">')[1].split("</tr>")[0]
    assert f'Ferdig</span> <time datetime="{done.isoformat()}">' in row and "Holdt møtet" in row


def test_a_filter_that_is_not_valid_is_ignored_and_says_so(world: World) -> None:
    """A hand-made address (``?status=xyz``, ``?group=abc``) shows the default
    list with a word that the filter was ignored, as the pupil list does."""
    records(world)
    client = world.client("coordinator")
    for params in ({"status": "xyz"}, {"group": "abc"}):
        response = client.get(reverse("followup:dashboard"), params)
        assert response.status_code == 200
        assert "Filteret var ugyldig og er ikke brukt." in response.content.decode(), params
    assert "Filteret var ugyldig" not in client.get(reverse("followup:dashboard"), {"status": "done"}).content.decode()
