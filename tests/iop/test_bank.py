"""The læringsbank: de-identification (a pure function), sharing a goal
with a preview, the bank's suggestions and list, and removal by a coordinator."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from iop import bank
from iop.models import BankEntry, Goal, Iop
from students.models import StaffMembership
from tests import factories as f
from tests.conftest import World
from tests.iop.factories import aim, chain

PUPIL = ["Olivia", "Hansen"]
OTHERS = ["Jonas Hansen", "Kari Nordmann-Li", "Tone Lærer", "Per Olsen"]


def clean(text: str, **kwargs: object) -> str:
    return bank.deidentify(text, own_names=PUPIL, other_names=OTHERS, **kwargs)  # type: ignore[arg-type]


# --- the pure function ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Olivia leser 100 ord.", "Eleven leser 100 ord."),
        ("Eleven leser Olivias tekst.", "Eleven leser elevens tekst."),
        ("Eleven leser Olivia's tekst.", "Eleven leser elevens tekst."),
        ("Eleven leser Olivia’s tekst.", "Eleven leser elevens tekst."),
        ("Eleven leser Olivia Hansens tekst.", "Eleven leser elevens tekst."),
        ("Eleven hjelper Jonas' lillebror.", "Eleven hjelper [navn] lillebror."),
        ("Eleven leser sammen med Jonas Hansen.", "Eleven leser sammen med [navn]."),
        ("Eleven leser sammen med jonas hansen.", "Eleven leser sammen med [navn]."),
        ("Eleven spør olivia om hjelp.", "Eleven spør eleven om hjelp."),
        ("Eleven leser med Kari Nordmann-Li hver dag.", "Eleven leser med [navn] hver dag."),
        ("Eleven teller 3 ganger per uke.", "Eleven teller 3 ganger [navn] uke."),  # a name that is a word: removed
        ("Eleven regner med oliviaer og hansken.", "Eleven regner med oliviaer og hansken."),
        ("", ""),
    ],
)
def test_every_known_name_is_replaced_in_every_form(text: str, wanted: str) -> None:
    assert clean(text) == wanted


def test_a_word_containing_a_name_another_word_is_left_alone() -> None:
    assert clean("Eleven bruker tonefall og perler.") == "Eleven bruker tonefall og perler."


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Mor sier Olivia har angst i friminuttene.", "angst"),
        ("Eleven har ADHD og trenger pauser.", "ADHD"),
        ("Eleven har skoleangst.", "skoleangst"),
        ("Eleven tar medisiner før lunsj.", "medisiner"),
        ("Eleven har dysleksi.", "dysleksi"),
        ("Eleven har ångest inför prov.", "ångest"),
    ],
)
def test_health_words_are_refused_with_the_word(text: str, word: str) -> None:
    with pytest.raises(bank.Refused) as refused:
        clean(text)
    assert ("health", word) in refused.value.problems
    assert any(f"«{word}»" in message for message in refused.value.messages)


def test_a_parents_words_about_health_are_refused_and_the_name_is_gone_from_the_reasons() -> None:
    with pytest.raises(bank.Refused) as refused:
        clean("Mor sier Olivia har angst.")
    assert refused.value.problems == [("health", "angst"), ("private", "Mor sier")]
    assert "Olivia" not in " ".join(refused.value.messages)


def test_an_unknown_capitalised_word_inside_a_sentence_is_refused_as_a_possible_name() -> None:
    with pytest.raises(bank.Refused) as refused:
        clean("Eleven leser med Sigrid hver dag.")
    assert refused.value.problems == [("name", "Sigrid")]
    # sentence starts, curriculum terms, abbreviations and codes are not names
    text = "Eleven regner i Matematikk. Hun bruker KRLE-ord og KM1234. «Jeg kan.» Norge og Sverige."
    assert clean(text) == text


def test_the_health_list_is_a_setting() -> None:
    assert clean("Eleven har astma.", sensitive=["migrene"]) == "Eleven har astma."
    with override_settings(IOP_BANK_SENSITIVE_WORDS=["migrene"]):
        assert bank.sensitive_words() == ("migrene",)
        with pytest.raises(bank.Refused):
            clean("Eleven har migrene.", sensitive=bank.sensitive_words())


# --- sharing, suggestions, the list and removal ----------------------------------------

NB = {"HTTP_ACCEPT_LANGUAGE": "nb"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def shared_goal(world: World, text: str, **criteria: str) -> Goal:
    """Pupil A's first goal in a published IOP, with TEXT and an aim (KM9001)."""
    goal = chain(world.pupil_a).goals[0]
    Goal.objects.filter(pk=goal.pk).update(text=text, **criteria)
    goal.refresh_from_db()
    goal.competence_aims.add(aim())
    return goal


