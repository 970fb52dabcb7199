"""Autosave does not grow the history: one user's consecutive saves of one
record within HISTORY_COLLAPSE_MINUTES are one entry (iop.collapse), and no
merge loses a word because a version in the middle of a series is gone."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.urls import reverse

from iop import services
from iop.history import iop_changes
from iop.models import Goal, Iop
from tests.conftest import World
from tests.iop.factories import aim, chain
from tests.iop.test_concurrency import CONFLICT, full_goal_data, posted

START = datetime.datetime(2026, 10, 5, 9, 0, tzinfo=datetime.UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


def _draft_goal(world: World) -> Goal:
    """A goal of a draft IOP, made an hour before START."""
    with time_machine.travel(START - datetime.timedelta(hours=1), tick=False):
        return chain(world.pupil_a, iop_status=Iop.Status.DRAFT).goals[0]


def _rows(goal: Goal) -> list[Any]:
    return list(Goal.history.filter(id=goal.pk).order_by("history_id"))


def _autosave(world: World, goal: Goal, persona: str, texts: list[str], *, every: float = 2.0, at: datetime.datetime):
    """PERSONA saves the goal's text once per item of TEXTS, EVERY seconds
    apart from AT, each from the version the page got back (as the page does)."""
    actor = world.user(persona)
    for i, text in enumerate(texts):
        with time_machine.travel(at + datetime.timedelta(seconds=every * i), tick=False):
            current = Goal.objects.get(pk=goal.pk)
            services.goal_update(actor=actor, goal=current, version=current.version, data={"text": text})


def test_it_keeps_one_entry_for_many_saves_within_the_window(world: World) -> None:
    goal = _draft_goal(world)
    texts = ["Eleven leser" + " og leser" * i for i in range(60)]  # two minutes of typing
    _autosave(world, goal, "teacher", texts, at=START)
    rows = _rows(goal)
    changed = [r for r in rows if r.history_type == "~"]
    # The first save as it was, and one row with the newest state standing for the other 59.
    assert len(changed) == 2
    first, last = changed
    assert first.text == texts[0] and last.text == texts[-1] and last.version == 61
    assert last.history_first_date == first.history_date == START
    assert last.history_date == START + datetime.timedelta(seconds=118)
    assert (first.history_saves, last.history_saves) == (1, 59)
    assert last.history_user == world.user("teacher")

    # The history page: one readable entry, who, from when to when, how many saves, before and after.
    series = [c for c in iop_changes(goal.iop_id) if c.kind == "~"]
    assert len(series) == 1
    entry = series[0]
    assert (entry.since, entry.when, entry.saves, entry.who) == (START, last.history_date, 60, "Tone Lærer")
    assert [(f.old, f.new) for f in entry.fields] == [(goal.text, texts[-1])]
    page = world.client("teacher").get(reverse("iop:history", args=["iop", goal.iop_id]))
    body = page.content.decode()
    assert page.status_code == 200 and "60 lagringer" in body and body.count("Tone Lærer") >= 1


def test_another_users_save_in_between_starts_a_new_entry(world: World) -> None:
    goal = _draft_goal(world)
    _autosave(world, goal, "teacher", ["A1", "A2", "A3"], at=START)
    later = START + datetime.timedelta(seconds=10)
    _autosave(world, goal, "coordinator", ["K1", "K2"], at=later)
    _autosave(world, goal, "teacher", ["A4", "A5"], at=later + datetime.timedelta(seconds=10))
    changed = [(r.history_user.email, r.text, r.history_saves) for r in _rows(goal) if r.history_type == "~"]
    assert changed == [
        ("teacher@test.example", "A1", 1),
        ("teacher@test.example", "A3", 2),
        ("coordinator@test.example", "K1", 1),
        ("coordinator@test.example", "K2", 1),
        ("teacher@test.example", "A4", 1),
        ("teacher@test.example", "A5", 1),
    ]
    entries = [c for c in iop_changes(goal.iop_id) if c.kind == "~"]
    assert [(c.who, c.saves) for c in entries] == [("Tone Lærer", 2), ("Kari Koordinator", 2), ("Tone Lærer", 3)]


def test_saves_outside_the_window_start_a_new_entry(world: World, settings: Any) -> None:
    settings.HISTORY_COLLAPSE_MINUTES = 5
    goal = _draft_goal(world)
    # Ten minutes of saves every 30 s: a series ends five minutes after it began.
    _autosave(world, goal, "teacher", [f"Tekst {i}" for i in range(21)], every=30, at=START)
    changed = [r for r in _rows(goal) if r.history_type == "~"]
    starts = sorted({r.history_first_date or r.history_date for r in changed})
    assert starts == [START, START + datetime.timedelta(seconds=330)]
    assert len(changed) == 4 and sum(r.history_saves for r in changed) == 21
    assert all(
        r.history_date - (r.history_first_date or r.history_date) <= datetime.timedelta(minutes=5) for r in changed
    )
    # 0 keeps every save.
    settings.HISTORY_COLLAPSE_MINUTES = 0
    _autosave(world, goal, "teacher", ["X", "Y", "Z"], at=START + datetime.timedelta(hours=1))
    assert len([r for r in _rows(goal) if r.history_type == "~"]) == 4 + 3


def test_a_status_change_is_an_entry_of_its_own(world: World) -> None:
    with time_machine.travel(START - datetime.timedelta(hours=1), tick=False):
        ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    teacher = world.user("teacher")
    with time_machine.travel(START, tick=False):
        iop = Iop.objects.get(pk=ch.iop.pk)
        services.iop_update(actor=teacher, iop=iop, version=iop.version, data={"ordinary_teaching": "Ny tekst"})
    with time_machine.travel(START + datetime.timedelta(seconds=4), tick=False):
        iop = Iop.objects.get(pk=ch.iop.pk)
        services.iop_update(actor=teacher, iop=iop, version=iop.version, data={"ordinary_teaching": "Nyere tekst"})
    rows = list(Iop.history.filter(id=iop.pk, history_type="~").order_by("history_id"))
    assert len(rows) == 2
    iop = Iop.objects.get(pk=ch.iop.pk)
    iop.status = Iop.Status.PUBLISHED
    iop._history_user = teacher  # type: ignore[attr-defined]
    with time_machine.travel(START + datetime.timedelta(seconds=6), tick=False):
        iop.save()
    rows = list(Iop.history.filter(id=iop.pk, history_type="~").order_by("history_id"))
    assert [r.status for r in rows] == [Iop.Status.DRAFT, Iop.Status.DRAFT, Iop.Status.PUBLISHED]
    # Saves right after the publication are not folded into it: the history
    # would show the unpublished text as if it had been published.
    for n, text in enumerate(["Etter publisering", "Enda senere"]):
        with time_machine.travel(START + datetime.timedelta(seconds=8 + n), tick=False):
            iop = Iop.objects.get(pk=ch.iop.pk)
            services.iop_update(actor=teacher, iop=iop, version=iop.version, data={"ordinary_teaching": text})
    rows = list(Iop.history.filter(id=iop.pk, history_type="~").order_by("history_id"))
    assert [(r.status, r.ordinary_teaching) for r in rows[2:]] == [
        (Iop.Status.PUBLISHED, "Nyere tekst"),
        (Iop.Status.PUBLISHED, "Etter publisering"),
        (Iop.Status.PUBLISHED, "Enda senere"),
    ]
    # Publishing again ("Publiser endringene": the status stays) is an entry of its own too.
    iop = Iop.objects.get(pk=ch.iop.pk)
    iop.published_at = START + datetime.timedelta(seconds=12)
    iop._history_user = teacher  # type: ignore[attr-defined]
    with time_machine.travel(START + datetime.timedelta(seconds=12), tick=False):
        iop.save()
    assert Iop.history.filter(id=iop.pk, history_type="~").count() == len(rows) + 1


def test_a_merge_base_in_the_middle_of_a_series_loses_no_words(world: World) -> None:
    """The coordinator opened the goal at version 3, in the middle of the
    teacher's typing; versions 3 and 4 are no longer in the history. The
    coordinator's save is not written silently: the conflict shows both
    texts, and the coordinator's words end up stored."""
    goal = _draft_goal(world)
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    as_opened = None
    for version, text in enumerate(["Eleven", "Eleven leser", "Eleven leser korte", "Eleven leser korte tekster"], 1):
        assert "Lagret" in teacher.post(url, full_goal_data(goal, version, text=text), **HTMX).content.decode()
        if version == 2:
            as_opened = Goal.objects.get(pk=goal.pk)  # the coordinator's page: version 3
    assert as_opened is not None and as_opened.version == 3
    assert not Goal.history.filter(id=goal.pk, version=3).exists()  # collapsed away

    # The coordinator adds a criterion; the page still holds the teacher's older text.
    mine = full_goal_data(as_opened, 3, quality_1="Leser med hjelp")
    answer = coordinator.post(url, mine, **HTMX)
    body = answer.content.decode()
    assert CONFLICT in body and "Leser med hjelp" in body and "Tone Lærer" in body
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.text, stored.quality_1) == ("Eleven leser korte tekster", as_opened.quality_1)  # nothing written

    # The coordinator takes the teacher's text and keeps their own criterion: both stored.
    form = posted(body)
    form[f"{goal.pk}-quality_1"] = "Leser med hjelp"
    for name in list(form):
        if name.startswith(f"{goal.pk}-choice-"):
            form[name] = "theirs" if name.endswith("-text") else "mine"
    assert CONFLICT not in coordinator.post(url, form, **HTMX).content.decode()
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.text, stored.quality_1) == ("Eleven leser korte tekster", "Leser med hjelp")


