"""The notifications page lists every notification a page at a time, newest
first, so a user with more than a page of them reaches the oldest too."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup import selectors, services
from followup.models import Concern, Notification
from students import access
from tests.followup.conftest import YearSchool
from tests.queries import assert_same_queries, page_queries

DURING_THE_YEAR = "2026-10-05T10:00:00+02:00"
URL = "/oppfolging/varsler/"


@pytest.fixture(autouse=True)
def during_the_year():
    with time_machine.travel(DURING_THE_YEAR, tick=False):
        yield


def notify(vgs: YearSchool, count: int) -> list[Notification]:
    """COUNT notifications to the rektor about one concern, the k-th sent k
    minutes ago (so newest first is k = 0, 1, …); every third one already
    read. Returns them newest first."""
    services.concern_file(actor=vgs.teacher, pupil=vgs.pupils[0], description="Mye fravær.", high_absence=True)
    concern = Concern.objects.get(pupil=vgs.pupils[0])
    Notification.objects.filter(recipient=vgs.rektor).delete()  # only the ones made here
    now = timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                key=f"test:page:{k}",
                recipient=vgs.rektor,
                kind=Notification.Kind.CONCERN,
                concern=concern,
                send_after=now - datetime.timedelta(minutes=k),
                state=Notification.State.IN_APP,
                read_at=now if k % 3 == 0 else None,
            )
            for k in range(count)
        ]
    )


def listed(html: str) -> list[str]:
    """The notification ids the page links to ("open"), in the page's order."""
    return re.findall(r"/oppfolging/varsler/([0-9a-f-]{36})/", html)


def rektor(vgs: YearSchool) -> Client:
    client = Client()
    client.force_login(vgs.rektor)
    return client


def test_the_url_of_the_page_is_the_one_linked_from_home() -> None:
    assert reverse("followup:notifications") == URL


def test_notifications_are_listed_fifty_a_page_newest_first_down_to_the_oldest(vgs: YearSchool) -> None:
    made = [str(n.pk) for n in notify(vgs, 120)]
    assert listed(reverse("followup:notification_open", args=[made[0]]))  # the pattern finds an open link
    client = rektor(vgs)

    first = client.get(URL).content.decode()
    assert listed(first) == made[:50]
    second = client.get(URL, {"side": "2"}).content.decode()
    assert listed(second) == made[50:100]
    third = client.get(URL, {"side": "3"}).content.decode()
    assert listed(third) == made[100:]  # the oldest 20, out of reach before
    assert len(set(listed(first) + listed(second) + listed(third))) == 120

    # Links between the pages, in a named navigation landmark.
    assert '<nav class="ds-pagination" aria-label="' in first
    assert 'href="?side=2"' in first and "?side=0" not in first
    assert 'href="?side=1"' in second and 'href="?side=3"' in second
    assert 'href="?side=2"' in third and "?side=4" not in third


def test_unread_notifications_stay_marked_on_every_page(vgs: YearSchool) -> None:
    notify(vgs, 120)
    client = rektor(vgs)
    tags = [
        client.get(URL, {"side": side}).content.decode().count('<span class="ds-tag" data-color="info">')
        for side in ("1", "2", "3")
    ]
    unread = [sum(1 for k in range(start, stop) if k % 3) for start, stop in ((0, 50), (50, 100), (100, 120))]
    assert tags == unread
    assert sum(tags) == selectors.unread_count(vgs.rektor) == 80  # the home page's count, all reachable


@pytest.mark.parametrize(
    ("side", "page"),
    [("abc", 1), ("", 1), ("1.5", 1), ("0", 3), ("-1", 3), ("999", 3), ("99999999999999999999", 3)],
)
def test_a_bad_page_number_gives_the_first_or_the_last_page(vgs: YearSchool, side: str, page: int) -> None:
    made = [str(n.pk) for n in notify(vgs, 120)]
    response = rektor(vgs).get(URL, {"side": side})
    assert response.status_code == 200
    assert response.context["page"].number == page
    assert listed(response.content.decode()) == made[(page - 1) * 50 : page * 50]


def test_one_page_of_notifications_has_no_page_links(vgs: YearSchool) -> None:
    notify(vgs, 50)
    html = rektor(vgs).get(URL).content.decode()
    assert len(listed(html)) == 50
    assert "ds-pagination" not in html and "?side=" not in html


def test_the_notifications_page_runs_as_many_queries_for_3_notifications_as_for_120(vgs: YearSchool) -> None:
    client = rektor(vgs)
    notify(vgs, 0)
    none = page_queries(client, URL, warm=True)
    assert listed(client.get(URL).content.decode()) == []
    Concern.objects.all().delete()
    notify(vgs, 3)
    small = page_queries(client, URL, warm=True)
    assert len(listed(client.get(URL).content.decode())) == 3
    Notification.objects.filter(recipient=vgs.rektor).delete()
    Concern.objects.all().delete()
    notify(vgs, 120)
    large = [page_queries(client, f"{URL}?side={side}") for side in ("1", "3", "abc", "999")]
    assert_same_queries([small] * len(large), large)
    assert_same_queries([none], [small])  # none at all: the same queries


def test_the_unread_count_compiled_once_a_day_follows_the_clock_and_the_access_layer(
    vgs: YearSchool,
) -> None:
    """The count's SQL is compiled once a day per user (students.access.compiled),
    but the moment it compares with is the clock's on every call, and the
    conditions of access are read anew: a notification due in an hour counts
    once the hour has passed, and none counts once the rektor's membership
    has ended, the same day."""
    rows = notify(vgs, 3)  # 2 unread, due now or before
    later = Notification.objects.create(
        key="test:page:later",
        recipient=vgs.rektor,
        kind=Notification.Kind.CONCERN,
        concern=rows[0].concern,
        send_after=timezone.now() + datetime.timedelta(hours=1),
        state=Notification.State.IN_APP,
    )
    assert selectors.unread_count(vgs.rektor) == 2
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=False):
        assert timezone.localdate() == datetime.date(2026, 10, 5)
        assert selectors.unread_count(vgs.rektor) == 3
        Notification.objects.filter(pk=later.pk).update(read_at=timezone.now())
        assert selectors.unread_count(vgs.rektor) == 2
        vgs.rektor.memberships.update(active=False)
        access.forget(vgs.rektor)  # as a new request would, the roles are read anew
        assert selectors.unread_count(vgs.rektor) == 0
