"""The history page shows one page of entries at a time: the newest first,
"Eldre endringer" to the next, the work per page bounded by the page size.
Paging through every page shows exactly what the whole history shows."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from iop import history, services
from iop.history import (
    Change,
    Key,
    changes,
    changes_page,
    iop_changes,
    iop_sources,
    iup_sources,
    vedtak_sources,
    vurdering_sources,
)
from iop.models import AccessLogEntry, Goal, GoalLog, Iop, Iup, TeachingLog
from tests.conftest import World
from tests.iop.factories import aim, chain, iup
from tests.queries import assert_same_queries, page_queries

START = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
OLDER = re.compile(r'href="\?(for=[^"]+)"[^>]*>Eldre endringer<')
ENTRY = re.compile(r'<li class="ds-card">')


def _at(moment: datetime.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def _plan(world: World) -> Iop:
    """A draft IOP with two subjects, two goals, a goal log and a teaching log:
    a row in every source of its history."""
    teacher = world.user("teacher")
    with _at(START - datetime.timedelta(hours=1)):
        ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT, goals=2, subjects=(("Matematikk", 76), ("Norsk", 38)))
        assert ch.iop is not None
        services.goal_log_create(actor=teacher, goal=ch.goals[1], data={"quality": 2, "note": "Første logg"})
        _teaching_log(ch.iop, teacher)
    return ch.iop


def _teaching_log(iop: Iop, actor: Any) -> TeachingLog:
    entry = TeachingLog(
        section=iop.sections.order_by("order").first(),
        author=actor,
        period_start=iop.period_start,
        period_end=iop.period_start,
        hours=2,
    )
    entry._history_user = actor  # type: ignore[attr-defined]
    entry.save()
    return entry


def _edit(iop: Iop, world: World, rounds: int) -> None:
    """ROUNDS rounds of varied work on IOP, ten minutes apart: a collapsed
    autosave series, another user's edit, several fields at once, rows at
    the very same instant, aims attached and detached, goals made and
    deleted, goals moved (a row that changes nothing shown), goal logs and
    teaching logs made and deleted, a goal's text emptied and written again."""
    teacher, coordinator = world.user("teacher"), world.user("coordinator")
    assert teacher is not None and coordinator is not None
    km = aim("KM9001")
    first, second = Goal.objects.filter(iop=iop).order_by("order", "created_at", "pk")[:2]  # the same every round
    for n in range(rounds):
        t = START + datetime.timedelta(minutes=10 * n)
        for i, text in enumerate([f"Runde {n}: leser", f"Runde {n}: leser korte", f"Runde {n}: leser korte tekster"]):
            with _at(t + datetime.timedelta(seconds=2 * i)):
                goal = Goal.objects.get(pk=first.pk)
                services.goal_update(actor=teacher, goal=goal, version=goal.version, data={"text": text})
        with _at(t + datetime.timedelta(seconds=20)):
            plan = Iop.objects.get(pk=iop.pk)
            services.iop_update(
                actor=coordinator,
                iop=plan,
                version=plan.version,
                data={"ordinary_teaching": f"Ordinær {n}", "pupil_view": f"Elevens syn {n}"},
            )
            section = iop.sections.order_by("order").first()
            assert section is not None
            services.section_update(
                actor=coordinator, section=section, version=section.version, data={"content": f"Innhold {n}"}
            )
        with _at(t + datetime.timedelta(seconds=30)):
            goal = Goal.objects.get(pk=first.pk)
            if n % 2:
                services.goal_aims_update(actor=teacher, goal=goal, remove=km)
            else:
                services.goal_aims_update(actor=teacher, goal=goal, add=km)
        with _at(t + datetime.timedelta(seconds=40)):
            made = services.goal_create(actor=teacher, iop=iop, section=section, text=f"Nytt mål {n}")
            services.goal_move(actor=teacher, goal=made, up=True)
        with _at(t + datetime.timedelta(seconds=50)):
            services.goal_delete(actor=teacher, goal=Goal.objects.get(pk=made.pk))
            services.goal_log_create(
                actor=teacher, goal=Goal.objects.get(pk=second.pk), data={"quality": n % 4 + 1, "note": f"Logg {n}"}
            )
        with _at(t + datetime.timedelta(seconds=60)):
            entry = _teaching_log(iop, teacher)
            if n % 3 == 2:
                services.teaching_log_delete(actor=teacher, entry=entry)
        with _at(t + datetime.timedelta(seconds=70)):
            goal = Goal.objects.get(pk=second.pk)
            text = "" if n == rounds - 2 else f"Mål to, runde {n}"
            services.goal_update(actor=teacher, goal=goal, version=goal.version, data={"text": text})


def _all_pages(sources: list[history.Source], size: int) -> list[list[Change]]:
    pages, after = [], None
    while True:
        page = changes_page(sources, after, size)
        pages.append(page.changes)
        if page.older is None:
            return pages
        assert page.older != after
        after = page.older


@pytest.fixture
def plan(world: World) -> Iop:
    iop = _plan(world)
    _edit(iop, world, rounds=6)
    return iop


