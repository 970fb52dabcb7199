"""A school with a fixed school year (2026/27) for date rules under frozen time."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import pytest

from students.models import Group, Pupil, School, SchoolYear, StaffMembership, TeachingAssignment, User
from tests import factories as f

START = datetime.date(2026, 8, 17)  # a Monday
END = datetime.date(2027, 6, 18)


@dataclass
class YearSchool:
    school: School
    year: SchoolYear
    group: Group
    pupils: list[Pupil]
    teacher: User
    coordinator: User
    rektor: User
    faglaerer: User
    extra: dict[str, Any] = field(default_factory=dict)


def build_year_school(kind: str = School.Kind.VGS, level: int = 11, pupils: int = 3) -> YearSchool:
    R = StaffMembership.Role
    school = f.SchoolFactory(kind=kind)
    year = SchoolYear.objects.create(school=school, name="2026/27", start=START, end=END)
    group = Group.objects.create(school_year=year, name="1STA", year_level=level)
    people = {}
    for role in (R.KONTAKTLAERER, R.KOORDINATOR, R.REKTOR, R.FAGLAERER):
        user = f.UserFactory(email=f"{role}.{school.pk}@test.example", full_name=f"{role.title()} Person")
        f.member(user, school, role)
        people[role] = user
    f.assign(people[R.KONTAKTLAERER], group, TeachingAssignment.Role.KONTAKTLAERER)
    f.assign(people[R.FAGLAERER], group, TeachingAssignment.Role.FAGLAERER, "Norsk")
    kids = [f.pupil_in(group, first_name=f"Elev{i}", birth_date=datetime.date(2010, 3, 1 + i)) for i in range(pupils)]
    return YearSchool(
        school=school,
        year=year,
        group=group,
        pupils=kids,
        teacher=people[R.KONTAKTLAERER],
        coordinator=people[R.KOORDINATOR],
        rektor=people[R.REKTOR],
        faglaerer=people[R.FAGLAERER],
    )


@pytest.fixture
def vgs(db: None) -> YearSchool:
    return build_year_school()


@pytest.fixture
def grunnskole(db: None) -> YearSchool:
    return build_year_school(kind=School.Kind.BARNE_UNGDOM, level=9)