def foreigner() -> tuple[object, Goal]:
    """A coordinator of a school of another skoleeier, with a goal on the same aim."""
    pupil = f.pupil_in(f.GroupFactory(name="9X", year_level=9), first_name="Ukjent")
    user = f.UserFactory(email="fremmed@test.example", full_name="Frida Fremmed")
    f.member(user, pupil.school, StaffMembership.Role.KOORDINATOR)
    goal = chain(pupil).goals[0]
    goal.competence_aims.add(aim())
    return user, goal


def test_a_teacher_sees_exactly_the_shared_text_before_sharing_and_the_bank_reads_only_the_copy(
    world: World, django_assert_max_num_queries: object
) -> None:
    goal = shared_goal(
        world,
        "Anna leser Bjørns bok høyt for Tone Lærer.",
        quality_1="Anna leser med Aud Foresatt hjemme.",
    )
    teacher = world.client("teacher")
    url = reverse("iop:goal_share", args=[goal.pk])
    page = teacher.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Eleven leser [navn] bok høyt for [navn]." in body and "Eleven leser med [navn] hjemme." in body
    preview = body.split('data-testid="bank-preview"', 1)[1].split("</form>", 1)[0]
    for name in ("Anna", "Bjørn", "Tone", "Aud", "Foresatt", "Aasen"):
        assert name not in preview
    assert not BankEntry.objects.exists()  # a preview shares nothing

    shared = teacher.post(url, {"version": str(goal.version)})
    assert shared.status_code == 302
    entry = BankEntry.objects.get()
    assert entry.text == "Eleven leser [navn] bok høyt for [navn]."
    assert entry.criteria["quality_1"] == "Eleven leser med [navn] hjemme."
    assert entry.skoleeier_id == world.school1.skoleeier_id and entry.source_goal_id == goal.pk
    assert list(entry.competence_aims.values_list("code", flat=True)) == ["KM9001"]
    assert teacher.post(url, {"version": str(goal.version)}).status_code == 302
    assert BankEntry.objects.count() == 1  # the same text again: the same entry

    # The live goal changes; the bank keeps the copy it was given.
    Goal.objects.filter(pk=goal.pk).update(text="Anna har fått ny tekst.")
    other = chain(world.pupil_c).goals[0]  # school 2, the same skoleeier
    other.competence_aims.add(aim())
    coordinator_other = world.client("coordinator_other")
    suggestions = coordinator_other.get(reverse("iop:goal_bank", args=[other.pk]), **HTMX).content.decode()
    assert "Eleven leser [navn] bok høyt for [navn]." in suggestions and "ny tekst" not in suggestions
    used = coordinator_other.post(reverse("iop:goal_bank_use", args=[other.pk]), {"source": str(entry.pk)})
    assert used.status_code == 302
    other.refresh_from_db()
    entry.refresh_from_db()
    assert other.text == entry.text and other.quality_1 == entry.criteria["quality_1"] and entry.uses == 1

    # Another skoleeier never sees it: not suggested, not listed, 404 on its address.
    stranger, foreign_goal = foreigner()
    client = world.client("teacher")
    client.force_login(stranger)  # type: ignore[arg-type]
    assert entry.text not in client.get(reverse("iop:goal_bank", args=[foreign_goal.pk]), **HTMX).content.decode()
    assert entry.text not in client.get(reverse("iop:bank_list")).content.decode()
    assert client.get(reverse("iop:bank_entry_remove", args=[entry.pk])).status_code == 404
    assert client.post(reverse("iop:bank_entry_remove", args=[entry.pk])).status_code == 404
    refused = client.post(reverse("iop:goal_bank_use", args=[foreign_goal.pk]), {"source": str(entry.pk)})
    assert refused.status_code == 404


