"""Deadlines follow the roster: a pupil entered, moved or removed in the
admin, or a new kontaktlærer, changes the deadlines at the commit, not at
the nightly regeneration.

The admin tests run the commit's callbacks (``django_capture_on_commit_callbacks``)
with Celery eager, as without a broker. The counting test commits for real and
counts the tasks on a queue of its own on the real Redis (no worker takes them).
"""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup import deadlines
from followup.models import Deadline
from students.models import (
    Enrolment,
    Group,
    GuardianLink,
    Pupil,
    School,
    SchoolYear,
    StaffMembership,
    TeachingAssignment,
)
from tests import factories as f
from tests.celery_harness import CeleryHarness
from tests.followup.conftest import YearSchool, build_year_school

OSLO = ZoneInfo("Europe/Oslo")
# Early in the 2026/27 school year (17 August 2026 – 18 June 2027): every duty is still ahead.
SCHOOL_DAY = datetime.datetime(2026, 9, 1, 10, 0, tzinfo=OSLO)
# What the grunnskole årshjul asks of each pupil; the mentorsamtale only on the ungdomstrinn (8–10).
EVERY_PUPIL = {"elevsamtale-host", "utviklingssamtale-host", "utviklingssamtale-var"}
UNGDOMSTRINN = {"mentorsamtale"}
GENERATE = "followup.generate_deadlines"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(SCHOOL_DAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def school(db: None, clock: time_machine.Coordinates, django_capture_on_commit_callbacks: Any) -> YearSchool:
    """A grunnskole with a 5th and a 9th class, each with its kontaktlærer,
    and the deadlines of its year as the roster's changes left them."""
    with django_capture_on_commit_callbacks(execute=True):
        ys = build_year_school(kind=School.Kind.BARNE_UNGDOM, level=5, pupils=1)
        ninth = Group.objects.create(school_year=ys.year, name="9A", year_level=9)
        teacher9 = f.UserFactory(full_name="Nina Niende")
        f.member(teacher9, ys.school, StaffMembership.Role.KONTAKTLAERER)
        f.assign(teacher9, ninth, TeachingAssignment.Role.KONTAKTLAERER)
    ys.extra.update(ninth=ninth, teacher9=teacher9)
    return ys


@pytest.fixture
def operator(db: None) -> Client:
    client = Client()
    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    return client


def open_duties(pupil: Pupil) -> set[str]:
    return set(Deadline.objects.filter(pupil=pupil, state=Deadline.State.OPEN).values_list("duty__key", flat=True))


def assert_as_the_nightly_job_leaves_them(year: SchoolYear) -> None:
    result = deadlines.deadlines_generate(school_year=year)
    assert (result.created, result.updated, result.cancelled) == (0, 0, 0)


def test_a_pupil_added_in_the_admin_gets_their_deadlines_at_once(
    school: YearSchool, operator: Client, django_capture_on_commit_callbacks: Any
) -> None:
    form = {
        "school": school.school.pk,
        "first_name": "Nora",
        "last_name": "Ny",
        "birth_date": "2016-05-04",
        "enrolments-TOTAL_FORMS": "1",
        "enrolments-INITIAL_FORMS": "0",
        "enrolments-0-group": school.group.pk,
        "guardian_links-TOTAL_FORMS": "0",
        "guardian_links-INITIAL_FORMS": "0",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(reverse("admin:students_pupil_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    pupil = Pupil.objects.get(first_name="Nora")
    assert open_duties(pupil) == EVERY_PUPIL  # a 5th-grader: no mentorsamtale
    assert set(Deadline.objects.filter(pupil=pupil).values_list("responsible", flat=True)) == {school.teacher.pk}
    assert_as_the_nightly_job_leaves_them(school.year)


def test_a_pupil_moved_to_a_class_of_another_year_level_gets_that_levels_duties(
    school: YearSchool, operator: Client, django_capture_on_commit_callbacks: Any
) -> None:
    pupil, ninth = school.pupils[0], school.extra["ninth"]
    assert open_duties(pupil) == EVERY_PUPIL
    enrolment = Enrolment.objects.get(pupil=pupil)
    change = reverse("admin:students_enrolment_change", args=[enrolment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(change, {"pupil": pupil.pk, "group": ninth.pk})
    assert response.status_code == 302
    assert open_duties(pupil) == EVERY_PUPIL | UNGDOMSTRINN
    assert set(
        Deadline.objects.filter(pupil=pupil, state=Deadline.State.OPEN).values_list("responsible", flat=True)
    ) == {school.extra["teacher9"].pk}
    assert_as_the_nightly_job_leaves_them(school.year)

    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(change, {"pupil": pupil.pk, "group": school.group.pk})
    assert response.status_code == 302
    assert open_duties(pupil) == EVERY_PUPIL
    assert Deadline.objects.get(pupil=pupil, duty__key="mentorsamtale").state == Deadline.State.CANCELLED


def test_a_new_kontaktlaerer_becomes_responsible_for_the_open_deadlines(
    school: YearSchool, operator: Client, django_capture_on_commit_callbacks: Any
) -> None:
    pupil = school.pupils[0]
    held = Deadline.objects.get(pupil=pupil, duty__key="elevsamtale-host")
    Deadline.objects.filter(pk=held.pk).update(
        state=Deadline.State.DONE, done_at=timezone.now(), done_by=school.teacher
    )
    successor = f.UserFactory(full_name="Siri Etterfølger")
    assignment = TeachingAssignment.objects.get(group=school.group, role=TeachingAssignment.Role.KONTAKTLAERER)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("admin:students_teachingassignment_change", args=[assignment.pk]),
            {"user": successor.pk, "group": school.group.pk, "role": "kontaktlaerer", "subject": ""},
        )
    assert response.status_code == 302
    responsible = dict(Deadline.objects.filter(pupil=pupil).values_list("duty__key", "responsible"))
    assert responsible == {
        "elevsamtale-host": school.teacher.pk,  # done before the change: stays as it was
        "utviklingssamtale-host": successor.pk,
        "utviklingssamtale-var": successor.pk,
    }
    assert_as_the_nightly_job_leaves_them(school.year)


def test_a_deleted_enrolment_cancels_the_pupils_open_deadlines(
    school: YearSchool, operator: Client, django_capture_on_commit_callbacks: Any
) -> None:
    pupil = school.pupils[0]
    Deadline.objects.filter(pupil=pupil, duty__key="elevsamtale-host").update(
        state=Deadline.State.DONE, done_at=timezone.now()
    )
    enrolment = Enrolment.objects.get(pupil=pupil)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(reverse("admin:students_enrolment_delete", args=[enrolment.pk]), {"post": "yes"})
    assert response.status_code == 302
    states = dict(Deadline.objects.filter(pupil=pupil).values_list("duty__key", "state"))
    assert states == {
        "elevsamtale-host": Deadline.State.DONE,
        "utviklingssamtale-host": Deadline.State.CANCELLED,
        "utviklingssamtale-var": Deadline.State.CANCELLED,
    }
    assert_as_the_nightly_job_leaves_them(school.year)


def test_the_responsible_follows_the_schools_leadership_and_deactivated_accounts(
    school: YearSchool, django_capture_on_commit_callbacks: Any
) -> None:
    def coordinators() -> set[int | None]:
        return set(
            Deadline.objects.filter(school_year=school.year, responsible_role="koordinator", state="open").values_list(
                "responsible", flat=True
            )
        )

    def teachers() -> set[int | None]:
        return set(Deadline.objects.filter(pupil=school.pupils[0], state="open").values_list("responsible", flat=True))

    assert coordinators() == {school.coordinator.pk} and teachers() == {school.teacher.pk}
    successor = f.UserFactory(full_name="Kim Koordinator")
    with django_capture_on_commit_callbacks(execute=True):
        f.member(successor, school.school, StaffMembership.Role.KOORDINATOR)
        leaving = StaffMembership.objects.get(user=school.coordinator, role=StaffMembership.Role.KOORDINATOR)
        leaving.active = False
        leaving.save()
    assert coordinators() == {successor.pk}

    with django_capture_on_commit_callbacks(execute=True):
        school.teacher.is_active = False
        school.teacher.save()
    assert teachers() == {None}  # nobody inactive is responsible
    assert_as_the_nightly_job_leaves_them(school.year)


# --- one transaction, one task per school year ------------------------------------------


class Rollback(Exception):
    pass


def tasks_on(harness: CeleryHarness) -> list[tuple[str, list[Any]]]:
    """(task name, arguments) of each message on the harness's queue, oldest first; the queue is emptied."""
    client = redis.Redis.from_url(harness.broker)
    key = harness.prefix + harness.queue
    raw = client.lrange(key, 0, -1)
    client.delete(key)
    out = []
    for message in reversed(raw):  # kombu pushes on the left
        envelope = json.loads(message)
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        out.append((envelope["headers"]["task"], args))
    return out


def pupils(school: School, count: int) -> list[Pupil]:
    return Pupil.objects.bulk_create(
        Pupil(school=school, first_name=f"Elev{i}", last_name="Import", birth_date=datetime.date(2016, 1, 1))
        for i in range(count)
    )


@pytest.mark.django_db(transaction=True)
def test_one_transaction_enqueues_one_generation_per_school_year_and_a_rolled_back_one_none(
    clock: time_machine.Coordinates, tmp_path: Path
) -> None:
    with transaction.atomic():
        north = build_year_school(kind=School.Kind.BARNE_UNGDOM, level=5, pupils=0)
        south = build_year_school(kind=School.Kind.BARNE_UNGDOM, level=7, pupils=0)
        last_year = SchoolYear.objects.create(
            school=north.school, name="2025/26", start=datetime.date(2025, 8, 18), end=datetime.date(2026, 6, 19)
        )
        old_class = Group.objects.create(school_year=last_year, name="4A", year_level=4)
        many, few = pupils(north.school, 480), pupils(south.school, 3)
    with CeleryHarness("iop.settings_test", tmp_path, name="roster") as harness, harness.publishing():
        # An import: 500 enrolments in one transaction, one of them in a past school year.
        with transaction.atomic():
            for pupil in many:
                Enrolment.objects.create(pupil=pupil, group=north.group)
            for pupil in many[:17]:
                Enrolment.objects.create(pupil=pupil, group=old_class)
            for pupil in few:
                Enrolment.objects.create(pupil=pupil, group=south.group)
        assert Enrolment.objects.count() == 500
        assert harness.pending() == (2, 0)
        assert tasks_on(harness) == [
            (GENERATE, [north.year.pk]),  # many pupils: the whole year
            (GENERATE, [south.year.pk, sorted(str(p.pk) for p in few)]),
        ]

        # Rolled back: nothing is enqueued, and nothing of it waits for the next commit.
        with suppress(Rollback), transaction.atomic():
            Enrolment.objects.create(pupil=few[0], group=north.group)
            raise Rollback
        assert tasks_on(harness) == []
        with transaction.atomic():
            Enrolment.objects.create(pupil=few[1], group=north.group)
        assert tasks_on(harness) == [(GENERATE, [north.year.pk, [str(few[1].pk)]])]

        # Neither a guardian nor a pupil's name decides a deadline.
        with transaction.atomic():
            GuardianLink.objects.create(user=north.teacher, pupil=few[2])
            renamed = Pupil.objects.get(pk=few[2].pk)
            renamed.first_name = "Omdøpt"
            renamed.save()
        assert tasks_on(harness) == []


def test_a_task_for_a_deleted_school_year_does_nothing(db: None) -> None:
    from followup import tasks

    year = f.SchoolYearFactory()
    pk = year.pk
    year.delete()
    assert tasks.generate_deadlines(pk, [str(uuid.uuid4())]) == {}
