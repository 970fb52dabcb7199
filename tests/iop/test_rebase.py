"""A newer vedtak re-bases the IOP: flagged with what changed, publishing
refused, and moved onto the new vedtak keeping its goals and logs."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from iop import checks, history, rebase, services
from iop.concurrency import EditConflict
from iop.models import (
    Enkeltvedtak,
    EnkeltvedtakSubject,
    GoalLog,
    Iop,
    IopSubject,
    IopVersion,
    Organisation,
    StaffCompetence,
)
from students import access
from tests.conftest import World
from tests.iop.factories import Chain, VedtakFactory, chain

MOMENT = datetime.datetime.fromisoformat("2027-01-15T10:00:00+01:00")
TODAY = MOMENT.date()


@pytest.fixture
def pinned() -> Iterator[None]:
    with time_machine.travel(MOMENT, tick=False):
        yield


def _plan(world: World) -> Chain:
    """Pupil A: a published IOP on a vedtak of Matematikk 76 and Norsk 38 årstimer, in class."""
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76), ("Norsk", 38)), goals=2, logs_per_goal=2)
    assert ch.iop is not None
    maths = ch.sections[0]
    maths.organisation = rebase.organisation_text(ch.vedtak.subjects.get(subject="Matematikk"))
    maths.save()
    return ch


def _newer(ch: Chain, lines: tuple[tuple[str, int | None, str], ...], **kwargs: object) -> Enkeltvedtak:
    """A vedtak made today on the same vurdering, with LINES (subject, hours, organisation)."""
    kwargs.setdefault("made_on", TODAY)
    vedtak = VedtakFactory(vurdering=ch.sv, **kwargs)
    for subject, hours, organisation in lines:
        EnkeltvedtakSubject.objects.create(
            vedtak=vedtak,
            subject=subject,
            hours=hours,
            organisation=organisation,
            staff_competence=StaffCompetence.SPECIAL_NEEDS_TEACHER
            if organisation == Organisation.SMALL_GROUP
            else StaffCompetence.TEACHER,
        )
    return vedtak


CUT = (("Matematikk", 40, Organisation.SMALL_GROUP), ("Engelsk", 19, Organisation.CLASS))


def _loaded(iop: Iop) -> Iop:
    return (
        Iop.objects.select_related("vedtak", "school_year")
        .prefetch_related("sections", "vedtak__subjects")
        .get(pk=iop.pk)
    )


def _teacher_iop(world: World, iop: Iop) -> Iop:
    iop = _loaded(iop)
    iop.pupil = access.get_pupil(world.user("teacher"), world.pupil_a.pk)
    return iop


def test_a_newer_vedtak_is_flagged_with_what_changed(pinned: None, world: World) -> None:
    ch = _plan(world)
    assert ch.iop is not None
    newer = _newer(ch, CUT)

    assert rebase.newer_vedtak(_loaded(ch.iop)) == newer
    kinds = {(c.kind, c.subject) for c in rebase.changes(ch.vedtak, newer)}
    assert kinds == {
        ("hours", "Matematikk"),
        ("organisation", "Matematikk"),
        ("competence", "Matematikk"),
        ("added", "Engelsk"),
        ("removed", "Norsk"),
    }
    hours = next(c for c in rebase.changes(ch.vedtak, newer) if c.kind == "hours")
    assert (hours.old, hours.new) == ("76", "40")

    response = world.client("teacher").get(reverse("iop:iop_detail", args=[ch.iop.pk]))
    assert response.status_code == 200
    page = response.context["page"]
    assert page.newer_vedtak == newer
    flag = next(f for f in page.flags if f.code == "iop_newer_vedtak")
    assert flag.blocks_publishing
    assert "76 → 40" in flag.message
    html = response.content.decode()
    assert 'id="newer-vedtak"' in html
    assert reverse("iop:iop_move_to_vedtak", args=[ch.iop.pk]) in html
    # Said once: in its own section, not again in the checklist.
    assert html.count("76 → 40") == 1 and html.count("Et nyere vedtak ble fattet") == 1
    assert html.count('data-flag="iop_newer_vedtak"') == 1


def test_publishing_on_the_old_vedtak_is_refused_until_the_iop_is_moved(pinned: None, world: World) -> None:
    ch = _plan(world)
    assert ch.iop is not None
    newer = _newer(ch, CUT)
    teacher = world.user("teacher")
    client = world.client("teacher")
    IopSubject.objects.filter(pk=ch.sections[1].pk).update(content="Endret innhold")

    with pytest.raises(ValidationError) as refused:
        services.iop_publish(actor=teacher, iop=_teacher_iop(world, ch.iop), version=ch.iop.version)
    assert any("Et nyere vedtak ble fattet" in message for message in refused.value.messages)
    confirm = client.post(reverse("iop:iop_publish", args=[ch.iop.pk]), {"version": ch.iop.version})
    assert confirm.status_code == 200 and 'name="confirm"' not in confirm.content.decode()
    client.post(
        reverse("iop:iop_publish", args=[ch.iop.pk]),
        {"version": ch.iop.version, "confirm": "1", "seen": services.content_stamp(ch.iop)},
    )
    assert not IopVersion.objects.filter(iop=ch.iop).exists()

    # An IOP can not be made on the new vedtak either: the message points to the move.
    newer.pupil = access.get_pupil(teacher, world.pupil_a.pk)
    with pytest.raises(ValidationError, match="flytt den til dette vedtaket"):
        services.iop_create(actor=teacher, vedtak=newer)

    # The move, confirmed without JavaScript.
    url = reverse("iop:iop_move_to_vedtak", args=[ch.iop.pk])
    page = client.post(url, {"version": ch.iop.version})
    assert page.status_code == 200
    assert "76 → 40" in page.content.decode()
    assert dict(page.context["carry"])["vedtak"] == newer.pk
    goals_before = {g.pk: g.text for g in ch.iop.goals.all()}
    logs_before = set(GoalLog.objects.filter(goal__iop=ch.iop).values_list("pk", flat=True))
    done = client.post(url, {"version": ch.iop.version, "confirm": "1", "vedtak": str(newer.pk)})
    assert done.status_code == 302

    iop = Iop.objects.get(pk=ch.iop.pk)
    assert iop.vedtak_id == newer.pk
    assert iop.period_start >= newer.valid_from
    sections = {s.subject: s for s in iop.sections.all()}
    assert sections["Matematikk"].hours == 40
    assert sections["Matematikk"].organisation == "Liten gruppe, spesialpedagog"  # made in the teacher's language
    assert sections["Matematikk"].content == "Innhold i Matematikk"
    assert sections["Engelsk"].hours == 19 and sections["Engelsk"].dropped_on is None
    assert sections["Norsk"].dropped_on == iop.period_start
    assert {g.pk: g.text for g in iop.goals.all()} == goals_before
    assert set(GoalLog.objects.filter(goal__iop=iop).values_list("pk", flat=True)) == logs_before

    made = newer.made_on.strftime("%d.%m.%Y")
    moved = [c for c in history.iop_changes(iop.pk) if any(f.old != "" and made in f.new for f in c.fields)]
    assert moved and moved[0].who == teacher.full_name
    flags = {f.code: f for f in checks.iop_flags(_loaded(iop), rebase.newer_vedtak(_loaded(iop)))}
    assert set(flags) == {"iop_subject_dropped", "iop_subject_without_goals"}
    assert not flags["iop_subject_dropped"].blocks_publishing
    assert "Engelsk" in flags["iop_subject_without_goals"].message  # the subject the new vedtak added
    assert "Norsk" not in flags["iop_subject_without_goals"].message  # dropped: its goals are a record
    services.goal_create(actor=teacher, iop=iop, section=sections["Engelsk"], text="Lese en kort tekst høyt")
    iop.refresh_from_db()
    flags = {f.code: f for f in checks.iop_flags(_loaded(iop), rebase.newer_vedtak(_loaded(iop)))}
    assert set(flags) == {"iop_subject_dropped"}

    # Now it publishes; the dropped subject stays in the published plan, marked.
    client.post(
        reverse("iop:iop_publish", args=[iop.pk]),
        {"version": iop.version, "confirm": "1", "seen": services.content_stamp(iop)},
    )
    version = IopVersion.objects.get(iop=iop)
    by_subject = {s["subject"]: s for s in version.snapshot["sections"]}
    assert by_subject["Matematikk"]["hours"] == 40
    assert by_subject["Norsk"]["dropped_on"] == iop.period_start.isoformat()
    assert "dropped_on" not in by_subject["Matematikk"]


def test_the_move_keeps_the_version_rule_and_asks_for_the_newest_vedtak(pinned: None, world: World) -> None:
    ch = _plan(world)
    assert ch.iop is not None
    first = _newer(ch, CUT, made_on=TODAY - datetime.timedelta(days=1))
    teacher = world.user("teacher")
    services.iop_update(actor=world.user("coordinator"), iop=_teacher_iop(world, ch.iop), version=1, data={})
    with pytest.raises(EditConflict):
        services.iop_move_to_vedtak(actor=teacher, iop=_teacher_iop(world, ch.iop), version=1, vedtak=first)

    second = _newer(ch, (("Matematikk", 57, Organisation.CLASS),))
    iop = _teacher_iop(world, ch.iop)
    with pytest.raises(ValidationError, match="nyeste vedtaket"):
        services.iop_move_to_vedtak(actor=teacher, iop=iop, version=iop.version, vedtak=first)
    # The page shown with the first vedtak does not move onto the second one.
    data = {"version": iop.version, "confirm": "1", "vedtak": str(first.pk)}
    response = world.client("teacher").post(reverse("iop:iop_move_to_vedtak", args=[iop.pk]), data)
    assert response.status_code == 302
    assert Iop.objects.get(pk=iop.pk).vedtak_id == ch.vedtak.pk
    moved = services.iop_move_to_vedtak(actor=teacher, iop=iop, version=iop.version, vedtak=second)
    assert moved.vedtak_id == second.pk
    assert rebase.newer_vedtak(_loaded(moved)) is None


def test_a_refusal_leaves_every_subject_marked_and_a_later_years_vedtak_is_not_newer(
    pinned: None, world: World
) -> None:
    ch = _plan(world)
    assert ch.iop is not None
    year = ch.iop.school_year
    _newer(ch, (), valid_from=year.end + datetime.timedelta(days=50), valid_to=year.end + datetime.timedelta(days=300))
    assert rebase.newer_vedtak(_loaded(ch.iop)) is None

    refusal = _newer(ch, ())
    iop = _loaded(ch.iop)
    flag = checks.newer_vedtak_flag(iop, rebase.newer_vedtak(iop) or refusal)
    assert "Det gir ikke individuelt tilrettelagt opplæring" in flag.message
    iop = _teacher_iop(world, ch.iop)
    moved = services.iop_move_to_vedtak(actor=world.user("teacher"), iop=iop, version=iop.version, vedtak=refusal)
    assert all(s.dropped_on is not None for s in moved.sections.all())
    assert moved.goals.count() == 2


def test_only_editors_move_the_iop(pinned: None, world: World) -> None:
    ch = _plan(world)
    assert ch.iop is not None
    _newer(ch, CUT)
    url = reverse("iop:iop_move_to_vedtak", args=[ch.iop.pk])
    assert world.client("faglaerer").post(url, {"version": 1, "confirm": "1"}).status_code == 403
    assert world.client("coordinator_other").post(url, {"version": 1, "confirm": "1"}).status_code == 404
    assert world.client("guardian_a").post(url, {"version": 1, "confirm": "1"}).status_code == 404
    assert Iop.objects.get(pk=ch.iop.pk).vedtak_id == ch.vedtak.pk


def test_an_editor_who_started_before_the_move_keeps_the_new_hours(pinned: None, world: World) -> None:
    ch = _plan(world)
    assert ch.iop is not None
    newer = _newer(ch, CUT)
    maths = IopSubject.objects.get(iop=ch.iop, subject="Matematikk")
    seen = maths.version
    iop = _teacher_iop(world, ch.iop)
    services.iop_move_to_vedtak(actor=world.user("teacher"), iop=iop, version=iop.version, vedtak=newer)

    # The coordinator's form was opened before the move: hours 76, content changed.
    maths.iop.pupil = access.get_pupil(world.user("coordinator"), world.pupil_a.pk)
    stale = {"hours": 76, "content": "Brøk og prosent", "working_methods": "", "organisation": maths.organisation}
    saved = services.section_update(actor=world.user("coordinator"), section=maths, version=seen, data=stale)
    assert (saved.hours, saved.content) == (40, "Brøk og prosent")


def test_the_move_keeps_the_plans_start_so_teaching_under_the_old_vedtak_still_counts(
    pinned: None, world: World
) -> None:
    ch = _plan(world)
    assert ch.iop is not None
    start = ch.iop.period_start
    newer = _newer(ch, CUT, valid_from=TODAY - datetime.timedelta(days=10))
    assert start < newer.valid_from
    teacher = world.user("teacher")
    iop = _teacher_iop(world, ch.iop)
    moved = services.iop_move_to_vedtak(actor=teacher, iop=iop, version=iop.version, vedtak=newer)
    assert moved.period_start == start
    assert IopSubject.objects.get(iop=moved, subject="Norsk").dropped_on == newer.valid_from

    # The old vedtak covered the earlier part: no period flag, on the pages or when publishing.
    loaded = _loaded(moved)
    assert "iop_period_outside_vedtak" not in {f.code for f in checks.iop_flags(loaded)}
    both = list(Enkeltvedtak.objects.filter(pupil=world.pupil_a))
    assert "iop_period_outside_vedtak" not in {f.code for f in checks.iop_flags(loaded, None, both)}
    # Without the old vedtak, a start before the vedtak is still flagged.
    assert "iop_period_outside_vedtak" in {f.code for f in checks.iop_flags(loaded, None, [newer])}

    # Teaching given before the new vedtak is logged against the plan.
    section = IopSubject.objects.select_related("iop__pupil").get(iop=moved, subject="Matematikk")
    section.iop.pupil = access.get_pupil(teacher, world.pupil_a.pk)
    day = start + datetime.timedelta(days=7)
    entry = services.teaching_log_create(
        actor=teacher, section=section, data={"period_start": day, "period_end": day, "hours": 2}
    )
    assert entry.pk


def test_no_iop_moves_onto_a_refusal(pinned: None, world: World) -> None:
    """A refusal gives no teaching: the plan is not moved onto it (it is
    archived when the old decision's teaching ends), and the page offers no move."""
    ch = _plan(world)
    assert ch.iop is not None
    refusal = _newer(ch, (), outcome=Enkeltvedtak.Outcome.REFUSED)
    iop = _teacher_iop(world, ch.iop)
    with pytest.raises(ValidationError, match="Det nye vedtaket er et avslag"):
        services.iop_move_to_vedtak(actor=world.user("teacher"), iop=iop, version=iop.version, vedtak=refusal)
    page = world.client("teacher").get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()
    assert 'data-flag="iop_newer_refusal"' in page
    assert reverse("iop:iop_move_to_vedtak", args=[ch.iop.pk]) not in page
