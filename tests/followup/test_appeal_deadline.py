"""Appeals as deadlines (forvaltningsloven §§ 29 and 33): an appeal received
gives the school owner's review a deadline three weeks on, shown on the
coordinator's deadline page and the pupil's follow-up page; recording that
the appeal was sent to Statsforvalteren (or settled) closes it. The appeal
period after notification is shown for information. Each rule fires and
stays quiet."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from followup import deadlines
from followup.models import Deadline, Notification
from followup.selectors import deadline_link
from iop import services as iop_services
from iop.models import Appeal, Enkeltvedtak
from tests.followup.conftest import YearSchool
from tests.iop.factories import VedtakFactory, VurderingFactory

D = datetime.date
KEY = "klage-skoleeier"


def at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day}T09:00:00+01:00", tick=False)


def review(pupil_id: object, state: str = Deadline.State.OPEN) -> Deadline | None:
    return Deadline.objects.filter(pupil_id=pupil_id, duty__key=KEY, state=state).select_related("responsible").first()


def made_vedtak(vgs: YearSchool, *, notified: D | None = None) -> Enkeltvedtak:
    sv = VurderingFactory(pupil=vgs.pupils[0])
    return VedtakFactory(vurdering=sv, made_on=D(2026, 9, 1), notified_on=notified)


def register(vgs: YearSchool, vedtak: Enkeltvedtak, received: D, capture) -> Appeal:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return iop_services.appeal_create(
            actor=vgs.coordinator,
            vedtak=vedtak,
            data={"received_on": received, "appellant": "Foreldrene", "summary": "Vil ha mer tid i liten gruppe."},
        )


def test_an_appeal_received_gives_the_school_owner_three_weeks_to_review_it(
    vgs: YearSchool, django_capture_on_commit_callbacks
) -> None:
    with at("2026-09-10"):
        vedtak = made_vedtak(vgs, notified=D(2026, 9, 2))
        deadlines.deadlines_generate(school_year=vgs.year)
        assert review(vgs.pupils[0].pk) is None  # no appeal, no deadline
        appeal = register(vgs, vedtak, D(2026, 9, 10), django_capture_on_commit_callbacks)
    due = review(vgs.pupils[0].pk)
    assert due is not None
    assert due.due == D(2026, 10, 1)  # 21 days after it was received
    assert due.responsible == vgs.rektor
    assert deadline_link(due) == reverse("iop:appeal_edit", args=[appeal.pk])
    told = set(
        Notification.objects.filter(deadline=due, kind=Notification.Kind.TASK).values_list("recipient", flat=True)
    )
    assert {vgs.rektor.pk, vgs.coordinator.pk} <= told

    client = Client()
    client.force_login(vgs.coordinator)
    with at("2026-09-11"):
        board = client.get(reverse("followup:dashboard")).content.decode()
        page = client.get(reverse("followup:pupil", args=[vgs.pupils[0].pk])).content.decode()
    assert "Klage på enkeltvedtak: skoleeiers behandling" in board
    assert "Klage på enkeltvedtak: skoleeiers behandling" in page
    assert reverse("iop:appeal_edit", args=[appeal.pk]) in page
    rektor = Client()
    rektor.force_login(vgs.rektor)
    with at("2026-09-11"):
        home = rektor.get(reverse("home")).content.decode()
    assert "Klage på enkeltvedtak: skoleeiers behandling" in home  # among the rektor's next tasks

    # The school owner upholds the decision and sends the appeal on: the deadline closes.
    with at("2026-09-25"), django_capture_on_commit_callbacks(execute=True):
        iop_services.appeal_update(
            actor=vgs.coordinator,
            appeal=appeal,
            version=appeal.version,
            data={"owner_reviewed_on": D(2026, 9, 24), "owner_outcome": "upheld", "sent_on": D(2026, 9, 25)},
        )
    assert review(vgs.pupils[0].pk) is None
    assert review(vgs.pupils[0].pk, Deadline.State.DONE) is not None


def test_a_review_without_sending_on_keeps_the_deadline_open(
    vgs: YearSchool, django_capture_on_commit_callbacks
) -> None:
    with at("2026-09-10"):
        vedtak = made_vedtak(vgs, notified=D(2026, 9, 2))
        appeal = register(vgs, vedtak, D(2026, 9, 10), django_capture_on_commit_callbacks)
    with at("2026-09-20"), django_capture_on_commit_callbacks(execute=True):
        iop_services.appeal_update(
            actor=vgs.coordinator,
            appeal=appeal,
            version=appeal.version,
            data={"owner_reviewed_on": D(2026, 9, 20), "owner_outcome": "upheld"},
        )
    assert review(vgs.pupils[0].pk) is not None  # reviewed, upheld, but not yet sent to Statsforvalteren


@pytest.mark.parametrize("outcome", [Appeal.Outcome.CHANGED, Appeal.Outcome.WITHDRAWN, Appeal.Outcome.REJECTED])
def test_an_appeal_the_school_owner_settles_or_dismisses_closes_the_deadline(
    vgs: YearSchool, django_capture_on_commit_callbacks, outcome: str
) -> None:
    with at("2026-09-10"):
        vedtak = made_vedtak(vgs, notified=D(2026, 9, 2))
        appeal = register(vgs, vedtak, D(2026, 9, 10), django_capture_on_commit_callbacks)
    with at("2026-09-20"), django_capture_on_commit_callbacks(execute=True):
        iop_services.appeal_update(
            actor=vgs.coordinator,
            appeal=appeal,
            version=appeal.version,
            data={"owner_reviewed_on": D(2026, 9, 20), "owner_outcome": outcome},
        )
    assert review(vgs.pupils[0].pk) is None
    assert review(vgs.pupils[0].pk, Deadline.State.DONE) is not None


def test_an_appeal_registered_with_its_outcome_asks_for_nothing(vgs: YearSchool) -> None:
    with at("2026-09-30"):
        vedtak = made_vedtak(vgs, notified=D(2026, 9, 2))
        Appeal.objects.create(
            vedtak=vedtak,
            received_on=D(2026, 9, 10),
            appellant="Foreldrene",
            sent_on=D(2026, 9, 20),
            final_outcome=Appeal.Outcome.UPHELD,
            final_outcome_on=D(2026, 9, 29),
        )
        deadlines.deadlines_generate(school_year=vgs.year)
    assert review(vgs.pupils[0].pk) is None


def test_the_appeal_period_is_shown_for_information_while_it_runs(vgs: YearSchool) -> None:
    with at("2026-09-10"):
        made_vedtak(vgs, notified=D(2026, 9, 2))
    client = Client()
    client.force_login(vgs.coordinator)
    url = reverse("followup:pupil", args=[vgs.pupils[0].pk])
    with at("2026-09-23"):
        running = client.get(url).content.decode()
    with at("2026-09-24"):
        over = client.get(url).content.decode()
    assert "data-appeal-period" in running and "23. sep 2026" in running
    assert "data-appeal-period" not in over


def test_no_appeal_period_before_the_parties_are_notified(vgs: YearSchool) -> None:
    with at("2026-09-10"):
        made_vedtak(vgs)
    client = Client()
    client.force_login(vgs.coordinator)
    with at("2026-09-11"):
        page = client.get(reverse("followup:pupil", args=[vgs.pupils[0].pk])).content.decode()
    assert "data-appeal-period" not in page
