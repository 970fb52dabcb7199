"""Competence aims on IOP goals: the picker, the vedtak and expiry flags, and the læringsbank."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from curriculum.models import GrepStatus
from iop import history, services
from iop.models import BankEntry, EnkeltvedtakSubject, Goal
from tests import factories as f
from tests.conftest import World
from tests.iop.factories import aim, chain

HTMX = {"HTTP_HX_REQUEST": "true"}
ATTRIBUTION = "Inneholder data under NLOD, tilgjengeliggjort på data.udir.no"


def test_a_teacher_finds_attaches_and_sees_an_aim_on_the_iop(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    wanted = aim("KM9001", "telle til hundre og sortere mengder", year=2)  # below the pupil's year 5
    aim("KM9002", "regne med brøker", year=7)
    teacher = world.client("teacher")

    page = teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    assert reverse("iop:goal_editor", args=[goal.pk]) in page  # the goal reads as text, its form comes on demand
    editor = teacher.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()
    assert 'name="aims-' not in editor  # the picker's fields are prefixed by the goal
    assert f'id="aims-{goal.pk}-q"' in editor and "Matematikk" in editor

    found = teacher.get(
        reverse("iop:goal_aims", args=[goal.pk]), {"q": "telle", "fag": "Matematikk", "trinn": "2"}, **HTMX
    )
    assert found.status_code == 200
    body = found.content.decode()
    assert "KM9001" in body and "KM9002" not in body and ATTRIBUTION in body

    attached = teacher.post(reverse("iop:goal_aims_update", args=[goal.pk]), {"add": wanted.pk}, **HTMX)
    assert attached.status_code == 200 and "KM9001" in attached.content.decode()
    assert list(goal.competence_aims.values_list("code", flat=True)) == ["KM9001"]

    read = world.client("guardian_a").get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    # A parent reads the aim's words, not its code.
    assert "KM9001" not in read and "telle til hundre og sortere mengder" in read and ATTRIBUTION in read

    teacher.post(reverse("iop:goal_aims_update", args=[goal.pk]), {"remove": wanted.pk})
    assert not goal.competence_aims.exists()


def test_an_aim_is_named_by_its_words_and_its_code_comes_after_them(world: World) -> None:
    """The buttons to attach and remove an aim are named by the aim's words
    (not "Fjern: KMDEMO11"), and the teacher's reading view shows the aim as
    the parent's does, its words first, with the code after them."""
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    wanted = aim("KMDEMO11", "telle til hundre og sortere mengder", year=2)
    teacher = world.client("teacher")
    found = teacher.get(
        reverse("iop:goal_aims", args=[goal.pk]), {"q": "telle", "fag": "Matematikk", "trinn": "2"}, **HTMX
    ).content.decode()
    assert '<span class="visually-hidden">: telle til hundre og sortere mengder</span>' in found
    assert ": KMDEMO11</span>" not in found and "<strong>KMDEMO11" not in found
    goal.competence_aims.add(wanted)

    editor = teacher.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()
    remove = editor[editor.index(f'name="remove" value="{wanted.pk}"') :].split("</button>", 1)[0]
    assert remove.endswith('Fjern<span class="visually-hidden">: telle til hundre og sortere mengder</span>'), remove

    page = teacher.get(reverse("iop:iop_detail", args=[ch.iop.pk])).content.decode()  # type: ignore[union-attr]
    item = page[page.index('<li data-aim="KMDEMO11">') :].split("</li>", 1)[0]
    assert "<strong>KMDEMO11" not in item
    words = item.index("telle til hundre og sortere mengder")
    assert words < item.index("KMDEMO11)"), item