def test_a_second_tab_of_the_author_at_a_version_inside_a_series_overwrites_nothing(world: World) -> None:
    """A second tab of the teacher's, at a version collapsed away: its base
    is unknown, so every text that differs is in the conflict box (the
    teacher's own later saves and somebody else's change alike); nothing
    is written until the teacher chooses."""
    goal = _draft_goal(world)
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    for version, text in enumerate(["En", "En to", "En to tre"], 1):
        teacher.post(url, full_goal_data(goal, version, text=text), **HTMX)
    assert not Goal.history.filter(id=goal.pk, version=3).exists()
    now = Goal.objects.get(pk=goal.pk)
    assert (
        "Lagret" in coordinator.post(url, full_goal_data(now, 4, independence_1="Selvstendig"), **HTMX).content.decode()
    )
    stale_tab = full_goal_data(goal, 3, text="En to tre fire")  # the teacher's tab at version 3
    answer = teacher.post(url, stale_tab, **HTMX).content.decode()
    assert "En to tre fire" in answer and "Selvstendig" in answer  # both sides shown
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.text, stored.independence_1) == ("En to tre", "Selvstendig")


def test_a_replaced_row_takes_its_recorded_aims_along_and_the_newest_keeps_them(world: World) -> None:
    goal = _draft_goal(world)
    teacher = world.user("teacher")
    with time_machine.travel(START, tick=False):
        services.goal_aims_update(actor=teacher, goal=goal, add=aim("KM9001"))
    _autosave(world, goal, "teacher", ["En", "En to", "En to tre"], at=START + datetime.timedelta(seconds=2))
    aims_rows = next(r.related_model for r in Goal.history.model._meta.related_objects if r.field.name == "history")
    kept = set(Goal.history.filter(id=goal.pk).values_list("history_id", flat=True))
    recorded = list(aims_rows.objects.values_list("history_id", flat=True))
    assert set(recorded) <= kept  # none left behind by a replaced row
    newest = Goal.history.filter(id=goal.pk).order_by("-history_id").first()
    assert newest is not None and newest.text == "En to tre"
    assert [a.competenceaim.code for a in newest.competence_aims.all()] == ["KM9001"]


