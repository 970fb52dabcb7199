"""A goal is named for a screen reader even when its text is empty (a new
goal starts empty; a teacher may clear it while rewriting): the hidden words
after "Flytt opp", "Slett" … tell the goals apart, and the reading view says
that the goal has no text yet instead of a bare "–"."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse

from iop.forms import GoalForm
from iop.models import Goal, Iop
from tests.conftest import World
from tests.iop.factories import aim, chain

HTMX = {"HTTP_HX_REQUEST": "true"}
HIDDEN = re.compile(r'<span class="visually-hidden(?: goal-name-[^"]+)?">: ([^<]*)</span>')


def test_a_goal_without_text_is_named_by_its_subject_and_when_it_was_made(world: World) -> None:
    ch = chain(world.pupil_a, goals=2, iop_status=Iop.Status.DRAFT)
    empty, other = ch.goals
    Goal.objects.filter(pk=empty.pk).update(text="")
    Goal.objects.filter(pk=other.pk).update(text="", created_at=empty.created_at + datetime.timedelta(minutes=3))
    teacher = world.client("teacher")

    editor = teacher.get(reverse("iop:goal_editor", args=[empty.pk]), **HTMX).content.decode()
    names = HIDDEN.findall(editor)
    assert len(names) >= 5, editor  # Lukk, Flytt opp, Flytt ned, Slett, Progresjon og logg, …
    assert all(name.startswith("mål uten tekst i Matematikk, opprettet ") for name in names), names
    other_editor = teacher.get(reverse("iop:goal_editor", args=[other.pk]), **HTMX).content.decode()
    assert set(HIDDEN.findall(other_editor)).isdisjoint(names), "two empty goals are told apart"

    page = teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    assert page.count('<h4 class="ds-heading" data-size="xs">Målet har ingen tekst ennå.</h4>') == 2
    assert ">–</h4>" not in page
    assert not re.search(r'<span class="visually-hidden[^"]*">:\s*</span>', page), "no button is named only ':'"
    detail = teacher.get(reverse("iop:goal_detail", args=[empty.pk])).content.decode()
    assert '<h1 class="ds-heading" data-size="lg">Målet har ingen tekst ennå.</h1>' in detail


def test_a_goal_with_text_is_named_by_its_text_and_a_social_goal_without_by_what_it_is(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, subjects=(), iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    teacher = world.client("teacher")
    Goal.objects.filter(pk=goal.pk).update(text="Eleven tar kontakt med de andre i friminuttene hver dag.")
    named = HIDDEN.findall(teacher.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode())
    assert named and all(name == "Eleven tar kontakt med de andre i…" for name in named), named
    Goal.objects.filter(pk=goal.pk).update(text="  ")
    named = HIDDEN.findall(teacher.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode())
    assert named and all(n.startswith("sosialt eller generelt mål uten tekst, opprettet ") for n in named), named


def test_names_are_cut_between_two_words_and_follow_the_buttons_words_without_a_space(world: World) -> None:
    """A long goal or aim is named up to a whole word ("… og trekker fra…",
    never "… og trekker fra tal…"), and the hidden name follows the visible
    words straight on ("Rediger mål: …", not "Rediger mål : …")."""
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    Goal.objects.filter(pk=goal.pk).update(text="Eleven legger sammen og trekker fra tall opp til 100.")
    long_aim = aim("KM9001", "telle til hundre forlengs og baklengs og vise tallene på enkle tallinjer", year=2)
    teacher = world.client("teacher")

    page = teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    editor = teacher.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()
    assert "Rediger mål<span" in page and "Flytt ned<span" in editor
    assert set(HIDDEN.findall(page + editor)) == {"Eleven legger sammen og trekker fra…"}
    found = teacher.get(reverse("iop:goal_aims", args=[goal.pk]), {"q": "telle", "trinn": "2"}, **HTMX)
    assert "Legg til: telle til hundre forlengs og baklengs og vise tallene på…" in re.sub(
        r'<span class="visually-hidden">', "", found.content.decode()
    )
    attached = teacher.post(reverse("iop:goal_aims_update", args=[goal.pk]), {"add": long_aim.pk}, **HTMX)
    assert "telle til hundre forlengs og baklengs og vise tallene på…" in HIDDEN.findall(attached.content.decode())
    for html in (page, editor, found.content.decode(), attached.content.decode()):
        assert not re.search(r'\s<span class="visually-hidden[^"]*">:', html), "no space before the colon"


def test_the_save_button_is_named_by_the_goal_as_its_siblings_are(world: World) -> None:
    goal = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT).goals[0]
    Goal.objects.filter(pk=goal.pk).update(text="Eleven leser korte tekster.")
    editor = world.client("teacher").get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()
    for words in ("Lagre mål", "Lukk", "Flytt opp", "Slett"):
        named = (
            f'{words}<span class="visually-hidden goal-name-{goal.pk}">: Eleven leser korte tekster.</span></button>'
        )
        assert named in editor, words


def test_clearing_a_goals_text_is_still_saved(world: World) -> None:
    """The autosave while the teacher rewrites the goal is not refused for an empty text."""
    goal = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT).goals[0]
    form = GoalForm(instance=goal, prefix=str(goal.pk))
    data = {form.add_prefix(name): str(form.initial.get(name) or "") for name in form.fields}
    data[form.add_prefix("text")] = ""
    response = world.client("teacher").post(reverse("iop:goal_update", args=[goal.pk]), data, **HTMX)
    assert response.status_code == 200 and 'class="ds-validation-message"' not in response.content.decode()
    goal.refresh_from_db()
    assert goal.text == ""
