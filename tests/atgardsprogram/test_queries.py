"""The support chain's pages run a fixed number of queries, however many
adaptations, investigations, decisions and measures the pupil has."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from iop.atgardsprogram import services
from iop.atgardsprogram.models import ExtraAnpassningUppfoljning
from tests.atgardsprogram.factories import Sweden, anpassning, decided, sweden
from tests.queries import assert_same_queries, page_queries

pytestmark = pytest.mark.django_db
BUDGET = 20


def _pages(s: Sweden, programme_id: object, utredning_id: object) -> list:
    staff = s.client("mentor")
    guardian = s.client("guardian")
    return [
        page_queries(staff, reverse("atgardsprogram:support", args=[s.pupil.pk]), warm=True),
        page_queries(guardian, reverse("atgardsprogram:support", args=[s.pupil.pk]), warm=True),
        page_queries(staff, reverse("atgardsprogram:programme", args=[programme_id]), warm=True),
        page_queries(guardian, reverse("atgardsprogram:programme", args=[programme_id]), warm=True),
        page_queries(staff, reverse("atgardsprogram:utredning", args=[utredning_id]), warm=True),
        page_queries(staff, reverse("pupil_detail", args=[s.pupil.pk]), warm=True),
        page_queries(guardian, reverse("pupil_detail", args=[s.pupil.pk]), warm=True),
    ]


def _more(s: Sweden, programme: object, n: int) -> None:
    for _ in range(n):
        a = anpassning(s)
        services.anpassning_follow_up(
            actor=s.mentor,
            anpassning=a,
            date=a.start_date,
            effect="Slut.",
            outcome=ExtraAnpassningUppfoljning.Outcome.END,
        )
        latest = decided(s)  # ends the programme before it: the pupil has one in force
    services.overklagande_create(
        actor=s.rektor, programme=programme, data={"received_on": programme.decided_on, "received_from": "VH"}
    )
    services.atgardsprogram_evaluate(
        actor=s.mentor,
        programme=latest,
        date=latest.decided_on,
        text="Bra.",
        outcome="continue",
        next_evaluation=latest.decided_on + datetime.timedelta(days=90),
    )


def test_the_pages_run_a_fixed_number_of_queries() -> None:
    s = sweden()
    programme = decided(s)
    utredning = programme.utredning
    small = _pages(s, programme.pk, utredning.pk)
    _more(s, programme, 3)
    large = _pages(s, programme.pk, utredning.pk)
    _more(s, programme, 1)
    assert_same_queries(large, _pages(s, programme.pk, utredning.pk), at_most=BUDGET)
    assert all(len(q) <= BUDGET for q in small)