def test_an_aim_the_vedtak_leaves_out_is_flagged_and_others_are_not(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    EnkeltvedtakSubject.objects.filter(vedtak=ch.vedtak).update(
        curriculum_deviations="Kompetansemålene KM9001 og KM9003 tas ut."
    )
    goal.competence_aims.add(aim("KM90010"), aim("KM9002"))  # neither is named: a longer code is not KM9001
    url = reverse("iop:iop_detail", args=[ch.iop.pk])  # type: ignore[union-attr]
    teacher = world.client("teacher")
    assert 'data-flag="goal_aim_in_vedtak_deviations"' not in teacher.get(url).content.decode()

    goal.competence_aims.add(aim("KM9001"))
    page = teacher.get(url).content.decode()
    assert page.count('data-flag="goal_aim_in_vedtak_deviations"') == 1 and "KM9001" in page


def test_expired_and_replaced_aims_are_flagged_on_the_iop_and_the_overview(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    current = aim("KM9002", "lese og skrive tall til tusen")
    goal.competence_aims.add(current)
    coordinator = world.client("coordinator")
    iop_url = reverse("iop:iop_detail", args=[ch.iop.pk])  # type: ignore[union-attr]
    assert "goal_aim_expired" not in coordinator.get(iop_url).content.decode()
    assert "goal_aim_expired" not in coordinator.get(reverse("iop:overview")).content.decode()

    goal.competence_aims.add(aim("KM9001", status=GrepStatus.EXPIRED, replaced_by=current))
    page = coordinator.get(iop_url).content.decode()
    assert 'data-flag="goal_aim_expired"' in page and "KM9002: lese og skrive tall til tusen" in page
    overview = coordinator.get(reverse("iop:overview")).content.decode()
    assert 'data-flag="goal_aim_expired"' in overview and "KM9002" in overview


def test_the_learning_bank_suggests_shared_entries_of_the_same_skoleeier_most_copied_first(world: World) -> None:
    shared = aim("KM9001")
    mine = chain(world.pupil_a).goals[0]
    mine.competence_aims.add(shared)
    for goal in chain(world.pupil_b, goals=2).goals:  # live goals of another pupil are never suggested
        Goal.objects.filter(pk=goal.pk).update(text="Bjørn teller til 100.")
        goal.competence_aims.add(shared)
    kommune = world.school1.skoleeier
    popular = BankEntry.objects.create(
        skoleeier=kommune, text="Eleven teller til 100.", criteria={"quality_1": "Teller til 20 med støtte."}, uses=3
    )
    rare = BankEntry.objects.create(skoleeier=kommune, text="Sorterer mengder etter størrelse.", uses=1)
    other = BankEntry.objects.create(skoleeier=f.SkoleeierFactory(), text="Fra en annen kommune.")
    unaimed = BankEntry.objects.create(skoleeier=kommune, text="Et mål uten dette kompetansemålet.")
    for entry in (popular, rare, other):
        entry.competence_aims.add(shared)
    unaimed.competence_aims.add(aim("KM9002"))

    teacher = world.client("teacher")
    body = teacher.get(reverse("iop:goal_bank", args=[mine.pk]), **HTMX).content.decode()
    assert "Fra en annen kommune" not in body and "Bjørn" not in body and "uten dette" not in body
    assert body.index("Eleven teller til 100") < body.index("Sorterer mengder")  # copied 3 times, then once

    used = teacher.post(reverse("iop:goal_bank_use", args=[mine.pk]), {"source": rare.pk}, **HTMX)
    assert used.status_code == 200
    mine.refresh_from_db()
    rare.refresh_from_db()
    assert mine.text == "Sorterer mengder etter størrelse." and mine.version == 2 and rare.uses == 2
    for refused in (other, unaimed):
        assert teacher.post(reverse("iop:goal_bank_use", args=[mine.pk]), {"source": refused.pk}).status_code == 404
    assert teacher.post(reverse("iop:goal_bank_use", args=[mine.pk]), {"source": "abc"}).status_code == 404


def test_attaching_and_removing_an_aim_is_in_the_history_naming_the_goal(world: World) -> None:
    ch = chain(world.pupil_a)
    assert ch.iop is not None
    goal = ch.goals[0]
    wanted = aim("KM9001", "telle til hundre og sortere mengder", year=2)
    teacher = world.client("teacher")
    history = reverse("iop:history", args=["iop", ch.iop.pk])
    teacher.post(reverse("iop:goal_aims_update", args=[goal.pk]), {"add": wanted.pk}, **HTMX)
    page = teacher.get(history).content.decode()
    assert "Kompetansemål" in page and "KM9001 telle til hundre og sortere mengder" in page
    assert f"Læringsmål: {goal.text[:40]}" in page and "Tone Lærer" in page
    # Removed later than HISTORY_COLLAPSE_MINUTES after: an entry of its own (within it, one
    # entry with the net change would stand for both, see tests/iop/test_history_collapse.py).
    later = timezone.now() + datetime.timedelta(minutes=settings.HISTORY_COLLAPSE_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        teacher.post(reverse("iop:goal_aims_update", args=[goal.pk]), {"remove": wanted.pk}, **HTMX)
    page = teacher.get(history).content.decode()
    assert page.count("KM9001 telle til hundre og sortere mengder") == 2  # attached, then removed
    # A deleted goal is named by its words.
    teacher.post(reverse("iop:goal_delete", args=[goal.pk]))
    page = teacher.get(history).content.decode()
    assert "Slettet" in page and f"Læringsmål: {goal.text[:40]}" in page


def test_the_goal_form_has_one_aim_input_and_free_text_only_as_a_fallback(world: World) -> None:
    import re

    ch = chain(world.pupil_a, goals=2)
    plain, written = ch.goals[0], ch.goals[1]
    Goal.objects.filter(pk=plain.pk).update(competence_aim="")
    Goal.objects.filter(pk=written.pk).update(competence_aim="Eget mål: skrive korte tekster")
    teacher = world.client("teacher")

    def editor(goal: Goal) -> str:
        return teacher.get(reverse("iop:goal_editor", args=[goal.pk]), **HTMX).content.decode()

    def fallback(goal: Goal) -> str:
        """The goal's form, from its opening to the end of its fallback box."""
        form = editor(goal).split(f'data-draft="goal:{goal.pk}"', 1)[1].split("</form>", 1)[0]
        match = re.search(r'<details class="iop-aim-fallback"( open)?>.*?</details>', form, re.S)
        assert match, form
        before = form[: match.start()]
        assert f'name="{goal.pk}-competence_aim"' not in before  # the free text only inside the fallback
        assert f'name="{goal.pk}-competence_aim"' in match.group(0)
        return match.group(0)

    # The picker is the aim input; the free text waits folded away …
    assert not fallback(plain).startswith('<details class="iop-aim-fallback" open')
    assert f'id="aims-{plain.pk}-q"' in editor(plain) and "Finn kompetansemål" in editor(plain)
    # … and is open with its text where a goal already has one (nothing is lost).
    shown = fallback(written)
    assert shown.startswith('<details class="iop-aim-fallback" open>') and "Eget mål: skrive korte tekster" in shown
    assert "Kompetansemål som ikke finnes i listen" in shown


def test_every_field_label_in_a_goals_history_starts_with_a_capital(world: World) -> None:
    ch = chain(world.pupil_a)
    goal = ch.goals[0]
    services.goal_update(actor=world.user("teacher"), goal=goal, version=goal.version, data={"text": "Leser høyt"})
    labels = [f.label for c in history.changes([(Goal, Goal.history.filter(id=goal.pk))]) for f in c.fields]
    assert "Læringsmål" in labels and "læringsmål" not in labels
    assert labels and all(label[:1].isupper() for label in labels), labels


def test_the_year_levels_of_upper_secondary_are_named_vg() -> None:
    from django.utils import translation

    from iop.forms import AimSearchForm

    with translation.override("nb"):
        labels = [str(label) for _value, label in AimSearchForm().fields["trinn"].choices]
    assert "Etter 10. trinn" in labels and "Etter Vg1" in labels and "Etter Vg3" in labels
    assert not any("Vg1." in label for label in labels)