def test_personal_text_is_refused_with_the_reason_and_nothing_is_shared(world: World) -> None:
    goal = shared_goal(world, "Mor sier Anna har angst før matteprøver.")
    teacher = world.client("teacher")
    url = reverse("iop:goal_share", args=[goal.pk])
    body = teacher.get(url, **NB).content.decode()
    assert "Teksten nevner helse: «angst». Skriv om før du deler." in body
    assert 'name="version"' not in body and "Anna" not in body.split("iop-bank-share", 1)[1]
    assert teacher.post(url, {"version": str(goal.version)}).status_code == 302
    assert not BankEntry.objects.exists()

    Goal.objects.filter(pk=goal.pk).update(text="Eleven leser med Sigrid.")
    body = teacher.get(url, **NB).content.decode()
    assert "«Sigrid»" in body and 'name="version"' not in body


def test_only_published_goals_can_be_shared_and_only_the_version_seen(world: World) -> None:
    draft = chain(world.pupil_b, iop_status=Iop.Status.DRAFT).goals[0]
    draft.competence_aims.add(aim())
    coordinator = world.client("coordinator")
    url = reverse("iop:goal_share", args=[draft.pk])
    assert "Bare mål i en publisert IOP" in coordinator.get(url).content.decode()
    assert coordinator.post(url, {"version": str(draft.version)}).status_code == 302
    assert not BankEntry.objects.exists()

    goal = shared_goal(world, "Eleven leser 100 ord.")
    url = reverse("iop:goal_share", args=[goal.pk])
    stale = coordinator.post(url, {"version": str(goal.version - 1)}, follow=True)
    assert "Målet er endret siden du så forhåndsvisningen" in stale.content.decode()
    assert not BankEntry.objects.exists()
    goal.competence_aims.clear()
    assert "Knytt målet til et kompetansemål" in coordinator.get(url).content.decode()


def test_a_coordinator_of_the_skoleeier_removes_an_entry_after_confirming(world: World) -> None:
    entry = BankEntry.objects.create(skoleeier=world.school1.skoleeier, text="Eleven teller til 100.")
    url = reverse("iop:bank_entry_remove", args=[entry.pk])
    assert world.client("teacher").get(url).status_code == 403
    assert world.client("teacher").post(url).status_code == 403
    coordinator = world.client("coordinator_other")  # school 2, the same skoleeier
    listed = coordinator.get(reverse("iop:bank_list")).content.decode()
    assert "Eleven teller til 100." in listed and url in listed
    assert url not in world.client("teacher").get(reverse("iop:bank_list")).content.decode()
    confirm = coordinator.get(url)
    assert confirm.status_code == 200 and BankEntry.objects.filter(pk=entry.pk).exists()
    assert coordinator.post(url).status_code == 302
    assert not BankEntry.objects.filter(pk=entry.pk).exists()


