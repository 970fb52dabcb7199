"""Optimistic concurrency: no edit silently overwrites another."""

from __future__ import annotations

import threading

from django.db import connection
from django.test import Client
from django.urls import reverse

from iop.models import Goal
from tests.conftest import LOGIN_BACKEND, World
from tests.iop.factories import chain

CONFLICT = "mens du redigerte"  # Norwegian conflict message


def goal_data(goal: Goal, version: int, text: str) -> dict[str, object]:
    return {f"{goal.pk}-version": version, f"{goal.pk}-text": text}


def test_a_stale_save_is_refused_showing_both_texts(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    assert teacher.post(url, goal_data(goal, 1, "Lærerens tekst"), HTTP_HX_REQUEST="true").status_code == 200
    response = coordinator.post(url, goal_data(goal, 1, "Koordinatorens tekst"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == f"#goal-{goal.pk}"
    assert CONFLICT in body and "Tone Lærer" in body
    assert "Lærerens tekst" in body and "Koordinatorens tekst" in body  # theirs shown, mine kept
    assert 'value="2"' in body  # the form moves to the current version: a deliberate save goes through
    goal.refresh_from_db()
    assert goal.text == "Lærerens tekst" and goal.version == 2
    # Without htmx: a 409 page with the same form.
    response = coordinator.post(url, goal_data(goal, 1, "Koordinatorens tekst"))
    assert response.status_code == 409 and "Koordinatorens tekst" in response.content.decode()
    # Saving again from the version shown wins, deliberately.
    assert coordinator.post(url, goal_data(goal, 2, "Sammenslått"), HTTP_HX_REQUEST="true").status_code == 200
    goal.refresh_from_db()
    assert goal.text == "Sammenslått" and goal.version == 3


def test_section_and_plan_edits_are_versioned_too(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    section = ch.sections[0]
    url = reverse("iop:section_update", args=[section.pk])
    data = {f"{section.pk}-version": 1, f"{section.pk}-content": "A"}
    assert world.client("teacher").post(url, data).status_code == 302
    assert world.client("coordinator").post(url, {**data, f"{section.pk}-content": "B"}).status_code == 409
    url = reverse("iop:iop_update", args=[ch.iop.pk])
    data = {"version": 1, "period_start": ch.iop.period_start, "period_end": ch.iop.period_end}
    assert world.client("teacher").post(url, data).status_code == 302
    assert world.client("coordinator").post(url, data).status_code == 409


def test_racing_saves_lose_no_edit(transactional_world: World) -> None:
    """Two teachers save the same goal from the same version at the same
    moment, again and again: each round exactly one wins and the other is
    told, and the winner's text is what is stored."""
    world = transactional_world
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    url = reverse("iop:goal_update", args=[goal.pk])
    clients = {}
    for persona in ("teacher", "coordinator"):
        client = Client()
        client.force_login(world.user(persona), backend=LOGIN_BACKEND)
        clients[persona] = client
    for round_number in range(8):
        goal.refresh_from_db()
        version = goal.version
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def save(
            persona: str,
            version: int = version,
            round_number: int = round_number,
            barrier: threading.Barrier = barrier,
            results: dict[str, str] = results,
        ) -> None:
            try:
                barrier.wait()
                response = clients[persona].post(
                    url, goal_data(goal, version, f"{persona} {round_number}"), HTTP_HX_REQUEST="true"
                )
                body = response.content.decode()
                results[persona] = "conflict" if CONFLICT in body else "saved" if "hx-swap-oob" in body else body
            finally:
                connection.close()

        threads = [threading.Thread(target=save, args=(p,)) for p in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results.values()) == ["conflict", "saved"], results
        winner = next(p for p, r in results.items() if r == "saved")
        goal.refresh_from_db()
        assert goal.text == f"{winner} {round_number}" and goal.version == version + 1
    assert Goal.history.filter(id=goal.pk, history_type="~").count() == 8
