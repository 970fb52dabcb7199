"""Writing an IOP quickly: a new goal starts empty (and an empty goal keeps the
plan from being published), criteria templates per school filled into a goal
with one action, the aim picker starting where the pupil is, and læringsbank
suggestions for a goal that has no aim yet."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from curriculum.selectors import aim_year_level
from iop import services
from iop.models import BankEntry, CriteriaTemplate, Goal, Iop
from tests.conftest import World
from tests.iop.factories import aim, chain

HTMX = {"HTTP_HX_REQUEST": "true"}
NB = {"HTTP_ACCEPT_LANGUAGE": "nb"}


def test_a_new_goal_starts_empty_with_a_placeholder_and_an_empty_goal_is_not_published(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    teacher = world.client("teacher")
    added = teacher.post(reverse("iop:goal_create", args=[ch.iop.pk]), {"section": str(ch.sections[0].pk)}, **HTMX)
    assert added.status_code == 200
    new = Goal.objects.filter(iop=ch.iop).order_by("-order").first()
    assert new is not None and new.text == ""
    body = added.content.decode()
    assert "Nytt læringsmål" not in body
    assert 'placeholder="Hva skal eleven lære? Skriv noe som kan observeres."' in body

    ch.iop.refresh_from_db()
    with pytest.raises(ValidationError) as refused, translation.override("nb"):
        services.iop_publish(actor=world.user("teacher"), iop=ch.iop, version=ch.iop.version)
    assert "1 læringsmål har ingen tekst ennå (Matematikk)." in refused.value.messages

    services.goal_update(actor=world.user("teacher"), goal=new, version=new.version, data={"text": "Eleven teller."})
    ch.iop.refresh_from_db()
    services.iop_publish(actor=world.user("teacher"), iop=ch.iop, version=ch.iop.version)


def _goal_post(goal: Goal, **fields: str) -> dict[str, str]:
    data = {
        "version": str(goal.version),
        "text": goal.text,
        **{name: getattr(goal, name) for name in Goal.CRITERIA_FIELDS},
    }
    data.update(fields)
    return {f"{goal.pk}-{name}": value for name, value in data.items()}


def test_one_action_fills_the_empty_criteria_from_the_built_in_template_and_keeps_written_ones(world: World) -> None:
    goal = chain(world.pupil_a, iop_status=Iop.Status.DRAFT).goals[0]
    Goal.objects.filter(pk=goal.pk).update(
        **{**dict.fromkeys(Goal.CRITERIA_FIELDS, ""), "independence_2": "Egen tekst."}
    )
    goal.refresh_from_db()
    aim("KM9002", "regne med brøker", year=7)  # pupil A is in year 5: the picker starts at "after year 7"
    teacher = world.client("teacher")
    url = reverse("iop:goal_criteria_fill", args=[goal.pk])
    # What the form holds is saved with the templates: the new goal text is not lost.
    response = teacher.post(url, {**_goal_post(goal, text="Eleven leser 50 ord."), "axis": "all"}, **HTMX, **NB)
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.text == "Eleven leser 50 ord."
    assert goal.independence_1 == "Eleven gjør det med hjelp fra en voksen hele veien."
    assert goal.independence_2 == "Egen tekst."  # written: kept
    assert goal.quality_4 == "Eleven bruker det i nye situasjoner og forklarer hvordan."
    assert "Eleven gjør det med hjelp fra en voksen hele veien." in response.content.decode()
    # The form it answers with keeps the aim picker at the level the pupil works towards.
    assert '<option value="7" selected>' in response.content.decode()


def test_a_coordinator_writes_the_schools_templates_and_teachers_get_them(world: World) -> None:
    coordinator = world.client("coordinator")
    url = reverse("iop:criteria_template_edit", args=[world.school1.pk])
    page = coordinator.get(url, **NB).content.decode()
    assert "Kriteriemaler for" in page and 'placeholder="Eleven gjør det selv etter oppstart."' in page
    assert world.client("teacher").get(url).status_code == 403
    saved = coordinator.post(url, {"version": "0", "independence_1": "Med voksen ved siden av."})
    assert saved.status_code == 302
    template = CriteriaTemplate.objects.get(school=world.school1)
    assert template.independence_1 == "Med voksen ved siden av."
    again = coordinator.post(
        url, {"version": str(template.version), "independence_1": template.independence_1, "independence_3": "Alene."}
    )
    assert again.status_code == 302
    template.refresh_from_db()
    assert template.independence_3 == "Alene." and template.independence_1 == "Med voksen ved siden av."

    goal = chain(world.pupil_a, iop_status=Iop.Status.DRAFT).goals[0]
    Goal.objects.filter(pk=goal.pk).update(**dict.fromkeys(Goal.CRITERIA_FIELDS, ""))
    goal.refresh_from_db()
    filled = world.client("teacher").post(
        reverse("iop:goal_criteria_fill", args=[goal.pk]), {**_goal_post(goal), "axis": "independence"}
    )
    assert filled.status_code == 302
    goal.refresh_from_db()
    assert goal.independence_1 == "Med voksen ved siden av." and goal.independence_3 == "Alene."
    assert goal.quality_1 == ""  # only the axis asked for


def test_the_picker_starts_at_the_level_the_pupil_works_towards_in_the_sections_subject(world: World) -> None:
    assert aim_year_level(None) is None
    assert aim_year_level(5) == 5  # no aim sets: the pupil's own level
    aim("KM9001", "telle til hundre", year=2)
    aim("KM9002", "regne med brøker", year=7)
    assert aim_year_level(1) == 2 and aim_year_level(3) == 7 and aim_year_level(7) == 7 and aim_year_level(9) == 7
    goal = chain(world.pupil_a).goals[0]  # pupil A is in year 5, the section is Matematikk
    page = world.client("teacher").get(reverse("iop:goal_aims", args=[goal.pk])).content.decode()
    assert '<option value="7" selected>' in page and 'value="Matematikk"' in page
    assert "KM9002" in page and "KM9001" not in page  # results at once, without a search


def test_a_goal_without_aims_gets_suggestions_of_its_subject(world: World) -> None:
    shared = BankEntry.objects.create(skoleeier_id=world.school1.skoleeier_id, text="Eleven teller til 20.")
    shared.competence_aims.add(aim())
    goal = chain(world.pupil_a).goals[0]
    assert not goal.competence_aims.exists()
    page = world.client("teacher").get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()
    assert reverse("iop:goal_bank", args=[goal.pk]) in page  # offered before any aim is attached
    body = world.client("teacher").get(reverse("iop:goal_bank", args=[goal.pk]), **HTMX).content.decode()
    assert "Eleven teller til 20." in body
    used = world.client("teacher").post(reverse("iop:goal_bank_use", args=[goal.pk]), {"source": str(shared.pk)})
    assert used.status_code == 302
    goal.refresh_from_db()
    assert goal.text == "Eleven teller til 20."
