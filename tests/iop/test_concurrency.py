"""Optimistic concurrency: no edit silently overwrites another."""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from iop import concurrency, services
from iop.models import Enkeltvedtak, EnkeltvedtakSubject, Goal, Iop
from tests.conftest import LOGIN_BACKEND, World
from tests.iop.factories import chain

CONFLICT = "mens du redigerte"  # Norwegian conflict message


def goal_data(goal: Goal, version: int, text: str) -> dict[str, object]:
    return {f"{goal.pk}-version": version, f"{goal.pk}-text": text}


def full_goal_data(goal: Goal, version: int, **changes: str) -> dict[str, object]:
    """Every field of the goal's form as a browser posts it, with CHANGES."""
    values = {name: getattr(goal, name) for name in ("text", "competence_aim", *Goal.CRITERIA_FIELDS)}
    values.update(changes)
    return {f"{goal.pk}-version": version, **{f"{goal.pk}-{name}": value for name, value in values.items()}}


def test_different_fields_from_the_same_version_both_survive(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    as_loaded = Goal.objects.get(pk=goal.pk)
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    a = teacher.post(url, full_goal_data(goal, 1, quality_1="Kvalitet A"), HTTP_HX_REQUEST="true")
    assert a.status_code == 200 and "hx-swap-oob" in a.content.decode()
    b = coordinator.post(url, full_goal_data(goal, 1, independence_1="Selvstendighet B"), HTTP_HX_REQUEST="true")
    body = b.content.decode()
    assert b.status_code == 200 and CONFLICT not in body
    # B's page takes A's text out of band, so B's next save does not undo it.
    assert f'id="id_{goal.pk}-quality_1"' in body and "Kvalitet A" in body
    goal.refresh_from_db()
    assert (goal.quality_1, goal.independence_1, goal.version) == ("Kvalitet A", "Selvstendighet B", 3)
    # B saves again from the form as it came back (version 3): both survive.
    assert coordinator.post(url, full_goal_data(goal, 3, independence_1="Selvstendighet B2")).status_code == 302
    goal.refresh_from_db()
    assert (goal.quality_1, goal.independence_1) == ("Kvalitet A", "Selvstendighet B2")
    # B's form as it stood at first (version 1, another window): B's own later text is not undone, A's neither.
    assert coordinator.post(url, full_goal_data(as_loaded, 1, independence_1="Selvstendighet B3")).status_code == 409
    goal.refresh_from_db()
    assert (goal.quality_1, goal.independence_1) == ("Kvalitet A", "Selvstendighet B2")


def test_the_same_field_shows_both_texts_and_each_choice_ends_in_one_state(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher, coordinator = world.client("teacher"), world.client("coordinator")
    teacher.post(url, full_goal_data(goal, 1, quality_1="Lærerens tekst"), HTTP_HX_REQUEST="true")
    stale = full_goal_data(goal, 1, quality_1="Koordinatorens tekst", independence_1="Uten strid")
    response = coordinator.post(url, stale, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == f"#goal-{goal.pk}"
    assert CONFLICT in body and "Tone Lærer" in body
    assert "Lærerens tekst" in body and "Koordinatorens tekst" in body  # both shown, nothing lost
    assert f'name="{goal.pk}-choice-quality_1"' in body and f'name="{goal.pk}-merged-quality_1"' in body
    assert 'value="2"' in body  # the form moved to the current version
    goal.refresh_from_db()
    assert goal.quality_1 == "Lærerens tekst" and goal.independence_1 != "Uten strid" and goal.version == 2
    # Without htmx the same conflict is a 409 page with the choices.
    assert coordinator.post(url, stale).status_code == 409

    def resolve(choice: str, merged: str = "") -> str:
        current = Goal.objects.get(pk=goal.pk)
        data = full_goal_data(current, current.version, quality_1="Koordinatorens tekst", independence_1="Uten strid")
        data |= {
            f"{goal.pk}-choice-quality_1": choice,
            f"{goal.pk}-theirs-quality_1": current.quality_1,
            f"{goal.pk}-merged-quality_1": merged,
        }
        answer = coordinator.post(url, data, HTTP_HX_REQUEST="true")
        page = answer.content.decode()
        assert answer.status_code == 200 and answer["HX-Retarget"] == f"#goal-{goal.pk}"
        assert CONFLICT not in page and "choice-" not in page and "Lagret" in page  # one clear state
        return Goal.objects.get(pk=goal.pk).quality_1

    assert resolve("theirs") == "Lærerens tekst"
    assert resolve("mine") == "Koordinatorens tekst"
    assert resolve("merge", "Lærerens tekst og koordinatorens") == "Lærerens tekst og koordinatorens"
    goal.refresh_from_db()
    assert goal.independence_1 == "Uten strid"


def test_a_users_saves_follow_one_another_and_a_second_window_does_not_overwrite_the_first(world: World) -> None:
    """One window's saves, each from the version the one before sent back,
    never conflict. The same user's second window (or tab, or device), still
    at the version it was opened at, gets the conflict box saying the other
    text was their own save elsewhere; the first window's text stays."""
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher = world.client("teacher")
    for version, text in enumerate(("Første", "Første og andre", "Første"), 1):
        response = teacher.post(url, full_goal_data(goal, version, text=text), HTTP_HX_REQUEST="true")
        assert CONFLICT not in response.content.decode()
        goal.refresh_from_db()
        assert (goal.text, goal.version) == (text, version + 1)
    other_tab = teacher.post(url, full_goal_data(ch.goals[0], 1, text="Fra den andre fanen"), HTTP_HX_REQUEST="true")
    body = other_tab.content.decode()
    assert "i et annet vindu eller en annen fane" in body and "Lagret av deg i et annet vindu" in body
    assert "Fra den andre fanen" in body  # the second window's text is shown, not dropped
    goal.refresh_from_db()
    assert goal.text == "Første"
    # A field only the other window changed merges silently, without undoing the first window's text.
    teacher.post(url, full_goal_data(goal, goal.version, quality_1="Kvalitet"), HTTP_HX_REQUEST="true")
    stale = teacher.post(url, full_goal_data(goal, 1, independence_1="Selvstendig"), HTTP_HX_REQUEST="true")
    assert "Lagret" in stale.content.decode()
    goal.refresh_from_db()
    assert (goal.text, goal.quality_1, goal.independence_1) == ("Første", "Kvalitet", "Selvstendig")


def test_section_and_plan_edits_are_merged_too(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    section = ch.sections[0]
    url = reverse("iop:section_update", args=[section.pk])
    base = {f"{section.pk}-version": 1, f"{section.pk}-hours": section.hours, f"{section.pk}-content": section.content}
    assert world.client("teacher").post(url, {**base, f"{section.pk}-content": "A"}).status_code == 302
    assert world.client("coordinator").post(url, {**base, f"{section.pk}-content": "B"}).status_code == 409
    url = reverse("iop:iop_update", args=[ch.iop.pk])
    data = {"version": 1, "period_start": ch.iop.period_start, "period_end": ch.iop.period_end}
    assert world.client("teacher").post(url, {**data, "ordinary_teaching": "T"}).status_code == 302
    assert world.client("coordinator").post(url, {**data, "ordinary_teaching": "K"}).status_code == 409
    assert world.client("coordinator").post(url, {**data, "ordinary_teaching": "T"}).status_code == 302  # same text


def test_publishing_after_own_saves_is_no_conflict_and_the_checklist_follows(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    iop = ch.iop
    teacher = world.client("teacher")
    publish = reverse("iop:iop_publish", args=[iop.pk])
    # The in-page save answers with the checklist, recomputed, out of band.
    data = {"version": 1, "period_start": iop.period_start, "period_end": iop.period_end, "ordinary_teaching": "Ny"}
    saved = teacher.post(reverse("iop:iop_update", args=[iop.pk]), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="plan-checklist" hx-swap-oob="true"' in saved
    # The publish button still carries version 1: first a confirmation page, no JavaScript needed.
    page = teacher.post(publish, {"version": 1})
    assert page.status_code == 200 and 'name="confirm" value="1"' in page.content.decode()
    iop.refresh_from_db()
    assert iop.status == Iop.Status.DRAFT
    response = teacher.post(
        publish, {"version": 1, "confirm": "1", "seen": services.content_stamp(Iop.objects.get(pk=iop.pk))}, follow=True
    )
    assert "Noen andre endret planen" not in response.content.decode()
    iop.refresh_from_db()
    assert iop.status == Iop.Status.PUBLISHED
    # Somebody else's save in between does stop it.
    world.client("coordinator").post(
        reverse("iop:iop_update", args=[iop.pk]), {**data, "version": iop.version, "ordinary_teaching": "K"}
    )
    response = teacher.post(
        publish,
        {"version": iop.version, "confirm": "1", "seen": services.content_stamp(Iop.objects.get(pk=iop.pk))},
        follow=True,
    )
    assert "Noen andre endret planen" in response.content.decode()


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
    # One history row per series of one teacher's saves (iop.collapse); each save is counted once.
    assert sum(Goal.history.filter(id=goal.pk, history_type="~").values_list("history_saves", flat=True)) == 8


def test_the_merge_rules_on_plain_values() -> None:
    """merge_values alone: what is written, what conflicts, what the form takes."""
    at = timezone.now()
    other, me = concurrency.Step(2, "Kari", at, {"a": "A2", "b": "B"}), 1
    base = {"a": "A", "b": "B"}
    # Disjoint: mine is written, theirs is adopted by the form.
    write, clashes, adopt = concurrency.merge_values(
        base=base, steps=[other], current={"a": "A2", "b": "B"}, submitted={"a": "A", "b": "B2"}, actor_id=me
    )
    assert (write, clashes, adopt) == ({"b": "B2"}, [], {"a": "A2"})
    # The same field: a clash naming who, nothing written.
    write, clashes, adopt = concurrency.merge_values(
        base=base, steps=[other], current={"a": "A2", "b": "B"}, submitted={"a": "A3", "b": "B"}, actor_id=me
    )
    assert write == {} and [(c.name, c.mine, c.theirs, c.who) for c in clashes] == [("a", "A3", "A2", "Kari")]
    # My own later save (from another window) counts too: my form's stale text does not undo it,
    # and a different text of mine is a clash marked as my own.
    mine = concurrency.Step(me, "Meg", at, {"a": "A2", "b": "B"})
    write, clashes, adopt = concurrency.merge_values(
        base=base, steps=[mine], current={"a": "A2", "b": "B"}, submitted={"a": "A", "b": "B2"}, actor_id=me
    )
    assert (write, clashes, adopt) == ({"b": "B2"}, [], {"a": "A2"})
    write, clashes, _adopt = concurrency.merge_values(
        base=base, steps=[mine], current={"a": "A2", "b": "B"}, submitted={"a": "A3", "b": "B"}, actor_id=me
    )
    assert write == {} and [(c.name, c.who, c.own) for c in clashes] == [("a", "Meg", True)]
    # No base known: every difference is a clash (nothing is overwritten blindly).
    _write, clashes, _adopt = concurrency.merge_values(
        base=None, steps=[], current={"a": "A2"}, submitted={"a": "A3"}, actor_id=me
    )
    assert [c.name for c in clashes] == ["a"]


def test_a_vedtak_draft_merges_fields_and_treats_its_subject_rows_as_one_field(world: World) -> None:
    ch = chain(world.pupil_a, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None)
    vedtak = ch.vedtak
    coordinator = world.user("coordinator")
    assert coordinator is not None
    # Somebody else saves a new organisation note and new hours (version 2).
    other = Enkeltvedtak.objects.get(pk=vedtak.pk)
    other.organisation_note, other.version = "Liten gruppe", 2
    other._history_user = world.user("coordinator_other")  # type: ignore[attr-defined]
    other.save()
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(hours=100)
    rows = [
        {"subject": s.subject, "hours": 76, **{f: getattr(s, f) for f in services.VEDTAK_SUBJECT_FIELDS[1:]}}
        for s in EnkeltvedtakSubject.objects.filter(vedtak=vedtak)
    ]
    data = {name: getattr(vedtak, name) for name in services.VEDTAK_FIELDS}
    # From version 1: a different field merges, the old rows are a "subjects" clash.
    with pytest.raises(concurrency.EditConflict) as exc:
        services.vedtak_update(
            actor=coordinator, vedtak=vedtak, version=1, data={**data, "appeal_info": "Ny klagetekst"}, subjects=rows
        )
    assert [c.name for c in exc.value.clashes] == ["subjects"]
    rows = [{**row, "hours": 100} for row in rows]
    services.vedtak_update(
        actor=coordinator, vedtak=vedtak, version=1, data={**data, "appeal_info": "Ny klagetekst"}, subjects=rows
    )
    stored = Enkeltvedtak.objects.get(pk=vedtak.pk)
    assert (stored.organisation_note, stored.appeal_info) == ("Liten gruppe", "Ny klagetekst")


REPORT = "Eleven leser korte tekster.\n\nEleven skriver enkle setninger.\n\nEleven regner med tall til tjue."


def test_edits_in_different_parts_merge_into_one_text_without_repeating_the_rest() -> None:
    mine = REPORT.replace("korte tekster.", "korte tekster høyt.")
    theirs = REPORT.replace("til tjue.", "til hundre.")
    merged = concurrency.merge_text(REPORT, mine, theirs)
    assert merged.clean
    assert merged.text == (
        "Eleven leser korte tekster høyt.\n\nEleven skriver enkle setninger.\n\nEleven regner med tall til hundre."
    )
    # Two edits of one sentence at different words join too.
    one = concurrency.merge_text("Leser korte tekster", "Leser lange tekster", "Leser korte tekster høyt")
    assert one == concurrency.MergedText("Leser lange tekster høyt", True)


def test_overlapping_edits_show_both_versions_of_only_that_part_marked() -> None:
    mine = REPORT.replace("enkle setninger.", "lengre setninger med hjelp.")
    theirs = REPORT.replace("enkle setninger.", "enkle setninger og korte brev.")
    merged = concurrency.merge_text(REPORT, mine, theirs)
    assert not merged.clean
    assert merged.text.count("Eleven leser korte tekster.") == 1 and merged.text.count("til tjue.") == 1
    assert ">>> Din tekst:\nEleven skriver lengre setninger med hjelp.\n" in merged.text
    theirs_marked = ">>> Den andre teksten:\nEleven skriver enkle setninger og korte brev.\n<<< Slutt på de to"
    assert theirs_marked in merged.text


class _Inputs(HTMLParser):
    """The values a browser would post from a rendered form (hidden, text,
    checked radios, textareas, selects: the selected option, else the first)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._chosen = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and (a.get("type") != "radio" or "checked" in a):
            self.values[a["name"]] = a.get("value", "")
        if tag == "textarea":
            self._textarea = a.get("name")
            self.values[a["name"]] = ""
        if tag == "select" and a.get("name"):
            self._select, self._chosen = a["name"], False
        if tag == "option" and self._select and not self._chosen:
            if self._select not in self.values or "selected" in a:
                self.values[self._select] = a.get("value", "")
            self._chosen = "selected" in a

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea:
            value = self.values[self._textarea]
            self.values[self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        if tag == "select":
            self._select = None


def posted(body: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(body)
    return parser.values


def _goal_conflict(world: World, mine: str, theirs: str) -> tuple[Goal, str, dict[str, str]]:
    """The teacher saves THEIRS, then the coordinator, from the same version, MINE: the conflict form's values."""
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    url = reverse("iop:goal_update", args=[goal.pk])
    teacher = world.client("teacher")
    teacher.post(url, full_goal_data(goal, 1, text=REPORT), HTTP_HX_REQUEST="true")  # the base, version 2
    teacher.post(url, full_goal_data(goal, 2, text=theirs), HTTP_HX_REQUEST="true")
    answer = world.client("coordinator").post(url, full_goal_data(goal, 2, text=mine), HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert CONFLICT in body
    return goal, url, posted(body)


def test_a_clean_merge_is_chosen_and_takes_what_was_typed_after_the_conflict(world: World) -> None:
    mine = REPORT.replace("korte tekster.", "korte tekster høyt.")
    theirs = REPORT.replace("til tjue.", "til hundre.")
    goal, url, data = _goal_conflict(world, mine, theirs)
    key = f"{goal.pk}-text"
    assert data[f"{goal.pk}-choice-text"] == "merge"  # pre-selected: it joins both without repeating
    assert data[f"{goal.pk}-merged-text"].count("Eleven skriver enkle setninger.") == 1
    # The coordinator types on in the goal field after the conflict appeared, then saves as the form stands.
    data[key] = data[key].replace("høyt.", "høyt. ETTERPAA")
    answer = world.client("coordinator").post(url, data, HTTP_HX_REQUEST="true")
    assert CONFLICT not in answer.content.decode()
    assert Goal.objects.get(pk=goal.pk).text == (
        "Eleven leser korte tekster høyt. ETTERPAA\n\n"
        "Eleven skriver enkle setninger.\n\nEleven regner med tall til hundre."
    )


def test_an_overlap_keeps_my_text_by_default_and_typing_on_is_never_lost(world: World) -> None:
    mine = REPORT.replace("enkle setninger.", "lange setninger.")
    theirs = REPORT.replace("enkle setninger.", "korte setninger.")
    goal, url, data = _goal_conflict(world, mine, theirs)
    key, choice = f"{goal.pk}-text", f"{goal.pk}-choice-text"
    assert data[choice] == "mine" and ">>> Din tekst:" in data[f"{goal.pk}-merged-text"]
    coordinator = world.client("coordinator")
    # Typed on, then chose the (now stale) merged text: nothing is written, the conflict shows the text as it stands.
    data[key] = data[key] + " ETTERPAA"
    again = coordinator.post(url, {**data, choice: "merge"}, HTTP_HX_REQUEST="true").content.decode()
    assert CONFLICT in again and Goal.objects.get(pk=goal.pk).text == theirs
    fresh = posted(again)
    assert fresh[key].endswith(" ETTERPAA")
    assert "ETTERPAA" in fresh[f"{goal.pk}-merged-text"]
    # The default (keep mine) saves the field as typed.
    coordinator.post(url, fresh, HTTP_HX_REQUEST="true")
    assert Goal.objects.get(pk=goal.pk).text == mine + " ETTERPAA"


def test_blanks_a_form_strips_around_a_text_are_no_edit_in_a_merge() -> None:
    # A generated draft ends in a line break; the forms strip it on every save.
    base = REPORT + "\n"
    theirs = "Ny første linje.\n" + REPORT
    mine = base + "\nNy siste linje."
    merged = concurrency.merge_text(base, mine, theirs)
    assert merged == concurrency.MergedText(f"Ny første linje.\n{REPORT}\n\nNy siste linje.", True)


def test_a_remade_merge_reads_its_base_from_the_history_not_from_the_page(world: World) -> None:
    mine = REPORT.replace("korte tekster.", "korte tekster høyt.")
    theirs = REPORT.replace("til tjue.", "til hundre.")
    goal, url, data = _goal_conflict(world, mine, theirs)
    key = f"{goal.pk}-text"
    assert data[f"{goal.pk}-choice-text"] == "merge"
    # A page posting another base (here the other text) cannot make the merge drop the other edit.
    data[f"{goal.pk}-base-text"] = theirs
    data[key] = data[key].replace("høyt.", "høyt. ETTERPAA")
    answer = world.client("coordinator").post(url, data, HTTP_HX_REQUEST="true")
    assert CONFLICT not in answer.content.decode()
    assert Goal.objects.get(pk=goal.pk).text == (
        "Eleven leser korte tekster høyt. ETTERPAA\n\n"
        "Eleven skriver enkle setninger.\n\nEleven regner med tall til hundre."
    )


def test_a_merged_text_the_user_wrote_stays_chosen_when_they_typed_on_in_the_field(world: World) -> None:
    """The conflict box, the user's own merged text chosen, and text typed in
    the field after the box appeared: nothing is written, and the box comes
    back with the user's merged text still chosen (not "keep my text", which
    would drop the other person's change) and says what was typed after."""
    mine = REPORT.replace("enkle setninger.", "lange setninger.")
    theirs = REPORT.replace("enkle setninger.", "korte setninger.")
    goal, url, data = _goal_conflict(world, mine, theirs)
    key, choice, merged = f"{goal.pk}-text", f"{goal.pk}-choice-text", f"{goal.pk}-merged-text"
    own = REPORT.replace("enkle setninger.", "lange og korte setninger.")
    data[key] = data[key] + " ETTERPAA"
    again = world.client("coordinator").post(url, {**data, choice: "merge", merged: own}, HTTP_HX_REQUEST="true")
    body = again.content.decode()
    assert CONFLICT in body and Goal.objects.get(pk=goal.pk).text == theirs  # nothing written
    fresh = posted(body)
    assert fresh[choice] == "merge" and fresh[merged] == own and fresh[key].endswith(" ETTERPAA")
    assert "Det du skrev i skjemaet etter at denne boksen kom fram, er ikke med" in body
    world.client("coordinator").post(url, fresh, HTTP_HX_REQUEST="true")
    assert Goal.objects.get(pk=goal.pk).text == own  # the merged text, with the other person's change


def test_the_merged_text_with_both_versions_still_marked_is_not_saved(world: World) -> None:
    """Choosing the proposal of an overlap and saving it as it stands would
    make the marker lines the goal's text, and publish them to the guardians:
    the form says what to do, and the goal keeps its text."""
    mine = REPORT.replace("enkle setninger.", "lange setninger.")
    theirs = REPORT.replace("enkle setninger.", "korte setninger.")
    goal, url, data = _goal_conflict(world, mine, theirs)
    choice, merged = f"{goal.pk}-choice-text", f"{goal.pk}-merged-text"
    assert ">>> Din tekst:" in data[merged] and "<<< Slutt på de to versjonene" in data[merged]
    refused = world.client("coordinator").post(url, {**data, choice: "merge"}, HTTP_HX_REQUEST="true")
    page = refused.content.decode()
    assert "Teksten har fortsatt begge versjonene mellom merkelinjene" in page
    assert Goal.objects.get(pk=goal.pk).text == theirs
    # Written as it should read, it saves.
    data[merged] = mine
    world.client("coordinator").post(url, {**data, choice: "merge"}, HTTP_HX_REQUEST="true")
    assert Goal.objects.get(pk=goal.pk).text == mine
