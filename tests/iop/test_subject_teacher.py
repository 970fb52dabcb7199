"""A faglærer logs progress and hours in the subjects they teach the pupil
(DOMAIN, roles): in other subjects' goals they read. The rule is decided in
the access layer (``access.log_subjects`` / ``access.may_log_in``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from iop import services
from iop.models import GoalLog, Iop, IopSubject, TeachingLog
from students import access
from students.models import TeachingAssignment
from tests import factories as f
from tests.conftest import World
from tests.iop.factories import add_goals, chain


@pytest.fixture
def plan(world: World) -> Iop:
    made = chain(world.pupil_a, subjects=(("Matematikk", 76), ("Norsk", 38)), goals=1)
    assert made.iop is not None
    add_goals(made.iop, made.iop.sections.get(subject="Norsk"), 1)
    add_goals(made.iop, None, 1)  # a general goal, shared by the pupil's teachers
    return made.iop


def goal_in(plan: Iop, subject: str | None):  # type: ignore[no-untyped-def]
    return plan.goals.get(section__subject=subject) if subject else plan.goals.get(section=None)


def test_the_access_layer_names_the_subjects(world: World, plan: Iop) -> None:
    pupil = world.pupil_a
    assert access.log_subjects(world.user("faglaerer"), pupil) == frozenset({"matematikk"})
    assert access.log_subjects(world.user("teacher"), pupil) is None
    assert access.log_subjects(world.user("coordinator"), pupil) is None
    assert access.log_subjects(world.user("vikar"), pupil) == frozenset()
    faglaerer = world.user("faglaerer")
    assert access.may_log_in(faglaerer, pupil, " matematikk ")
    assert not access.may_log_in(faglaerer, pupil, "Norsk")
    assert access.may_log_in(faglaerer, pupil, "")  # a general goal
    assert not access.may_log_in(faglaerer, pupil, "", general=False)
    assert not access.may_log_in(world.user("vikar"), pupil, "")
    maths = frozenset({"matematikk"})
    assert access.logs_in(maths, "Matematikk ") and access.logs_in(maths, "") and not access.logs_in(maths, "Norsk")
    assert access.logs_in(None, "Norsk") and not access.logs_in(frozenset(), "")


def test_a_faglaerer_logs_goals_of_their_subject_and_general_ones_only(world: World, plan: Iop) -> None:
    faglaerer = world.user("faglaerer")
    today = timezone.localdate()
    for subject in ("Matematikk", None):
        services.goal_log_create(actor=faglaerer, goal=goal_in(plan, subject), data={"date": today, "quality": 2})
    with pytest.raises(PermissionDenied):
        services.goal_log_create(actor=faglaerer, goal=goal_in(plan, "Norsk"), data={"date": today, "quality": 2})
    assert not GoalLog.objects.filter(goal=goal_in(plan, "Norsk")).exists()
    teacher = world.user("teacher")
    services.goal_log_create(actor=teacher, goal=goal_in(plan, "Norsk"), data={"date": today, "quality": 3})

    # Given Norsk in the pupil's group too, the faglærer logs there as well.
    f.assign(faglaerer, world.group_a, TeachingAssignment.Role.FAGLAERER, "norsk")
    access.forget(faglaerer)
    services.goal_log_create(actor=faglaerer, goal=goal_in(plan, "Norsk"), data={"date": today, "quality": 2})
    assert GoalLog.objects.filter(goal=goal_in(plan, "Norsk")).count() == 2


def test_the_goal_page_shows_the_form_only_in_the_faglaerers_subject(world: World, plan: Iop) -> None:
    client = world.client("faglaerer")
    norsk = client.get(reverse("iop:goal_detail", args=[goal_in(plan, "Norsk").pk])).content.decode()
    assert "data-other-subject" in norsk and "Målet hører til faget Norsk." in norsk
    assert reverse("iop:goal_log_create", args=[goal_in(plan, "Norsk").pk]) not in norsk
    maths = client.get(reverse("iop:goal_detail", args=[goal_in(plan, "Matematikk").pk])).content.decode()
    assert "data-other-subject" not in maths
    assert reverse("iop:goal_log_create", args=[goal_in(plan, "Matematikk").pk]) in maths
    teacher = world.client("teacher").get(reverse("iop:goal_detail", args=[goal_in(plan, "Norsk").pk]))
    assert "data-other-subject" not in teacher.content.decode()

    refused = client.post(
        reverse("iop:goal_log_create", args=[goal_in(plan, "Norsk").pk]), {"date": timezone.localdate(), "quality": 2}
    )
    assert refused.status_code == 403 and not GoalLog.objects.exists()


def test_hours_are_logged_in_the_faglaerers_subjects_only(world: World, plan: Iop) -> None:
    def choices(persona: str) -> list[str]:
        body = world.client(persona).get(reverse("iop:iop_detail", args=[plan.pk])).content.decode()
        select = body.split('name="undervisning-section"', 1)[1].split("</select>", 1)[0]
        return [part.split("</option>", 1)[0].rsplit(">", 1)[-1] for part in select.split("<option")[2:]]

    assert choices("teacher") == ["Matematikk", "Norsk"]
    assert choices("faglaerer") == ["Matematikk"]
    body = world.client("faglaerer").get(reverse("iop:iop_detail", args=[plan.pk])).content.decode()
    select = body.split('name="undervisning-section"', 1)[1].split("</select>", 1)[0]
    assert "selected" in select.split("Matematikk", 1)[0].rsplit("<option", 1)[1]  # the one subject, chosen

    today = timezone.localdate()
    norsk, maths = plan.sections.get(subject="Norsk"), plan.sections.get(subject="Matematikk")
    data = {"period_start": today, "period_end": today, "hours": 2}
    faglaerer = world.user("faglaerer")
    with pytest.raises(PermissionDenied):
        services.teaching_log_create(actor=faglaerer, section=norsk, data=data)
    entry = services.teaching_log_create(actor=faglaerer, section=maths, data=data)
    with pytest.raises(PermissionDenied):  # nor moved there afterwards
        services.teaching_log_update(actor=faglaerer, entry=entry, data={**data, "section": norsk})
    assert list(TeachingLog.objects.values_list("section__subject", flat=True)) == ["Matematikk"]

    # The correction form offers the faglærer's subjects (and the entry's own).
    body = world.client("faglaerer").get(reverse("iop:teaching_log_update", args=[entry.pk])).content.decode()
    select = body.split('name="section"', 1)[1].split("</select>", 1)[0]
    assert "Matematikk" in select and "Norsk" not in select


def test_a_faglaerer_of_no_subject_of_the_plan_gets_no_hours_form(world: World, plan: Iop) -> None:
    IopSubject.objects.filter(iop=plan, subject="Matematikk").update(subject="Engelsk")
    page = world.client("faglaerer").get(reverse("iop:iop_detail", args=[plan.pk]))
    assert page.status_code == 200 and 'name="undervisning-section"' not in page.content.decode()
    assert "Engelsk" in page.content.decode()  # the plan is read all the same


def test_the_pupil_page_offers_to_log_the_faglaerers_goals_only(world: World, plan: Iop) -> None:
    def links(persona: str) -> dict[str, str]:
        body = world.client(persona).get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
        out = {}
        for subject in ("Matematikk", "Norsk", None):
            url = reverse("iop:goal_detail", args=[goal_in(plan, subject).pk])
            out[subject or "general"] = body.split(f'href="{url}">', 1)[1].split("<", 1)[0]
        return out

    assert links("faglaerer") == {"Matematikk": "Logg progresjon", "Norsk": "Progresjon", "general": "Logg progresjon"}
    assert set(links("teacher").values()) == {"Logg progresjon"}
    body = world.client("faglaerer").get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    for subject in ("Matematikk", "Norsk", "Sosiale og generelle mål"):  # why a row says what it says
        assert f"<td>{subject}</td>" in body


def test_the_plan_tells_a_faglaerer_why_it_is_read_only_and_the_writers_are_not_told(world: World, plan: Iop) -> None:
    url = reverse("iop:iop_detail", args=[plan.pk])
    said = "kontaktlæreren og koordinatoren skriver planen og målene"
    assert said in world.client("faglaerer").get(url).content.decode()
    for persona in ("teacher", "coordinator", "guardian_a"):
        assert said not in world.client(persona).get(url).content.decode(), persona


def test_unpublished_changes_are_told_to_a_faglaerer_without_a_button_they_do_not_have(
    world: World, plan: Iop, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        plan.refresh_from_db()
        services.iop_publish(actor=world.user("teacher"), iop=plan, version=plan.version)
    goal = goal_in(plan, "Matematikk")
    services.goal_update(
        actor=world.user("teacher"), goal=goal, version=goal.version, data={"text": "Eleven teller til 200."}
    )
    url = reverse("iop:iop_detail", args=[plan.pk])
    page = world.client("faglaerer").get(url).content.decode()
    assert "til endringene blir publisert" in page and "Publiser endringene" not in page
    assert "til du trykker «Publiser endringene»" in world.client("teacher").get(url).content.decode()