def test_every_page_in_turn_shows_the_whole_history_once_newest_first(plan: Iop) -> None:
    whole = iop_changes(plan.pk)
    assert len(whole) > 50
    assert {c.kind for c in whole} == {"+", "~", "-"}
    # Three saves of the text and the aims attached (and the goal moved, where its order changed):
    # one entry per round, since its first save.
    series = [c for c in whole if c.saves >= 4 and c.what.endswith("leser korte tekster")]
    assert len(series) == 6 and all(c.since is not None and c.since < c.when for c in series)
    assert all(f.label == "Kompetansemål" for c in series for f in c.fields[1:])
    # Goal logs are named by their goal's newest text that is not empty, on every page.
    logs = [c for c in whole if c.what.startswith("Logg på mål")]
    assert len(logs) == 7 and all(c.what.endswith("– Mål to, runde 5") for c in logs)
    # Teaching given is named by its subject, on every page.
    taught = [c for c in whole if c.what.startswith("Gitt opplæring")]
    assert taught and all(re.search(r"\d – (Matematikk|Norsk)$", c.what) for c in taught), [c.what for c in taught]
    sources = iop_sources(plan.pk)
    for size in (1, 2, 3, 7, 20, 50):
        pages = _all_pages(sources, size)
        assert [c for page in pages for c in page] == whole, size
        assert all(len(page) <= size for page in pages)
        if size == 20:
            assert len(pages) > 2


def test_the_page_follows_older_changes_to_the_end_and_logs_every_read(
    plan: Iop, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history, "PAGE_SIZE", 20)
    client = world.client("teacher")
    url = reverse("iop:history", args=["iop", plan.pk])
    before = AccessLogEntry.objects.filter(object_id=plan.pk, purpose=AccessLogEntry.Purpose.HISTORY).count()
    shown, pages, query = 0, 0, ""
    while True:
        body = client.get(f"{url}?{query}" if query else url).content.decode()
        pages += 1
        shown += len(ENTRY.findall(body))
        assert ("Nyeste endringer" in body) == (pages > 1)
        older = OLDER.search(body)
        if older is None:
            break
        query = older.group(1).replace("&amp;", "&")
    assert pages > 2
    assert shown == len(iop_changes(plan.pk))
    logged = AccessLogEntry.objects.filter(object_id=plan.pk, purpose=AccessLogEntry.Purpose.HISTORY).count()
    assert logged - before == pages


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "2026-13-01T00:00:00+00:00_0_1",
        "2026-10-05T09:00:00_0_1",  # naive
        "2026-10-05T09:00:00+00:00_9_1",  # no such source
        "2026-10-05T09:00:00+00:00_0_-4",
        "2026-10-05T09:00:00+00:00_0_99999999999999999999999",
        "2026-10-05T09:00:00+00:00_x_1",
        "__",
        "9999-12-31T23:59:59-00:01_0_1",  # beyond year 9999 in UTC
        "0001-01-01T00:00:00+00:01_0_1",  # before year 1 in UTC
    ],
)
def test_a_key_that_is_not_one_gets_the_newest_page(world: World, token: str) -> None:
    iop = _plan(world)
    client = world.client("teacher")
    url = reverse("iop:history", args=["iop", iop.pk])
    newest = client.get(url)
    answer = client.get(url, {"for": token})
    assert answer.status_code == 200
    assert len(ENTRY.findall(answer.content.decode())) == len(ENTRY.findall(newest.content.decode())) > 0
    assert Key.parse(token, len(iop_sources(iop.pk))) is None


def test_a_key_round_trips() -> None:
    key = Key(datetime.datetime(2026, 10, 5, 9, 0, 1, 123456, tzinfo=datetime.UTC), 3, 42)
    assert Key.parse(key.token(), 5) == key
    assert Key.parse(key.token(), 3) is None


def test_a_page_runs_as_many_queries_for_a_long_history_as_for_a_short_one(world: World) -> None:
    iop = _plan(world)
    client: Client = world.client("teacher")
    url = reverse("iop:history", args=["iop", iop.pk])
    small = page_queries(client, url, warm=True)
    _edit(iop, world, rounds=12)
    large = page_queries(client, url)
    assert_same_queries(small, large, at_most=20)
    older = OLDER.search(client.get(url).content.decode())
    assert older is not None
    second = page_queries(client, f"{url}?{older.group(1)}")
    assert_same_queries(small, second, at_most=20)


