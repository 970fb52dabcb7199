"""factory_boy factories that keep related objects consistent."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from students.models import (
    Enrolment,
    Group,
    GuardianLink,
    Pupil,
    School,
    SchoolYear,
    Skoleeier,
    StaffMembership,
    TeachingAssignment,
    User,
)

PASSWORD = "riktig-hest-batteri"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@test.example")
    full_name = factory.Faker("name", locale="no_NO")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SkoleeierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skoleeier

    name = factory.Sequence(lambda n: f"Testkommune {n}")
    kind = Skoleeier.Kind.KOMMUNE
    country = "NO"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    skoleeier = factory.SubFactory(SkoleeierFactory)
    name = factory.Sequence(lambda n: f"Testskole {n}")
    kind = School.Kind.BARNE_UNGDOM


class SchoolYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolYear

    school = factory.SubFactory(SchoolFactory)
    start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=60))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(days=300))
    name = factory.LazyAttribute(lambda o: f"{o.start.year}/{str(o.start.year + 1)[-2:]}")


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    school_year = factory.SubFactory(SchoolYearFactory)
    name = factory.Sequence(lambda n: f"{n % 10 + 1}{'ABCD'[n % 4]}{n}")
    year_level = 5


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Faker("first_name", locale="no_NO")
    last_name = factory.Faker("last_name", locale="no_NO")
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365 * 10))


def enrol(pupil: Pupil, group: Group) -> Enrolment:
    return Enrolment.objects.create(pupil=pupil, group=group)


def pupil_in(group: Group, **kwargs: object) -> Pupil:
    pupil = PupilFactory(school=group.school_year.school, **kwargs)
    enrol(pupil, group)
    return pupil


def member(user: User, school: School, role: str) -> StaffMembership:
    return StaffMembership.objects.create(user=user, school=school, role=role)


def assign(user: User, group: Group, role: str, subject: str = "") -> TeachingAssignment:
    return TeachingAssignment.objects.create(user=user, group=group, role=role, subject=subject)


def guardian_of(user: User, pupil: Pupil) -> GuardianLink:
    return GuardianLink.objects.create(user=user, pupil=pupil, relation=GuardianLink.Relation.MOTHER)


# --- Swedish schools -----------------------------------------------------------
# A school is Swedish when its owner is a Swedish kommun; the app then speaks
# Swedish there (the school's language) and uses Swedish forms and scales.


def swedish_kommun(name: str = "Testkommun") -> Skoleeier:
    found, _ = Skoleeier.objects.get_or_create(
        name=name, country=Skoleeier.Country.SE, defaults={"kind": Skoleeier.Kind.KOMMUNE}
    )
    return found


def swedish_school(name: str = "Testskolan", *, kommun: str = "Testkommun") -> School:
    """A new grundskola of a Swedish kommun, in Swedish."""
    return SchoolFactory(
        skoleeier=swedish_kommun(kommun), name=name, kind=School.Kind.GRUNDSKOLA, language=School.Language.SV
    )


def make_swedish(school: School, *, kommun: str = "Testkommun") -> School:
    """Turn an existing school (e.g. the world's school 2) into a Swedish grundskola."""
    school.skoleeier = swedish_kommun(kommun)
    school.kind = School.Kind.GRUNDSKOLA
    school.language = School.Language.SV
    school.save()
    return school
