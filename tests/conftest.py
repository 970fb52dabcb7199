"""Shared test harness: a small world with one person per persona.

Personas (every permission test runs them all):

- ``teacher``: kontaktlærer of group A1 (pupil A) at school 1
- ``faglaerer``: faglærer (matematikk) of group A1 at school 1
- ``coordinator``: spes.ped-koordinator of school 1 (pupils A and B)
- ``coordinator_other``: koordinator of school 2 (pupil C only)
- ``ppt``: PPT advisor serving schools 1 and 2; pupil A is referred
- ``vikar``: substitute at school 1 with a valid grant on pupil A
- ``vikar_expired``: substitute at school 1 whose grant on pupil A has expired
- ``guardian_a`` / ``guardian_b``: guardians of pupil A / pupil B
- ``anonymous``: not logged in
- ``deactivated``: a former kontaktlærer of A1 whose account is deactivated
- ``operator``: a superuser without any school role (admin only)

``pytest --clock=2027-03-28T07:01+02:00`` (or ``IOP_TEST_CLOCK``) runs the
whole session with the wall clock starting at that moment and ticking: a test
whose outcome changes with it depends on the real date or hour and must pin
its own clock.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from students import access
from students.models import Group, Pupil, School, StaffMembership, TeachingAssignment, User
from tests import factories as f
from tests import quick_flush
from tests.template_db import django_db_setup  # noqa: F401  (replaces pytest-django's)

quick_flush.install()

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PERSONAS = (
    "teacher",
    "faglaerer",
    "coordinator",
    "coordinator_other",
    "ppt",
    "vikar",
    "vikar_expired",
    "guardian_a",
    "guardian_b",
    "anonymous",
    "deactivated",
    "operator",
)
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("IOP_TEST_CLOCK", ""),
        help="start the wall clock of the whole session at this ISO 8601 moment (it ticks on)",
    )


#: Tests of half a minute or more (or that wait for one): they start first.
LONG_TESTS = (
    "tests/e2e/",
    "tests/test_sqlite_demo.py",
    "tests/atgardsprogram/test_fuzz.py",
    "tests/test_query_budget.py",
    "tests/test_page_language.py",
    "tests/test_backup.py",
)


def _duration_class(item: pytest.Item) -> int:
    """Browser tests and the other long ones first, then the walks over every
    URL, then the rest."""
    if item.nodeid.startswith(LONG_TESTS):
        return 0
    if item.nodeid.startswith(("tests/test_input_fuzz.py", "tests/test_permission_matrix.py")):
        return 1
    return 2


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest tests start first, so that no test worker is left running
    one of them alone at the end (the order is the same on every worker)."""
    items.sort(key=_duration_class)


def pytest_configure(config: pytest.Config) -> None:
    moment = config.getoption("--clock")
    if moment:
        traveller = time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


@dataclass
class World:
    school1: School
    school2: School
    group_a: Group
    group_b: Group
    group_c: Group
    pupil_a: Pupil
    pupil_b: Pupil
    pupil_c: Pupil
    users: dict[str, User | None] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def user(self, persona: str) -> User | None:
        return self.users[persona]

    def client(self, persona: str) -> Client:
        client = Client()
        user = self.users[persona]
        if user is not None:
            client.force_login(user, backend=LOGIN_BACKEND)
        return client


def build_world() -> World:
    R = StaffMembership.Role
    T = TeachingAssignment.Role
    kommune = f.SkoleeierFactory(name="Testkommune")
    school1 = f.SchoolFactory(skoleeier=kommune, name="Skole 1")
    school2 = f.SchoolFactory(skoleeier=kommune, name="Skole 2")
    year1 = f.SchoolYearFactory(school=school1)
    year2 = f.SchoolYearFactory(school=school2)
    group_a = f.GroupFactory(school_year=year1, name="5A", year_level=5)
    group_b = f.GroupFactory(school_year=year1, name="7B", year_level=7)
    group_c = f.GroupFactory(school_year=year2, name="5C", year_level=5)
    pupil_a = f.pupil_in(group_a, first_name="Anna", last_name="Aasen")
    pupil_b = f.pupil_in(group_b, first_name="Bjørn", last_name="Berg")
    pupil_c = f.pupil_in(group_c, first_name="Cecilie", last_name="Carlsen")

    users: dict[str, User | None] = {"anonymous": None}

    def person(persona: str, name: str, **kwargs: Any) -> User:
        user = f.UserFactory(email=f"{persona}@test.example", full_name=name, **kwargs)
        users[persona] = user
        return user

    teacher = person("teacher", "Tone Lærer")
    f.member(teacher, school1, R.KONTAKTLAERER)
    f.assign(teacher, group_a, T.KONTAKTLAERER)

    faglaerer = person("faglaerer", "Frode Faglærer")
    f.member(faglaerer, school1, R.FAGLAERER)
    f.assign(faglaerer, group_a, T.FAGLAERER, "Matematikk")

    f.member(person("coordinator", "Kari Koordinator"), school1, R.KOORDINATOR)
    f.member(person("coordinator_other", "Ola Annenskole"), school2, R.KOORDINATOR)

    ppt = person("ppt", "Petra PPT")
    f.member(ppt, school1, R.PPT)
    f.member(ppt, school2, R.PPT)
    access.grant_ppt_access(pupil=pupil_a, granted_by=users["coordinator"], reason="Henvisning")

    now = timezone.now()
    vikar = person("vikar", "Vera Vikar")
    f.member(vikar, school1, R.VIKAR)
    access.grant_pupil_access(
        pupil=pupil_a, user=vikar, granted_by=users["coordinator"], expires_at=now + datetime.timedelta(days=7)
    )
    vikar_expired = person("vikar_expired", "Even Utløpt")
    f.member(vikar_expired, school1, R.VIKAR)
    access.grant_pupil_access(
        pupil=pupil_a, user=vikar_expired, granted_by=users["coordinator"], expires_at=now - datetime.timedelta(days=1)
    )

    f.guardian_of(person("guardian_a", "Aud Foresatt"), pupil_a)
    f.guardian_of(person("guardian_b", "Bent Foresatt"), pupil_b)

    deactivated = person("deactivated", "Dag Sluttet", is_active=False)
    f.member(deactivated, school1, R.KONTAKTLAERER)
    f.assign(deactivated, group_a, T.KONTAKTLAERER)

    person("operator", "Olga Operatør", is_staff=True, is_superuser=True)

    return World(
        school1=school1,
        school2=school2,
        group_a=group_a,
        group_b=group_b,
        group_c=group_c,
        pupil_a=pupil_a,
        pupil_b=pupil_b,
        pupil_c=pupil_c,
        users=users,
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def transactional_world(transactional_db: None) -> World:
    with transaction.atomic():  # one commit, as an import: the deadlines are generated once
        return build_world()
