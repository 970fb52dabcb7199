"""A decided åtgärdsprogram's follow-up and evaluation dates become deadlines."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from followup import deadlines
from followup.models import Deadline
from followup.selectors import deadline_link
from iop.atgardsprogram import services
from iop.atgardsprogram.models import AtgardsprogramUtvardering
from students.models import SchoolYear
from tests.atgardsprogram.factories import decided, draft, sweden

pytestmark = pytest.mark.django_db


def test_the_follow_up_and_evaluation_dates_are_deadlines_until_evaluated() -> None:
    s = sweden()  # the Swedish årshjul carries the programme's duties
    year = SchoolYear.objects.get(school=s.school)
    waiting = draft(s)  # a draft asks only for the rektor's decision
    programme = decided(s)
    deadlines.deadlines_generate(school_year=year)
    asked = Deadline.objects.filter(record_kind="atgardsprogram", record_id=str(waiting.pk))
    assert [(d.duty.key, d.state) for d in asked] == [("atgardsprogram-beslut", Deadline.State.OPEN)]
    found = {d.duty.key: d for d in Deadline.objects.filter(record_kind="atgardsprogram", record_id=str(programme.pk))}
    assert found.pop("atgardsprogram-beslut").state == Deadline.State.DONE
    assert set(found) == {"atgardsprogram-uppfoljning", "atgardsprogram-utvardering"}
    assert found["atgardsprogram-uppfoljning"].due == programme.follow_up_on
    assert found["atgardsprogram-utvardering"].due == programme.evaluate_on
    assert all(d.state == Deadline.State.OPEN and d.pupil_id == s.pupil.pk for d in found.values())
    assert found["atgardsprogram-utvardering"].responsible_id == s.rektor.pk
    assert deadline_link(found["atgardsprogram-utvardering"]) == f"/stod/beslut/{programme.pk}/"

    # Evaluated and continued: the next dates are the deadlines, open again.
    today = timezone.localdate()
    services.atgardsprogram_evaluate(
        actor=s.mentor,
        programme=programme,
        date=today,
        text="Bra.",
        outcome=AtgardsprogramUtvardering.Outcome.CONTINUE,
        next_evaluation=today + datetime.timedelta(days=150),
        next_follow_up=today + datetime.timedelta(days=60),
    )
    deadlines.deadlines_generate(school_year=year)
    found = {d.duty.key: d for d in Deadline.objects.filter(record_kind="atgardsprogram", record_id=str(programme.pk))}
    del found["atgardsprogram-beslut"]  # decided
    assert found["atgardsprogram-utvardering"].due == today + datetime.timedelta(days=150)
    assert found["atgardsprogram-uppfoljning"].due == today + datetime.timedelta(days=60)
    assert all(d.state == Deadline.State.OPEN for d in found.values())

    # Evaluated and ended: nothing is due any more.
    services.atgardsprogram_evaluate(
        actor=s.rektor,  # ending it is the rektor's decision
        programme=programme,
        date=today,
        text="Målen nådda.",
        outcome=AtgardsprogramUtvardering.Outcome.END,
    )
    deadlines.deadlines_generate(school_year=year)
    states = set(Deadline.objects.filter(record_id=str(programme.pk)).values_list("state", flat=True))
    assert states == {Deadline.State.DONE}


def test_a_started_investigation_is_the_rektors_deadline_until_concluded(
    django_capture_on_commit_callbacks: object,
) -> None:
    """The mentor starts an investigation of särskilt stöd: the rektor, who
    sees to it that it is done promptly (skollagen 3 kap. 7 §), has it as a
    task due four weeks after it started, and is told at once; concluding it
    closes the task."""
    from followup.models import Notification
    from iop.atgardsprogram.models import Atgardsprogram, Utredning
    from tests.atgardsprogram.factories import MEASURES, PROGRAMME, utredning

    s = sweden()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        u = utredning(s, needs=None)
    task = Deadline.objects.get(record_kind="utredning", record_id=str(u.pk))
    assert task.duty.key == "utredning-sarskilt-stod" and task.state == Deadline.State.OPEN
    assert task.responsible_id == s.rektor.pk and task.due >= u.started_on + datetime.timedelta(days=28)
    assert deadline_link(task) == f"/stod/utredning/{u.pk}/"
    told = Notification.objects.filter(deadline=task, kind=Notification.Kind.TASK)
    assert list(told.values_list("recipient_id", flat=True)) == [s.rektor.pk]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.utredning_conclude(
            actor=s.mentor, utredning=Utredning.objects.get(pk=u.pk), needs_support=True,
            concluded_on=timezone.localdate(),
        )  # fmt: skip
    task.refresh_from_db()
    assert task.state == Deadline.State.DONE
    # Concluded: a draft decision is due (3 kap. 9 §), the mentor's, told at once, until one is written.
    draft_due = Deadline.objects.get(record_kind="utredning", record_id=str(u.pk), duty__key="utkast-efter-utredning")
    assert draft_due.state == Deadline.State.OPEN and draft_due.responsible_id == s.mentor.pk
    told = Notification.objects.filter(deadline=draft_due, kind=Notification.Kind.TASK)
    assert s.mentor.pk in set(told.values_list("recipient_id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        waiting = services.atgardsprogram_create(
            actor=s.mentor,
            utredning=Utredning.objects.get(pk=u.pk),
            kind=Atgardsprogram.Kind.UPPRATTA,
            data=PROGRAMME,
            measures=MEASURES,
        )
    draft_due.refresh_from_db()
    assert waiting.utredning_id == u.pk and draft_due.state == Deadline.State.DONE


def test_an_evaluation_that_changes_the_programme_does_not_count_as_its_follow_up() -> None:
    """Changed, the programme is in force until the new one is decided: its follow-up is still due; the
    new decision replaces it, and the old follow-up no longer applies. The evaluation is met."""
    start = datetime.datetime(2026, 10, 5, 10, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        s = sweden()
        year = SchoolYear.objects.get(school=s.school)
        programme = decided(s)  # followed up in 30 days, evaluated in 90
        deadlines.deadlines_generate(school_year=year)

    def states() -> dict[str, str]:
        rows = Deadline.objects.filter(record_kind="atgardsprogram", record_id=str(programme.pk))
        return {d.duty.key: d.state for d in rows if d.duty.key != "atgardsprogram-beslut"}

    assert states() == {"atgardsprogram-uppfoljning": "open", "atgardsprogram-utvardering": "open"}
    with time_machine.travel(start + datetime.timedelta(days=40), tick=False):
        today = timezone.localdate()
        _, new = services.atgardsprogram_evaluate(
            actor=s.mentor,
            programme=programme,
            date=today,
            text="Åtgärderna behöver ändras.",
            outcome=AtgardsprogramUtvardering.Outcome.CHANGE,
        )
        deadlines.deadlines_generate(school_year=year)
        assert states() == {"atgardsprogram-uppfoljning": "open", "atgardsprogram-utvardering": "done"}

        assert new is not None
        new = services.atgardsprogram_update(
            actor=s.mentor,
            programme=new,
            data={
                "follow_up_on": today + datetime.timedelta(days=30),
                "evaluate_on": today + datetime.timedelta(days=90),
                "pupil_took_part": True,
                "guardians_took_part": True,
            },
        )
        services.atgardsprogram_decide(actor=s.rektor, programme=new)
        deadlines.deadlines_generate(school_year=year)
    assert states() == {"atgardsprogram-uppfoljning": "cancelled", "atgardsprogram-utvardering": "done"}
