"""Clear-line checks: each one fires on a broken chain and stays quiet on a sound one."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from iop import checks
from iop.models import Enkeltvedtak, EnkeltvedtakSubject, Goal, Iop, IopSubject
from tests.conftest import World
from tests.iop.factories import add_goals, chain


def codes(flags: list[checks.Flag]) -> set[str]:
    return {f.code for f in flags}


def fresh_vedtak(vedtak: Enkeltvedtak) -> Enkeltvedtak:
    return Enkeltvedtak.objects.prefetch_related("subjects", "vurdering__subjects").get(pk=vedtak.pk)


def fresh_iop(iop: Iop) -> Iop:
    return Iop.objects.select_related("vedtak").prefetch_related("sections", "vedtak__subjects").get(pk=iop.pk)


def test_a_sound_chain_raises_no_flag(world: World) -> None:
    ch = chain(world.pupil_a, goals=2)
    assert ch.iop is not None
    iop = fresh_iop(ch.iop)
    assert checks.vedtak_flags(fresh_vedtak(ch.vedtak)) == []
    assert checks.iop_flags(iop) == []
    assert all(checks.goal_flags(g) == [] for g in ch.goals)
    assert checks.missing_iop_flags([ch.vedtak], [iop]) == []


def test_it_flags_a_vedtak_without_hours(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", None),), iop_status=None)
    assert "vedtak_missing_hours" in codes(checks.vedtak_flags(fresh_vedtak(ch.vedtak)))


def test_it_flags_a_vedtak_without_appeal_information(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=None)
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(appeal_info=" ")
    assert codes(checks.vedtak_flags(fresh_vedtak(ch.vedtak))) == {"vedtak_missing_appeal"}


def test_it_flags_a_deviation_from_the_assessment_without_reason(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=None)
    EnkeltvedtakSubject.objects.filter(vedtak=ch.vedtak).update(hours=38)
    assert codes(checks.vedtak_flags(fresh_vedtak(ch.vedtak))) == {"vedtak_deviation_without_reason"}
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(deviation_reason="Skolen gir mer i klassen.")
    assert checks.vedtak_flags(fresh_vedtak(ch.vedtak)) == []


def test_it_flags_a_vedtak_beyond_the_period_of_its_expert_assessment(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=None)
    sv = ch.vedtak.vurdering
    year = datetime.timedelta(days=366)
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(
        valid_from=sv.valid_to + datetime.timedelta(days=1), valid_to=sv.valid_to + year
    )
    [flag] = [f for f in checks.vedtak_flags(fresh_vedtak(ch.vedtak)) if f.code == "vedtak_outside_vurdering"]
    assert not flag.advisory and "går utenfor perioden den sakkyndige vurderingen gjelder for" in flag.message
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(valid_from=sv.valid_from, valid_to=sv.valid_to)
    assert checks.vedtak_flags(fresh_vedtak(ch.vedtak)) == []


def test_it_flags_an_iop_subject_outside_the_vedtak(world: World) -> None:
    ch = chain(world.pupil_a)
    english = IopSubject.objects.create(iop=ch.iop, subject="Engelsk", hours=10)
    add_goals(ch.iop, english, 1)
    flags = checks.iop_flags(fresh_iop(ch.iop))
    assert codes(flags) == {"iop_subject_not_in_vedtak"} and all(f.blocks_publishing for f in flags)


def test_it_flags_more_hours_than_the_vedtak_gives(world: World) -> None:
    ch = chain(world.pupil_a)
    IopSubject.objects.filter(iop=ch.iop).update(hours=77)
    assert codes(checks.iop_flags(fresh_iop(ch.iop))) == {"iop_hours_exceed_vedtak"}
    IopSubject.objects.filter(iop=ch.iop).update(hours=76)
    assert checks.iop_flags(fresh_iop(ch.iop)) == []


def test_it_flags_an_iop_period_outside_the_vedtak(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    Iop.objects.filter(pk=ch.iop.pk).update(period_end=ch.vedtak.valid_to + datetime.timedelta(days=1))
    assert codes(checks.iop_flags(fresh_iop(ch.iop))) == {"iop_period_outside_vedtak"}


@pytest.mark.parametrize(("days_ago", "fires"), [(31, True), (30, False), (5, False)])
def test_it_flags_a_made_vedtak_without_iop_after_n_days(world: World, days_ago: int, fires: bool) -> None:
    ch = chain(world.pupil_a, iop_status=None)
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(
        made_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    vedtak = fresh_vedtak(ch.vedtak)
    assert bool(checks.missing_iop_flags([vedtak], [])) is fires


def test_it_does_not_flag_a_vedtak_that_has_its_iop_or_is_a_draft(world: World) -> None:
    ch = chain(world.pupil_a)
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(made_on=timezone.localdate() - datetime.timedelta(days=90))
    assert checks.missing_iop_flags([fresh_vedtak(ch.vedtak)], [ch.iop]) == []
    draft = chain(world.pupil_b, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None)
    assert checks.missing_iop_flags([fresh_vedtak(draft.vedtak)], []) == []


def test_it_flags_goals_without_all_criteria(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    goal.independence_1 = ""
    assert codes(checks.goal_flags(goal)) == {"goal_missing_criteria"}


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Eleven skal bli bedre i lesing.", True),
        ("Eleven skal jobbe med brøk.", True),
        ("Eleven skal øke forståelsen av tid.", True),
        ("Eleven leser en tekst på 100 ord med høyst tre feil.", False),
    ],
)
def test_it_flags_vague_goals(world: World, text: str, fires: bool) -> None:
    goal = Goal(text=text, **dict.fromkeys(Goal.CRITERIA_FIELDS, "x"))
    assert ("goal_vague" in codes(checks.goal_flags(goal))) is fires


def test_the_word_list_is_configurable(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IOP_VAGUE_PHRASES = ["mestre"]
    goal = Goal(text="Eleven skal mestre brøk.", **dict.fromkeys(Goal.CRITERIA_FIELDS, "x"))
    assert codes(checks.goal_flags(goal)) == {"goal_vague"}
    assert checks.goal_flags(Goal(text="Eleven skal bli bedre.", **dict.fromkeys(Goal.CRITERIA_FIELDS, "x"))) == []


def test_the_pupil_page_and_overview_show_flags_to_staff_only(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", None),))
    Goal.objects.filter(pk=ch.goals[0].pk).update(text="Eleven skal bli bedre i matte")
    url = reverse("pupil_detail", args=[world.pupil_a.pk])
    staff = world.client("teacher").get(url).content.decode()
    assert 'data-flag="vedtak_missing_hours"' in staff and 'data-flag="goal_vague"' in staff
    guardian = world.client("guardian_a").get(url).content.decode()
    assert "data-flag" not in guardian
    overview = world.client("coordinator").get(reverse("iop:overview")).content.decode()
    assert 'data-flag="vedtak_missing_hours"' in overview and "Anna Aasen" in overview


def test_the_pupil_page_shows_the_checks_only_to_staff_who_can_act_on_them(world: World) -> None:
    """A vikar reads the pupil's plans but makes no IOP: the red-thread box
    ("the pupil has no IOP. Make the IOP") is for the kontaktlærer and coordinator."""
    ch = chain(world.pupil_a, iop_status=None)
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(made_on=timezone.localdate() - datetime.timedelta(days=97))
    url = reverse("pupil_detail", args=[world.pupil_a.pk])
    for persona in ("teacher", "coordinator"):
        page = world.client(persona).get(url).content.decode()
        assert 'data-flag="vedtak_without_iop"' in page and "iop-flags" in page, persona
    response = world.client("vikar").get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "iop-flags" not in page and "data-flag" not in page


def test_the_overview_comes_a_page_at_a_time_with_each_pupils_flags(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pupils with a decision are paged in the database (by name); each
    page's rows carry their own flags, and the page links say where they are."""
    from iop import selectors

    chain(world.pupil_a, subjects=(("Matematikk", None),))
    chain(world.pupil_b, goals=1)
    monkeypatch.setattr(selectors, "OVERVIEW_PAGE", 1)
    coordinator = world.client("coordinator")
    first = coordinator.get(reverse("iop:overview")).content.decode()
    second = coordinator.get(reverse("iop:overview"), {"side": "2"}).content.decode()
    assert "Anna Aasen" in first and 'data-flag="vedtak_missing_hours"' in first and "?side=2" in first
    assert "Anna Aasen" not in second and 'data-flag="vedtak_missing_hours"' not in second and "?side=1" in second
    assert world.pupil_b.full_name in second
