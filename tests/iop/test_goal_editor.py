"""The IOP page shows its goals as reading text and brings in one goal's
form when the teacher starts editing it; log entries on the plan pages are
bounded (the goal's own page shows them all)."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from iop import services
from iop.forms import GoalForm
from iop.models import AccessLogEntry, Goal, GoalLog, Iop
from iop.selectors import PLAN_PAGE_LOGS
from iop.views import GOAL_PAGE_ENTRIES
from tests.conftest import World
from tests.iop.factories import chain

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_edit_page_reads_as_text_and_a_goal_opens_for_editing(world: World) -> None:
    ch = chain(world.pupil_a, goals=2, iop_status=Iop.Status.DRAFT)
    first, second = ch.goals
    teacher = world.client("teacher")

    page = teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    for goal in (first, second):
        assert f'name="{goal.pk}-text"' not in page and f'id="aims-{goal.pk}-q"' not in page
        assert f'href="{reverse("iop:goal_editor", args=[goal.pk])}"' in page
        assert f'data-draft-opener="goal:{goal.pk}"' in page and goal.text in page
    assert "Rediger mål" in page

    opened = teacher.get(reverse("iop:goal_editor", args=[first.pk]), **HTMX)
    body = opened.content.decode()
    assert opened.status_code == 200 and "<html" not in body
    assert f'data-draft="goal:{first.pk}"' in body and f'id="aims-{first.pk}-q"' in body
    assert "autofocus" in body.split(f'name="{first.pk}-text"', 1)[1].split(">", 1)[0]  # the focus goes to the text
    assert f'name="{second.pk}-text"' not in body
    # Opened by the page to offer a draft back: the focus stays where it is.
    quiet = teacher.get(reverse("iop:goal_editor", args=[first.pk]), {"utkast": "1"}, **HTMX).content.decode()
    assert "autofocus" not in quiet.split(f'name="{first.pk}-text"', 1)[1].split(">", 1)[0]
    # Without JavaScript the form is a page of its own.
    alone = teacher.get(reverse("iop:goal_editor", args=[first.pk])).content.decode()
    assert "<html" in alone and f'data-draft="goal:{first.pk}"' in alone and "Tilbake til planen" in alone

    entry = AccessLogEntry.objects.filter(object_id=first.pk).latest("at")
    assert (entry.kind, entry.purpose, entry.user) == (
        AccessLogEntry.Kind.GOAL,
        AccessLogEntry.Purpose.EDIT,
        world.user("teacher"),
    )


def test_a_new_goal_opens_for_editing_and_the_others_stay_text(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    old = ch.goals[0]
    response = world.client("teacher").post(
        reverse("iop:goal_create", args=[ch.iop.pk]),  # type: ignore[union-attr]
        {"section": str(ch.sections[0].pk)},
        **HTMX,
    )
    body = response.content.decode()
    new = ch.iop.goals.exclude(pk=old.pk).get()  # type: ignore[union-attr]
    assert f'name="{new.pk}-text"' in body and "autofocus" in body
    assert f'name="{old.pk}-text"' not in body and f'data-draft-opener="goal:{old.pk}"' in body


def _closing(goal: Goal, **changes: str) -> dict[str, str]:
    """What the browser posts when "Close" is pressed in GOAL's editor: every
    field of the form as shown, with CHANGES typed, and ``close=1``."""
    form = GoalForm(instance=goal, prefix=str(goal.pk))
    data = {form.add_prefix(name): str(form.initial.get(name) or "") for name in form.fields}
    data.update({form.add_prefix(name): value for name, value in changes.items()})
    return {**data, "close": "1"}


def test_closing_the_editor_saves_the_text_and_shows_it_as_reading_text(world: World) -> None:
    ch = chain(world.pupil_a, goals=2, iop_status=Iop.Status.DRAFT)
    goal, other = ch.goals
    teacher = world.client("teacher")
    response = teacher.post(
        reverse("iop:goal_update", args=[goal.pk]), _closing(goal, text="Anna leser 90 ord i minuttet."), **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == (f"#goal-{goal.pk}", "innerHTML")
    assert "Anna leser 90 ord i minuttet.</h4>" in body and f'name="{goal.pk}-text"' not in body
    assert f'data-draft-saved="goal:{goal.pk}"' in body  # the browser's drafts of the form are saved
    edit = body.split(f'data-draft-opener="goal:{goal.pk}"', 1)[1].split(">", 1)[0]
    assert "autofocus" in edit  # the focus goes to the goal's "Edit goal" button
    assert other.text not in body
    goal.refresh_from_db()
    assert goal.text == "Anna leser 90 ord i minuttet." and goal.version == 2
    # Closing shows the reading text again: logged as a read, not as one more "opened for editing".
    entry = AccessLogEntry.objects.filter(object_id=goal.pk).latest("at")
    assert (entry.kind, entry.purpose, entry.user) == (
        AccessLogEntry.Kind.GOAL,
        AccessLogEntry.Purpose.READ,
        world.user("teacher"),
    )
    assert not AccessLogEntry.objects.filter(object_id=goal.pk, purpose=AccessLogEntry.Purpose.EDIT).exists()
    # The page read again shows it as reading text, with its edit button, not opened.
    page = teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    assert "Anna leser 90 ord i minuttet." in page and f'name="{goal.pk}-text"' not in page
    assert "autofocus" not in page.split(f'data-draft-opener="goal:{goal.pk}"', 1)[1].split(">", 1)[0]


def test_closing_an_unchanged_editor_saves_nothing(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    history = goal.history.count()  # type: ignore[attr-defined]
    response = world.client("teacher").post(reverse("iop:goal_update", args=[goal.pk]), _closing(goal), **HTMX)
    assert response.status_code == 200 and f"{goal.text}</h4>" in response.content.decode()
    goal.refresh_from_db()
    assert goal.version == 1 and goal.history.count() == history  # type: ignore[attr-defined]
    entries = AccessLogEntry.objects.filter(object_id=goal.pk)
    assert [e.purpose for e in entries] == [AccessLogEntry.Purpose.READ]


def test_a_goal_with_an_error_is_not_closed_and_keeps_the_text(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    data = _closing(goal, text="Ny tekst som ikke er lagret", competence_aim="x" * 501)
    response = world.client("teacher").post(reverse("iop:goal_update", args=[goal.pk]), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == f"#goal-{goal.pk}"
    assert "Målet er fortsatt åpent" in body and 'role="alert" tabindex="-1" autofocus' in body
    assert f'name="{goal.pk}-text"' in body and "Ny tekst som ikke er lagret</textarea>" in body
    assert "data-draft-saved" not in body
    goal.refresh_from_db()
    assert goal.text != "Ny tekst som ikke er lagret" and goal.version == 1


def test_closing_without_javascript_saves_and_goes_back_to_the_plan(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    response = world.client("teacher").post(
        reverse("iop:goal_update", args=[goal.pk]), _closing(goal, text="Skrevet uten JavaScript.")
    )
    assert response.status_code == 302
    assert response["Location"] == ch.iop.get_absolute_url() + f"#goal-{goal.pk}"  # type: ignore[union-attr]
    goal.refresh_from_db()
    assert goal.text == "Skrevet uten JavaScript."


def test_closing_answers_404_for_a_goal_of_another_school(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]
    url = reverse("iop:goal_update", args=[goal.pk])
    assert world.client("coordinator_other").post(url, _closing(goal, text="Fremmed"), **HTMX).status_code == 404
    goal.refresh_from_db()
    assert goal.text != "Fremmed"


def test_no_editor_on_a_plan_that_is_no_longer_edited(world: World) -> None:
    ch = chain(world.pupil_a, goals=1)
    Iop.objects.filter(pk=ch.iop.pk).update(status=Iop.Status.ARCHIVED)  # type: ignore[union-attr]
    teacher = world.client("teacher")
    assert teacher.get(reverse("iop:goal_editor", args=[ch.goals[0].pk]), **HTMX).status_code == 403
    page = teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    assert "data-draft-opener" not in page


def test_plan_pages_read_only_the_latest_log_entries_of_a_goal(world: World) -> None:
    ch = chain(world.pupil_a, goals=1)
    goal = ch.goals[0]
    start = timezone.localdate() - datetime.timedelta(days=PLAN_PAGE_LOGS + 3)
    teacher = world.user("teacher")
    for i in range(PLAN_PAGE_LOGS + 3):
        services.goal_log_create(
            actor=teacher,
            goal=goal,
            data={"date": start + datetime.timedelta(days=i), "quality": 1 + i % 4, "independence": None},
        )
    client = world.client("teacher")
    page = client.get(reverse("iop:iop_detail", args=[ch.iop.pk]), {"visning": "les"})  # type: ignore[union-attr]
    shown = page.context["page"].sections[0].goals[0].log_list
    latest = list(GoalLog.objects.filter(goal=goal).order_by("-date")[:PLAN_PAGE_LOGS])
    assert [e.pk for e in shown] == [e.pk for e in reversed(latest)]
    assert page.context["page"].sections[0].goals[0].latest.pk == latest[0].pk
    full = client.get(reverse("iop:goal_detail", args=[goal.pk]))
    assert len(full.context["goal"].log_list) == PLAN_PAGE_LOGS + 3  # the goal's own page: every entry


def test_a_goals_page_lists_the_latest_entries_and_all_on_demand(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, logs_per_goal=GOAL_PAGE_ENTRIES + 2)
    goal = ch.goals[0]
    client = world.client("teacher")
    url = reverse("iop:goal_detail", args=[goal.pk])
    page = client.get(url)
    newest = list(GoalLog.objects.filter(goal=goal).order_by("-date", "-created_at"))
    assert [e.pk for e in page.context["entries"]] == [e.pk for e in newest[:GOAL_PAGE_ENTRIES]]
    body = page.content.decode()
    assert f"Vis alle {GOAL_PAGE_ENTRIES + 2} oppføringene" in body and 'hx-get="?alle=1"' in body
    every = client.get(url, {"alle": "1"}, **HTMX)
    assert [e.pk for e in every.context["entries"]] == [e.pk for e in newest]
    body = every.content.decode()
    assert 'id="log-entries" tabindex="-1" autofocus' in body and "Vis alle" not in body


def _move_buttons(body: str) -> list[str]:
    """The opening tags of the "Move up"/"Move down" buttons in BODY."""
    return [tag for tag in re.findall(r"<button[^>]*>", body) if 'name="direction"' in tag]


def test_a_refused_save_shows_the_move_buttons_as_when_the_editor_was_opened(world: World) -> None:
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    goal = ch.goals[0]  # the only goal of its subject: it can move neither up nor down
    teacher = world.client("teacher")
    opened = teacher.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()
    assert len(_move_buttons(opened)) == 2 and all("disabled" in tag for tag in _move_buttons(opened))
    data = _closing(goal, competence_aim="x" * 501)
    del data["close"]
    refused = teacher.post(reverse("iop:goal_update", args=[goal.pk]), data, **HTMX).content.decode()
    assert 'class="ds-validation-message"' in refused
    assert len(_move_buttons(refused)) == 2 and all("disabled" in tag for tag in _move_buttons(refused))


def test_moving_from_the_editor_saves_the_text_first(world: World) -> None:
    ch = chain(world.pupil_a, goals=2, iop_status=Iop.Status.DRAFT)
    goal, other = ch.goals
    data = {**_closing(goal, text="Skrevet rett før flyttingen."), "direction": "down"}
    del data["close"]
    response = world.client("teacher").post(reverse("iop:goal_move", args=[goal.pk]), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Retarget" not in response
    # The list again, the moved goal still open with the text typed (now saved), below the other.
    assert "Skrevet rett før flyttingen.</textarea>" in body
    assert body.index(f'id="goal-{other.pk}"') < body.index(f'id="goal-{goal.pk}"')
    goal.refresh_from_db()
    other.refresh_from_db()
    assert goal.text == "Skrevet rett før flyttingen." and goal.order > other.order


def test_a_move_whose_save_is_refused_keeps_the_goal_and_the_text(world: World) -> None:
    ch = chain(world.pupil_a, goals=2, iop_status=Iop.Status.DRAFT)
    goal, other = ch.goals
    data = {**_closing(goal, text="Ikke lagret ennå", competence_aim="x" * 501), "direction": "down"}
    del data["close"]
    response = world.client("teacher").post(reverse("iop:goal_move", args=[goal.pk]), data, **HTMX)
    body = response.content.decode()
    assert (response["HX-Retarget"], response["HX-Reswap"]) == (f"#goal-{goal.pk}", "innerHTML")
    assert "Målet er ikke flyttet" in body and "Ikke lagret ennå</textarea>" in body
    assert "disabled" in _move_buttons(body)[0] and "disabled" not in _move_buttons(body)[1]  # the first of two
    goal.refresh_from_db()
    other.refresh_from_db()
    assert goal.text != "Ikke lagret ennå" and goal.order < other.order


def test_an_autosave_renames_the_editors_buttons_after_the_goal_as_it_now_reads(world: World) -> None:
    """A screen reader hears "Close: Anna leser …", not the name the goal had when the editor opened."""
    ch = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT)
    [goal] = ch.goals
    data = {k: v for k, v in _closing(goal, text="Anna leser 90 ord i minuttet.").items() if k != "close"}
    form = world.client("teacher").get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()
    assert form.count(f'class="visually-hidden goal-name-{goal.pk}"') >= 4
    body = world.client("teacher").post(reverse("iop:goal_update", args=[goal.pk]), data, **HTMX).content.decode()
    [renamed] = re.findall(rf'<span hx-swap-oob="innerHTML:\.goal-name-{goal.pk}">([^<]*)</span>', body)
    assert "Anna leser 90 ord i minuttet" in renamed


def test_the_goal_editor_on_a_page_of_its_own_stands_in_the_goals_place(world: World) -> None:
    """The answers of its saves (a conflict box, the closed goal) go to ``#goal-<pk>``: it is on the page."""
    [goal] = chain(world.pupil_a, goals=1, iop_status=Iop.Status.DRAFT).goals
    page = world.client("teacher").get(reverse("iop:goal_editor", args=[goal.pk])).content.decode()
    assert f'<div id="goal-{goal.pk}">' in page and f'name="{goal.pk}-text"' in page