def test_a_form_left_open_proposes_the_newer_text_where_it_holds_an_earlier_saved_one(world: World) -> None:
    """A colleague's form opened inside a series that was collapsed away
    (its base is unknown, so every text that differs is in the conflict
    box): where the form still holds a text saved earlier (a form left open,
    not new writing), the box proposes the newer text; where the colleague
    wrote something new, their own text."""
    goal = _draft_goal(world)
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    for version, values in enumerate([{"text": "En"}, {"text": "En to"}, {"text": "En to", "quality_1": "Ny"}], 1):
        teacher.post(url, full_goal_data(goal, version, **values), **HTMX)
    assert not Goal.history.filter(id=goal.pk, version=3).exists()
    opened = full_goal_data(goal, 3, text="En to", independence_1="Skrevet av koordinator")  # quality_1 as at v3: ""
    body = coordinator.post(url, opened, **HTMX).content.decode()
    assert "den nyere teksten er valgt" in body
    prefix = f"{goal.pk}-choice-"
    assert f'name="{prefix}quality_1" value="theirs" checked' in body
    assert f'name="{prefix}independence_1" value="mine" checked' in body
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.quality_1, stored.independence_1) == ("Ny", goal.independence_1)  # nothing written yet


def test_a_form_opened_inside_a_series_changes_only_what_its_user_changed(world: World) -> None:
    """The coordinator opened the goal's form at version 3, in the middle of
    the teacher's typing (collapsed away), and wrote only a criterion while
    the teacher went on with the text. The form posts what it loaded: the
    text the coordinator never touched is no conflict and is not undone,
    the criterion is stored, and the form takes the teacher's newest text
    out of band with what it now stands on, so the next save is clean too."""
    goal = _draft_goal(world)
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    opened: dict[str, str] = {}
    for version, text in enumerate(["Eleven", "Eleven leser", "Eleven leser korte", "Eleven leser korte tekster"], 1):
        assert "Lagret" in teacher.post(url, full_goal_data(goal, version, text=text), **HTMX).content.decode()
        if version == 2:  # the coordinator opens the goal's form, as the page brings it in
            opened = posted(coordinator.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode())
    assert opened[f"{goal.pk}-version"] == "3" and opened[f"{goal.pk}-text"] == "Eleven leser"
    assert not Goal.history.filter(id=goal.pk, version=3).exists()  # collapsed away

    opened[f"{goal.pk}-quality_1"] = "Leser med hjelp"
    body = coordinator.post(url, opened, **HTMX).content.decode()
    assert CONFLICT not in body and "Lagret" in body, sorted(opened)
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.text, stored.quality_1) == ("Eleven leser korte tekster", "Leser med hjelp")
    back = posted(body)  # the out-of-band fields: the newest text, the version and what the form stands on
    assert back[f"{goal.pk}-text"] == "Eleven leser korte tekster" and back[f"{goal.pk}-version"] == "6"
    opened.update(back)
    opened[f"{goal.pk}-quality_2"] = "Leser selv"
    assert (
        "Lagret"
        in teacher.post(url, full_goal_data(stored, 6, text="Eleven leser lange tekster"), **HTMX).content.decode()
    )
    body = coordinator.post(url, opened, **HTMX).content.decode()
    assert CONFLICT not in body
    stored = Goal.objects.get(pk=goal.pk)
    assert (stored.text, stored.quality_1, stored.quality_2) == (
        "Eleven leser lange tekster",
        "Leser med hjelp",
        "Leser selv",
    )


def test_a_form_opened_inside_a_series_still_asks_where_its_user_changed_the_same_text(world: World) -> None:
    """What the form loaded tells only what its user did not change: a text
    both changed is still the conflict box, and nothing is written."""
    goal = _draft_goal(world)
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    opened: dict[str, str] = {}
    for version, text in enumerate(["En", "En to", "En to tre", "En to tre fire"], 1):
        teacher.post(url, full_goal_data(goal, version, text=text), **HTMX)
        if version == 2:
            opened = posted(coordinator.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode())
    opened[f"{goal.pk}-text"] = "En to og mer"
    body = coordinator.post(url, opened, **HTMX).content.decode()
    assert CONFLICT in body and "En to og mer" in body and "En to tre fire" in body
    assert Goal.objects.get(pk=goal.pk).text == "En to tre fire"