def test_the_pages_of_an_iup_a_vedtak_and_a_vurdering_are_their_whole_history(world: World) -> None:
    teacher = world.user("teacher")
    with _at(START - datetime.timedelta(hours=1)):
        ch = chain(world.pupil_a, iop_status=None)
        plan = iup(world.pupil_a, status=Iup.Status.DRAFT, goals=2)
    goals = list(Goal.objects.filter(iup=plan).order_by("order"))
    for n in range(8):
        with _at(START + datetime.timedelta(minutes=10 * n)):
            plan.agreements = f"Avtale {n}"
            plan._history_user = teacher  # type: ignore[attr-defined]
            plan.save()
            goal = goals[n % 2]
            goal.text = f"Mål {n}"
            goal._history_user = teacher  # type: ignore[attr-defined]
            goal.save()
            log = GoalLog(goal=goals[1], author=teacher, quality=n % 4 + 1, note=f"Logg {n}")
            log._history_user = teacher  # type: ignore[attr-defined]
            log.save()
            if n % 3 == 0:
                log.delete()
            ch.vedtak.main_considerations = f"Hensyn {n}"
            ch.vedtak.save()
            ch.sv.save()
    for sources in (iup_sources(plan.pk), vedtak_sources(ch.vedtak.pk), vurdering_sources(ch.sv.pk)):
        whole = changes(sources)
        assert whole
        for size in (1, 2, 5):
            assert [c for page in _all_pages(sources, size) for c in page] == whole


def test_a_series_that_begins_with_a_save_that_shows_nothing_hides_no_earlier_entry(world: World) -> None:
    """The teacher edits a goal, later moves it (a save that changes nothing
    shown) and goes on typing: the move and the typing are one series, and
    the edit before it stays an entry of its own."""
    iop = _plan(world)
    teacher = world.user("teacher")
    assert teacher is not None
    goal = Goal.objects.filter(iop=iop).order_by("order", "created_at", "pk").last()
    assert goal is not None
    for moment, text in ((START, "Først"), (START + datetime.timedelta(minutes=10, seconds=2), "Siden")):
        if text == "Siden":
            with _at(moment - datetime.timedelta(seconds=2)):
                services.goal_move(actor=teacher, goal=Goal.objects.get(pk=goal.pk), up=True)
        with _at(moment):
            current = Goal.objects.get(pk=goal.pk)
            services.goal_update(actor=teacher, goal=current, version=current.version, data={"text": text})
    newest = Goal.history.filter(id=goal.pk).order_by("-history_id").first()
    assert newest is not None and newest.history_first_date == START + datetime.timedelta(minutes=10)  # the move
    edits = [c for c in iop_changes(iop.pk) if c.kind == "~"]
    assert [(f.old, f.new) for c in edits for f in c.fields] == [("Først", "Siden"), (goal.text, "Først")]
    assert [c.saves for c in edits] == [2, 1]
    assert [c for page in _all_pages(iop_sources(iop.pk), 1) for c in page] == iop_changes(iop.pk)


def test_an_entry_names_its_document_as_the_model_does_abbreviations_in_capitals(world: World) -> None:
    iop = _plan(world)
    body = world.client("teacher").get(reverse("iop:history", args=["iop", iop.pk])).content.decode()
    assert "Individuell opplæringsplan (IOP)" in body
    assert "(iop)" not in body


def test_a_step_on_the_iups_scale_is_shown_in_words(world: World) -> None:
    from iop.models import IupAssessment

    teacher = world.user("teacher")
    with _at(START - datetime.timedelta(hours=1)):
        chain(world.pupil_a, iop_status=None)
        plan = iup(world.pupil_a, status=Iup.Status.DRAFT, subjects=("Matematikk",))
    row = IupAssessment.objects.get(iup=plan)
    row._history_user = teacher  # type: ignore[attr-defined]
    with _at(START):  # the first recorded state: the teacher's step 2, no self-assessment
        row.save()
    with _at(START + datetime.timedelta(hours=1)):
        row.level, row.self_level = 3, 1
        row.save()
    shown = {(f.old, f.new) for c in changes(iup_sources(plan.pk)) for f in c.fields}
    assert (plan.scale[1], plan.scale[2]) in shown  # the teacher's step 2 → 3
    assert ("–", plan.scale[0]) in shown  # the pupil's self-assessment set to step 1
    assert not any(value in {"1", "2", "3"} for pair in shown for value in pair)


def test_hours_read_as_the_pages_write_them_and_a_cut_text_ends_in_one_mark(world: World) -> None:
    """Hours given read "5000" and "0,2" in Norwegian, not "5000.0" and
    "0.2"; a goal's text cut at the label's length ends in "…" alone, not
    in ".…"."""
    from django.utils import translation

    from iop.history import LABEL_CHARS, _short

    iop = _plan(world)
    entry = TeachingLog.objects.filter(section__iop=iop).first()
    assert entry is not None
    with _at(START + datetime.timedelta(hours=2)):
        entry.hours = 5000  # type: ignore[assignment]
        entry.save()
    with _at(START + datetime.timedelta(hours=3)):
        entry.hours = 0.2  # type: ignore[assignment]
        entry.save()
    with translation.override("nb"):
        shown = {(f.old, f.new) for c in changes(iop_sources(iop.pk)) for f in c.fields}
    assert ("5000", "0,2") in shown

    sentence = "Eleven plasserer tall på en tallinje."
    text = "x" * (LABEL_CHARS - 1 - len(sentence)) + sentence + " Eleven ordner tallene."
    assert _short(text).endswith("tallinje…")
