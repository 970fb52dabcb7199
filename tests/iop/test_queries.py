"""The IOP page and the pupil page run a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iop.models import Goal
from tests.conftest import World
from tests.iop.factories import add_goals, aim, chain


def count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def test_the_iop_and_pupil_pages_run_a_fixed_number_of_queries(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    small = chain(world.pupil_a, goals=5, logs_per_goal=2)
    large = chain(world.pupil_b, goals=40, logs_per_goal=10, subjects=(("Matematikk", 76), ("Norsk", 38)))
    assert large.iop is not None and small.iop is not None
    add_goals(large.iop, None, 10, logs_per_goal=10)  # 50 goals, 500 log entries
    replaced = aim("KM9001", status="expired", replaced_by=aim("KM9002"))
    through = Goal.competence_aims.through
    through.objects.bulk_create(  # two aims on every goal, one of them expired
        [
            through(goal_id=goal.pk, competenceaim_id=a.pk)
            for goal in Goal.objects.filter(iop__in=[small.iop, large.iop])
            for a in (replaced, aim("KM9003"))
        ]
    )
    coordinator = world.client("coordinator")
    pages = [
        (reverse("iop:iop_detail", args=[small.iop.pk]), reverse("iop:iop_detail", args=[large.iop.pk])),
        (
            reverse("iop:iop_detail", args=[small.iop.pk]) + "?visning=les",
            reverse("iop:iop_detail", args=[large.iop.pk]) + "?visning=les",
        ),
        (reverse("pupil_detail", args=[world.pupil_a.pk]), reverse("pupil_detail", args=[world.pupil_b.pk])),
        (reverse("iop:goal_detail", args=[small.goals[0].pk]), reverse("iop:goal_detail", args=[large.goals[0].pk])),
        (reverse("iop:overview"), reverse("iop:overview")),
    ]
    for small_url, large_url in pages:
        count(coordinator, small_url)  # warm the session
        expected = count(coordinator, small_url)
        assert expected <= 30, (small_url, expected)  # the pupil page hosts the sections of several apps
        with django_assert_num_queries(expected):
            coordinator.get(large_url)
    # Guardians' read view too.
    guardian_a, guardian_b = world.client("guardian_a"), world.client("guardian_b")
    for kind in ("iop:iop_detail",):
        count(guardian_a, reverse(kind, args=[small.iop.pk]))
        expected = count(guardian_a, reverse(kind, args=[small.iop.pk]))
        count(guardian_b, reverse(kind, args=[large.iop.pk]))
        with django_assert_num_queries(expected):
            guardian_b.get(reverse(kind, args=[large.iop.pk]))
    expected = count(guardian_a, reverse("pupil_detail", args=[world.pupil_a.pk]))
    with django_assert_num_queries(expected):
        guardian_b.get(reverse("pupil_detail", args=[world.pupil_b.pk]))
