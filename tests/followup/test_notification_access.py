"""Notifications follow access: what the user may no longer see is neither listed, counted nor emailed."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from followup import deadlines, reminders, selectors, services
from followup.models import Deadline, Notification
from students import access
from students.models import StaffMembership, TeachingAssignment
from tests.followup.conftest import YearSchool
from tests.queries import assert_same_queries, page_queries

DURING_THE_YEAR = "2026-10-05T10:00:00+02:00"


@pytest.fixture(autouse=True)
def during_the_year():
    with time_machine.travel(DURING_THE_YEAR, tick=False):
        yield


def file_concern(vgs: YearSchool, pupil_index: int = 0) -> Notification:
    """The teacher files a concern; returns the rektor's notification (email not sent yet)."""
    services.concern_file(
        actor=vgs.teacher, pupil=vgs.pupils[pupil_index], description="Mye fravær i høst.", high_absence=True
    )
    return Notification.objects.get(recipient=vgs.rektor, concern__pupil=vgs.pupils[pupil_index])


def test_a_former_rektor_sees_no_notification_of_the_school(vgs: YearSchool) -> None:
    file_concern(vgs)
    client = Client()
    client.force_login(vgs.rektor)
    url = reverse("followup:notifications")
    assert vgs.pupils[0].first_name in client.get(url).content.decode()  # while rektor: listed
    assert selectors.unread_count(vgs.rektor) == 1

    StaffMembership.objects.filter(user=vgs.rektor).update(active=False)
    access.forget(vgs.rektor)
    page = client.get(url).content.decode()
    assert vgs.pupils[0].first_name not in page
    assert selectors.notifications(vgs.rektor) == []
    assert selectors.unread_count(vgs.rektor) == 0
    assert Notification.objects.filter(recipient=vgs.rektor).count() == 1  # kept, only hidden


def test_a_teacher_who_loses_the_group_no_longer_sees_the_pupils_notifications(vgs: YearSchool) -> None:
    with time_machine.travel("2026-08-01T09:00:00+02:00", tick=False):
        deadlines.deadlines_generate(school_year=vgs.year)
    keep = Deadline.objects.filter(duty__key="oppstartsamtale", pupil=vgs.pupils[0]).get()
    school_wide = Deadline.objects.filter(pupil__isnull=True, group__isnull=True).first()
    for d in filter(None, (keep, school_wide)):
        Notification.objects.create(
            key=f"test:{d.pk}",
            recipient=vgs.teacher,
            kind=Notification.Kind.BEFORE,
            deadline=d,
            send_after=d.created_at,
        )
    assert {n.deadline for n in selectors.notifications(vgs.teacher)} == {d for d in (keep, school_wide) if d}

    TeachingAssignment.objects.filter(user=vgs.teacher, group=vgs.group).delete()
    access.forget(vgs.teacher)
    left = {n.deadline for n in selectors.notifications(vgs.teacher)}
    assert keep not in left  # about a pupil the teacher no longer teaches
    assert left == ({school_wide} if school_wide else set())  # still a member of the school
    assert selectors.unread_count(vgs.teacher) == len(left)


def test_no_email_to_a_recipient_who_lost_access_before_it_was_sent(
    vgs: YearSchool, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        n = file_concern(vgs)
    assert n.state == Notification.State.CLAIMED
    StaffMembership.objects.filter(user=vgs.rektor).update(active=False)
    for callback in callbacks:
        callback()  # the enqueued sending runs now, in-process
    n.refresh_from_db()
    assert n.state == Notification.State.CANCELLED
    assert vgs.rektor.email not in [to for m in mail.outbox for to in m.to]
    assert vgs.coordinator.email in [to for m in mail.outbox for to in m.to]  # still a member: sent


def test_a_digest_leaves_out_what_the_reader_may_no_longer_see(vgs: YearSchool) -> None:
    with time_machine.travel("2026-08-01T09:00:00+02:00", tick=False):
        deadlines.deadlines_generate(school_year=vgs.year)
    rows = list(Deadline.objects.filter(duty__key="oppstartsamtale").order_by("pupil__first_name")[:2])
    ids = [
        Notification.objects.create(
            key=f"digest:{d.pk}",
            recipient=vgs.teacher,
            kind=Notification.Kind.BEFORE,
            deadline=d,
            digest=True,
            send_after=d.created_at,
            state=Notification.State.CLAIMED,
        ).pk
        for d in rows
    ]
    vgs.group.enrolments.filter(pupil=rows[0].pupil).delete()  # the first pupil left the teacher's group
    assert reminders.send_digest(ids) == "sent"
    states = dict(Notification.objects.filter(pk__in=ids).values_list("deadline__pupil", "state"))
    assert states == {rows[0].pupil_id: Notification.State.CANCELLED, rows[1].pupil_id: Notification.State.SENT}
    assert len(mail.outbox) == 1


def test_the_notification_page_runs_a_fixed_number_of_queries(vgs: YearSchool) -> None:
    client = Client()
    client.force_login(vgs.rektor)
    url = reverse("followup:notifications")
    file_concern(vgs, 0)
    small = page_queries(client, url)
    file_concern(vgs, 1)
    file_concern(vgs, 2)
    assert_same_queries(small, page_queries(client, url))


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(vgs: YearSchool) -> None:
    """The list links each notification through "open": it is read from then
    on (the badge drops by one, the others stay new), and the user lands on
    the concern it is about. Another user's notification answers 404 and
    stays unread; a notification the user may no longer see is not opened."""
    first, second = file_concern(vgs, 0), file_concern(vgs, 1)
    client = Client()
    client.force_login(vgs.rektor)
    open_url = reverse("followup:notification_open", args=[first.pk])
    assert open_url in client.get(reverse("followup:notifications")).content.decode()
    assert selectors.unread_count(vgs.rektor) == 2

    response = client.get(open_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("followup:concern_detail", args=[first.concern_id])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert selectors.unread_count(vgs.rektor) == 1
    read_at = first.read_at
    with time_machine.travel("2026-10-06T10:00:00+02:00", tick=False):
        client.get(open_url)  # opened again: still read since the first time
    first.refresh_from_db()
    assert first.read_at == read_at

    other = Client()
    other.force_login(vgs.teacher)
    assert other.get(reverse("followup:notification_open", args=[second.pk])).status_code == 404
    second.refresh_from_db()
    assert second.read_at is None

    StaffMembership.objects.filter(user=vgs.rektor).update(active=False)
    gone = client.get(reverse("followup:notification_open", args=[second.pk]))
    assert gone.status_code == 404 or gone["Location"].startswith(reverse("login"))  # without a role: signed out
    second.refresh_from_db()
    assert second.read_at is None