def test_the_bank_pages_run_a_fixed_number_of_queries(world: World) -> None:
    from tests.queries import assert_same_queries, page_queries

    goal = shared_goal(world, "Eleven leser 100 ord.", quality_1="Eleven leser med støtte fra Tone.")
    coordinator = world.client("coordinator")
    pages = [
        reverse("iop:goal_share", args=[goal.pk]),
        reverse("iop:bank_list"),
        reverse("iop:goal_bank", args=[goal.pk]),
    ]
    kommune = world.school1.skoleeier
    BankEntry.objects.create(skoleeier=kommune, text="Eleven teller.").competence_aims.add(aim())
    small = [page_queries(coordinator, url, warm=True) for url in pages]
    for n in range(12):
        f.pupil_in(world.group_b, first_name=f"Elev{n}")
        entry = BankEntry.objects.create(skoleeier=kommune, text=f"Eleven teller til {n}.", criteria={"quality_1": "x"})
        entry.competence_aims.add(aim(), aim(f"KM80{n:02d}"))
    assert_same_queries(small, [page_queries(coordinator, url) for url in pages])


def test_the_demo_shares_de_identified_goals(db: None) -> None:
    from curriculum import demo as curriculum_demo
    from iop import demo
    from students import demo as students_demo
    from students.models import Pupil

    students_demo.create()
    curriculum_demo.create()
    demo.create()
    entries = list(BankEntry.objects.prefetch_related("competence_aims__curriculum"))
    assert 2 <= len([e for e in entries if e.source_goal_id is not None]) <= 3
    assert len([e for e in entries if e.source_goal_id is None]) == len(demo.BANK_EXAMPLES)
    subjects = {aim.curriculum.short_title for e in entries for aim in e.competence_aims.all()}
    assert {"Matematikk", "Norsk", "Engelsk"} <= subjects  # examples in every demo subject
    names = bank.name_parts(f"{p.first_name} {p.last_name}" for p in Pupil.objects.all())
    for entry in entries:
        assert entry.competence_aims.all()
        assert not names & bank.name_parts([entry.text, *entry.criteria.values()])


def test_a_swedish_school_shares_in_swedish_words(world: World) -> None:
    world.school1.language = "sv"
    world.school1.save(update_fields=["language"])
    goal = shared_goal(world, "Anna läser med Bjørn Berg.")
    teacher = world.client("teacher")
    url = reverse("iop:goal_share", args=[goal.pk])
    assert "Eleven läser med [namn]." in teacher.get(url).content.decode()
    Goal.objects.filter(pk=goal.pk).update(text="Annas mamma säger att Anna har ångest.")
    assert "Texten nämner hälsa: «ångest». Skriv om innan du delar." in teacher.get(url).content.decode()


@pytest.mark.parametrize(
    ("text", "kind", "word"),
    [
        ("Foreldrene er skilt og barnevernet følger opp.", "private", "barnevern"),
        ("Mor sier hun er lei seg.", "private", "Mor sier"),
        ("Eleven (f. 17.09.2020) leser.", "number", "17.09.2020"),
        ("Ring 412 34 567 ved fravær.", "number", "412 34 567"),
        ("Ring 987-65-432 hver fredag.", "number", "987-65-432"),
        ("Eleven er født 10. mai 2017.", "number", "10. mai 2017"),
        ("Etter at foreldrene ble skilt, leser eleven mindre.", "private", "ble skilt"),
        ("Send ukeplanen til mikkel.jorgensen@gmail.com.", "contact", "mikkel.jorgensen@gmail.com"),
    ],
)
def test_family_matters_dates_and_phone_numbers_are_refused(text: str, kind: str, word: str) -> None:
    with pytest.raises(bank.Refused) as refused:
        bank.deidentify(text, own_names=[], other_names=[])
    assert (kind, word) in refused.value.problems


def test_ordinary_numbers_and_signs_pass() -> None:
    text = "Eleven leser skilt i nærmiljøet og regner med tall opp til 1000 i skoleåret 2026-2027, 10-15 sider."
    assert bank.deidentify(text, own_names=[], other_names=[]) == text


def test_a_name_typed_without_nordic_letters_is_still_a_name() -> None:
    text = "Jorgensen og Joergensen leser med Aase."
    assert bank.deidentify(text, own_names=["Amina Jørgensen"], other_names=["Åse Li"]) == (
        "Eleven og eleven leser med [navn]."
    )
