"""The access layer: role rules, grants, expiry, adult pupils, and denials."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from students import access
from students.access import Action
from students.models import StaffMembership
from tests import factories as f
from tests.conftest import PERSONAS, World

EXPECTED_VISIBLE = {
    "teacher": {"a"},
    "faglaerer": {"a"},
    "coordinator": {"a", "b"},
    "coordinator_other": {"c"},
    "ppt": {"a"},
    "vikar": {"a"},
    "vikar_expired": set(),
    "guardian_a": {"a"},
    "guardian_b": {"b"},
    "anonymous": set(),
    "deactivated": set(),
    "operator": set(),
}


def names(world: World, qs) -> set[str]:
    by_pk = {world.pupil_a.pk: "a", world.pupil_b.pk: "b", world.pupil_c.pk: "c"}
    return {by_pk[pk] for pk in qs.values_list("pk", flat=True)}


def user_or_anon(world: World, persona: str):
    from django.contrib.auth.models import AnonymousUser

    return world.user(persona) or AnonymousUser()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_exactly_the_pupils_each_persona_may_see(world: World, persona: str) -> None:
    assert names(world, access.pupils_for(user_or_anon(world, persona))) == EXPECTED_VISIBLE[persona]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("teacher", {Action.VIEW, Action.EDIT, Action.LOG}),
        ("faglaerer", {Action.VIEW, Action.LOG}),
        ("coordinator", {Action.VIEW, Action.EDIT, Action.LOG, Action.MANAGE, Action.VIEW_SENSITIVE, Action.ARCHIVE}),
        ("ppt", {Action.VIEW, Action.ASSESS}),
        ("vikar", {Action.VIEW}),
        ("guardian_a", {Action.VIEW}),
    ],
)
def test_it_tells_what_each_persona_may_do_with_pupil_a(world: World, persona: str, allowed: set[Action]) -> None:
    user = user_or_anon(world, persona)
    pupil = access.get_pupil(user, world.pupil_a.pk)
    assert pupil.allowed == allowed
    for action in Action:
        assert access.can(user, action, world.pupil_a) == (action in allowed), action
        if action not in allowed:
            with pytest.raises(PermissionDenied):
                access.get_pupil(user, world.pupil_a.pk, action)


@pytest.mark.parametrize("persona", ["coordinator_other", "vikar_expired", "guardian_b", "anonymous", "deactivated"])
def test_it_answers_404_for_foreign_and_missing_pupils_alike(world: World, persona: str) -> None:
    user = user_or_anon(world, persona)
    with pytest.raises(Http404):
        access.get_pupil(user, world.pupil_a.pk)
    with pytest.raises(Http404):
        access.get_pupil(user, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(Http404):
        access.get_pupil(user, "not-a-uuid")


@time_machine.travel("2026-11-10T12:00:00+01:00", tick=False)
def test_it_hides_an_adult_pupil_from_guardians_until_the_pupil_consents(world: World) -> None:
    guardian = world.user("guardian_a")
    pupil = world.pupil_a
    pupil.birth_date = datetime.date(2008, 11, 9)
    pupil.save()
    assert not access.pupils_for(guardian).exists()
    pupil.guardians_may_see_as_adult = True
    pupil.save()
    assert access.pupils_for(guardian).filter(pk=pupil.pk).exists()


@pytest.mark.parametrize(
    ("moment", "adult_born", "minor_born"),
    [
        # moment -> the latest birth date of an 18-year-old, the earliest of a 17-year-old
        ("2026-11-10T12:00:00+01:00", "2008-11-10", "2008-11-11"),
        ("2027-01-01T00:30:00+01:00", "2009-01-01", "2009-01-02"),  # still 2026 in UTC
        ("2028-02-29T12:00:00+01:00", "2010-02-28", "2010-03-01"),  # 2010 had no 29 February
        ("2026-02-28T23:59:00+01:00", "2008-02-28", "2008-02-29"),  # born on a leap day: 17 until 1 March
        ("2026-03-01T00:30:00+01:00", "2008-03-01", "2008-03-02"),
    ],
)
def test_it_turns_17_year_olds_visible_and_18_year_olds_hidden_on_the_birthday(
    world: World, moment: str, adult_born: str, minor_born: str
) -> None:
    guardian = world.user("guardian_a")
    pupil = world.pupil_a
    with time_machine.travel(moment, tick=False):
        pupil.birth_date = datetime.date.fromisoformat(minor_born)
        pupil.save()
        assert access.pupils_for(guardian).exists()
        pupil.birth_date = datetime.date.fromisoformat(adult_born)
        pupil.save()
        assert not access.pupils_for(guardian).exists()


def test_it_ignores_guardians_without_parental_responsibility(world: World) -> None:
    world.pupil_a.guardian_links.update(parental_responsibility=False)
    assert not access.pupils_for(world.user("guardian_a")).exists()


def test_it_ends_a_vikar_grant_at_its_expiry(world: World) -> None:
    vikar = world.user("vikar")
    grant = world.pupil_a.user_grants.get(user=vikar)
    grant.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    grant.save()
    access.forget(vikar)
    with pytest.raises(Http404):
        access.get_pupil(vikar, world.pupil_a.pk)


def test_it_shares_a_pupil_with_one_more_teacher_for_writing(world: World) -> None:
    colleague = f.UserFactory()
    f.member(colleague, world.school1, StaffMembership.Role.FAGLAERER)
    assert not access.pupils_for(colleague).exists()
    access.grant_pupil_access(pupil=world.pupil_b, user=colleague, granted_by=world.user("coordinator"), write=True)
    assert access.get_pupil(colleague, world.pupil_b.pk, Action.EDIT).pk == world.pupil_b.pk
    access.revoke_pupil_access(pupil=world.pupil_b, user=colleague)
    access.forget(colleague)
    assert not access.pupils_for(colleague).exists()


def test_it_does_not_honour_a_grant_at_a_school_where_the_user_no_longer_works(world: World) -> None:
    vikar = world.user("vikar")
    StaffMembership.objects.filter(user=vikar).update(active=False)
    access.forget(vikar)
    assert not access.pupils_for(vikar).exists()


def test_it_shows_ppt_only_referred_pupils_of_schools_they_serve(world: World) -> None:
    ppt = world.user("ppt")
    assert names(world, access.pupils_for(ppt)) == {"a"}
    access.grant_ppt_access(pupil=world.pupil_c, granted_by=world.user("coordinator_other"))
    assert names(world, access.pupils_for(ppt)) == {"a", "c"}
    access.revoke_ppt_access(pupil=world.pupil_a)
    assert names(world, access.pupils_for(ppt)) == {"c"}
    other_ppt = f.UserFactory()
    f.member(other_ppt, world.school2, StaffMembership.Role.PPT)
    assert names(world, access.pupils_for(other_ppt)) == {"c"}


def test_it_forgets_teachers_of_last_years_groups(world: World) -> None:
    year = world.group_a.school_year
    year.start = timezone.localdate() - datetime.timedelta(days=400)
    year.end = timezone.localdate() - datetime.timedelta(days=40)
    year.save()
    assert not access.pupils_for(world.user("teacher")).exists()
    assert names(world, access.pupils_for(world.user("coordinator"))) == {"a", "b"}


def test_it_lists_pupils_in_one_query(world: World, django_assert_num_queries) -> None:
    teacher = world.user("teacher")
    access.profile(teacher)
    with django_assert_num_queries(1):
        list(access.pupils_for(teacher))
