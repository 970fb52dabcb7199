"""The årshjul's date rules across a whole school year, with frozen time."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from followup import deadlines, schedule, services
from followup.models import Deadline, Duty, Notification, Talk
from followup.reminders import sweep_deadlines
from iop.models import Iup
from students.models import SchoolYear
from tests.followup.conftest import END, START, YearSchool

D = datetime.date
OSLO = "+01:00"


def at(day: str, clock: str = "09:00") -> time_machine.travel:
    return time_machine.travel(f"{day}T{clock}:00{OSLO}", tick=False)


def by_key(year: SchoolYear) -> dict[str, list[Deadline]]:
    out: dict[str, list[Deadline]] = {}
    for d in Deadline.objects.filter(school_year=year).select_related("duty"):
        out.setdefault(d.duty.key if d.duty else "", []).append(d)
    return out


# --- pure rules ------------------------------------------------------------------------


def test_it_moves_weekends_to_monday() -> None:
    assert schedule.move_weekend_to_monday(D(2026, 11, 14)) == D(2026, 11, 16)  # Saturday
    assert schedule.move_weekend_to_monday(D(2026, 11, 15)) == D(2026, 11, 16)  # Sunday
    assert schedule.move_weekend_to_monday(D(2026, 11, 16)) == D(2026, 11, 16)


def test_it_places_fixed_dates_in_the_right_calendar_year() -> None:
    rule = schedule.Rule(anchor="fixed", month=11, day=15, weekend_to_monday=False)
    assert schedule.due_date(rule, start=START, end=END) == D(2026, 11, 15)
    rule = schedule.Rule(anchor="fixed", month=2, day=1, weekend_to_monday=False)
    assert schedule.due_date(rule, start=START, end=END) == D(2027, 2, 1)
    leap = schedule.Rule(anchor="fixed", month=2, day=29, weekend_to_monday=False)
    assert schedule.due_date(leap, start=START, end=END) == D(2027, 2, 28)


def test_it_keeps_a_hard_external_deadline_on_the_weekend() -> None:
    rule = schedule.Rule(anchor="fixed", month=9, day=15, weekend_to_monday=False)
    assert schedule.due_date(rule, start=D(2029, 8, 15), end=D(2030, 6, 20)) == D(2029, 9, 15)  # a Saturday


def test_it_counts_relative_to_start_end_and_record() -> None:
    assert schedule.due_date(schedule.Rule("start", offset_days=21), start=START, end=END) == D(2026, 9, 7)
    assert schedule.due_date(schedule.Rule("end", offset_days=7), start=START, end=END) == D(2027, 6, 11)
    rule = schedule.Rule("record", offset_days=30)
    assert schedule.due_date(rule, start=START, end=END, record_date=D(2026, 10, 1)) == D(2026, 11, 2)  # Sat→Mon
    assert schedule.due_date(rule, start=START, end=END) is None


def test_it_sends_only_the_latest_reminder_reached() -> None:
    stages = schedule.reminder_stages(D(2026, 9, 7), [7, 1])
    assert [s.kind for s in stages] == ["before", "before", "on_day", "overdue"]
    late = datetime.datetime(2026, 9, 6, 12, tzinfo=datetime.UTC)
    stage = schedule.due_stage(stages, None, late)
    assert stage is not None and (stage.kind, stage.days_before) == ("before", 1)


# --- generation from the Trøndelag årshjul -------------------------------------------------------


def test_it_generates_the_trondelag_year_for_an_upper_secondary_school(vgs: YearSchool) -> None:
    with at("2026-08-01"):
        result = deadlines.deadlines_generate(school_year=vgs.year)
    keys = by_key(vgs.year)
    assert result.created == sum(len(v) for v in keys.values())
    # Three weeks after start, for every pupil, with their kontaktlærer responsible.
    start_talks = keys["oppstartsamtale"]
    assert len(start_talks) == 3
    assert {d.due for d in start_talks} == {D(2026, 9, 7)}
    assert {d.responsible for d in start_talks} == {vgs.teacher}
    # MV1 on Sunday 15 Nov moves to Monday; the privatist deadline stays put.
    assert keys["mv1"][0].due == D(2026, 11, 16)
    assert keys["privatist-host"][0].due == D(2026, 9, 15)
    # Two days before a Monday start is a Saturday → Monday.
    assert keys["informere-kontaktlaerer"][0].due == D(2026, 8, 17)
    assert keys["informere-kontaktlaerer"][0].group == vgs.group
    assert keys["vigo-1-februar"][0].due == D(2027, 2, 1)
    assert keys["vedtak-var"][0].responsible == vgs.rektor
    assert keys["risikoelever-for-skolestart"][0].responsible == vgs.coordinator


def test_it_uses_the_primary_set_for_other_schools(grunnskole: YearSchool) -> None:
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=grunnskole.year)
    keys = by_key(grunnskole.year)
    assert "mv1" not in keys
    assert len(keys["utviklingssamtale-host"]) == 3
    assert len(keys["mentorsamtale"]) == 3  # year 9 is in 8–10
    assert "kartlegging-1-3" not in keys  # only years 1–3


def test_it_is_idempotent_and_follows_template_changes(vgs: YearSchool) -> None:
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=vgs.year)
        count = Deadline.objects.count()
        again = deadlines.deadlines_generate(school_year=vgs.year)
        assert (again.created, again.updated, again.cancelled) == (0, 0, 0)
        assert Deadline.objects.count() == count
        # The school moves MV1 and switches the OT duty off.
        services.duty_save(actor=vgs.coordinator, school=vgs.school, key="mv1", month=11, day=20)
        services.duty_save(actor=vgs.coordinator, school=vgs.school, key="melde-ot", active=False)
        deadlines.deadlines_generate(school_year=vgs.year)
    keys = by_key(vgs.year)
    assert keys["mv1"][0].due == D(2026, 11, 20)
    assert Deadline.objects.get(key__endswith=f":melde-ot:g:{vgs.group.pk}").state == Deadline.State.CANCELLED
    assert Deadline.objects.count() == count
    with at("2026-08-02"):
        services.duty_reset(actor=vgs.coordinator, school=vgs.school, key="melde-ot")
        deadlines.deadlines_generate(school_year=vgs.year)
    assert Deadline.objects.get(key__endswith=f":melde-ot:g:{vgs.group.pk}").state == Deadline.State.OPEN


def test_a_held_talk_fulfils_its_duty(vgs: YearSchool) -> None:
    pupil = vgs.pupils[0]
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=vgs.year)
    with at("2026-09-01"):
        talk = services.talk_save(
            actor=vgs.teacher,
            pupil=pupil,
            kind=Talk.Kind.OPPSTARTSAMTALE,
            status=Talk.Status.PLANNED,
            date=D(2026, 9, 3),
        )
        d = Deadline.objects.get(pupil=pupil, duty__key="oppstartsamtale")
        assert d.state == Deadline.State.OPEN  # planned is not held
    with at("2026-09-03", "15:00"):
        services.talk_save(actor=vgs.teacher, pupil=pupil, talk=talk, status=Talk.Status.HELD)
    d.refresh_from_db()
    assert d.state == Deadline.State.DONE and d.done_automatically
    assert Deadline.objects.filter(duty__key="oppstartsamtale", state=Deadline.State.OPEN).count() == 2


def test_an_iups_talk_date_fulfils_the_development_talk_of_its_term(grunnskole: YearSchool) -> None:
    held, coming, draft = grunnskole.pupils
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=grunnskole.year)
    with at("2026-10-20"):
        for pupil, day, status in (
            (held, D(2026, 10, 15), Iup.Status.PUBLISHED),
            (coming, D(2026, 11, 5), Iup.Status.PUBLISHED),
            (draft, D(2026, 10, 15), Iup.Status.DRAFT),
        ):
            published = timezone.now() if status == Iup.Status.PUBLISHED else None
            Iup.objects.create(
                pupil=pupil, school_year=grunnskole.year, status=status, talk_date=day, published_at=published
            )
        deadlines.deadlines_generate(school_year=grunnskole.year)
    state = {
        (d.pupil_id, d.duty.key): (d.state, d.done_automatically)  # type: ignore[union-attr]
        for d in Deadline.objects.filter(duty__key__startswith="utviklingssamtale").select_related("duty")
    }
    assert state[(held.pk, "utviklingssamtale-host")] == (Deadline.State.DONE, True)
    assert state[(held.pk, "utviklingssamtale-var")][0] == Deadline.State.OPEN, "one talk fulfils one term"
    assert state[(coming.pk, "utviklingssamtale-host")][0] == Deadline.State.OPEN, "not held yet"
    assert state[(draft.pk, "utviklingssamtale-host")][0] == Deadline.State.OPEN, "a draft's date is still a plan"


def test_tiltak_evaluation_dates_become_deadlines_and_evaluating_fulfils_them(vgs: YearSchool) -> None:
    pupil = vgs.pupils[1]
    with at("2026-09-10"):
        deadlines.deadlines_generate(school_year=vgs.year)
        tiltak = services.tiltak_create(
            actor=vgs.teacher,
            pupil=pupil,
            challenge="Lesing",
            description="Lesekurs",
            organisation="group",
            collaboration="school",
            start=D(2026, 9, 10),
            end=D(2026, 12, 20),
            responsibilities="Kontaktlærer leder kurset",
            responsible=vgs.faglaerer,
            evaluation_date=D(2026, 10, 24),  # a Saturday
        )
    first = Deadline.objects.get(pupil=pupil, duty__key="tiltak-evaluering")
    assert first.due == D(2026, 10, 26) and first.responsible == vgs.faglaerer
    with at("2026-10-26"):
        services.tiltak_evaluate(
            actor=vgs.teacher,
            tiltak=tiltak,
            date=D(2026, 10, 26),
            outcome="continued",
            effect="Bedre flyt",
            next_evaluation_date=D(2026, 12, 1),
        )
    first.refresh_from_db()
    assert first.state == Deadline.State.DONE
    second = Deadline.objects.get(pupil=pupil, duty__key="tiltak-evaluering", state=Deadline.State.OPEN)
    assert second.due == D(2026, 12, 1)
    with at("2026-12-01"):
        services.tiltak_evaluate(actor=vgs.teacher, tiltak=tiltak, date=D(2026, 12, 1), outcome="ended", effect="Nådd")
    assert not Deadline.objects.filter(pupil=pupil, duty__key="tiltak-evaluering", state=Deadline.State.OPEN).exists()


def test_reminders_follow_the_year(vgs: YearSchool) -> None:
    """7 days before, the day before, on the day, then escalation to the coordinator."""
    with at("2026-08-01"):
        deadlines.deadlines_generate(school_year=vgs.year)
    Deadline.objects.exclude(duty__key="oppstartsamtale").delete()
    pupil = vgs.pupils[0]
    seen: list[tuple[str, int, str]] = []
    for day in ("2026-08-31", "2026-09-06", "2026-09-07", "2026-09-08", "2026-09-20"):
        with at(day, "08:00"):
            sweep_deadlines()
            sweep_deadlines()  # a second beat finds nothing more
    for n in Notification.objects.filter(deadline__pupil=pupil).order_by("send_after", "recipient__email"):
        seen.append((n.kind, n.days_before, n.recipient.email))
    teacher, coordinator = vgs.teacher.email, vgs.coordinator.email
    assert seen == [
        ("before", 7, teacher),
        ("before", 1, teacher),
        ("on_day", 0, teacher),
        *sorted([("overdue", -1, coordinator), ("overdue", -1, teacher)], key=lambda r: r[2]),
    ]
    assert Notification.objects.count() == 3 * 5
    assert not Deadline.objects.filter(next_reminder_at__isnull=False).exists()


def test_it_needs_a_school_year_for_a_talk(vgs: YearSchool) -> None:
    from django.core.exceptions import ValidationError

    with at("2026-08-01"), pytest.raises(ValidationError):
        services.talk_save(
            actor=vgs.teacher, pupil=vgs.pupils[0], kind="elevsamtale", status="planned", date=D(2030, 1, 1)
        )


def test_duty_rules_are_validated() -> None:
    from django.core.exceptions import ValidationError

    duty = Duty(
        key="x",
        title="x",
        responsible_role="koordinator",
        applies_to="school",
        anchor="fixed",
        month=2,
        day=31,
        reminder_days="7, sju",
    )
    with pytest.raises(ValidationError) as err:
        duty.clean()
    assert {"day", "reminder_days"} <= set(err.value.message_dict)
