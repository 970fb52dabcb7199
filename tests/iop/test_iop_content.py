"""What a good IOP records (DOMAIN.md, "The law in detail"): who took part,
the pupil's strengths and interests, aids and learning materials, when and
how the plan is evaluated, and the hours per subject split by staff type
within the vedtak; a plan is published only with a learning goal in every subject."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from iop import checks, services
from iop.models import Iop, IopSubject
from tests.conftest import World
from tests.iop.factories import IOP_CONTENT, add_goals, chain

TEXTS = {
    "participants": "Eleven, foresatte og kontaktlærer deltok.",
    "strengths": "Eleven er god til å tegne og liker fotball.",
    "aids": "Lydbøker og konkreter.",
    "evaluation": "Evalueres i januar og i juni med foresatte.",
}


def fresh_iop(iop: Iop) -> Iop:
    return Iop.objects.select_related("vedtak").prefetch_related("sections", "goals", "vedtak__subjects").get(pk=iop.pk)


def codes(iop: Iop) -> set[str]:
    return {flag.code for flag in checks.iop_flags(fresh_iop(iop))}


def split(section: IopSubject, teacher: int | None, special: int | None, assistant: int | None) -> None:
    section.hours_teacher, section.hours_special_needs_teacher, section.hours_assistant = teacher, special, assistant
    section.save()


def test_hours_split_by_staff_within_the_vedtak_raise_no_flag(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76),))
    assert ch.iop is not None
    split(ch.sections[0], 19, 57, None)
    assert codes(ch.iop) == set()
    assert ch.sections[0].staff_hours == 76


def test_hours_split_by_staff_beyond_the_vedtak_block_publishing_with_a_clear_message(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76),), iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    split(ch.sections[0], 40, 38, None)
    flags = checks.iop_flags(fresh_iop(ch.iop))
    assert [f.code for f in flags] == ["iop_staff_hours_exceed_vedtak"] and flags[0].blocks_publishing
    with pytest.raises(ValidationError) as refused:
        services.iop_publish(actor=world.user("teacher"), iop=ch.iop, version=ch.iop.version)
    assert refused.value.messages == [
        "Matematikk: timene med lærer, spesialpedagog og assistent blir til sammen 78 i året, vedtaket gir 76."
    ]


def test_every_subject_needs_a_goal_before_publishing(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76), ("Norsk", 38), ("Engelsk", 19)), iop_status="draft")
    assert ch.iop is not None
    assert "iop_subject_without_goals" in codes(ch.iop)
    response = world.client("teacher").post(
        reverse("iop:iop_publish", args=[ch.iop.pk]),
        {"version": ch.iop.version, "confirm": "1", "seen": services.content_stamp(ch.iop)},
        follow=True,
    )
    assert "Ingen læringsmål ennå i: Norsk, Engelsk." in response.content.decode()
    ch.iop.refresh_from_db()
    assert ch.iop.status == Iop.Status.DRAFT
    for section in ch.sections[1:]:
        add_goals(ch.iop, section, 1)
    assert codes(ch.iop) == set()
    services.iop_publish(actor=world.user("teacher"), iop=ch.iop, version=ch.iop.version)


def test_a_goal_with_only_the_default_text_does_not_count_for_a_subject(world: World) -> None:
    """ "Nytt læringsmål" (or empty) is a goal nobody wrote yet: it does not stop the flag, and publishing
    is refused."""
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76), ("Norsk", 38)), goals=0, iop_status="draft")
    assert ch.iop is not None
    teacher = world.user("teacher")
    with translation.override("nb"):
        services.goal_create(actor=teacher, iop=ch.iop, section=ch.sections[0])  # the default text, in bokmål
    services.goal_create(actor=teacher, iop=ch.iop, section=ch.sections[1], text="New learning goal")
    assert "iop_subject_without_goals" in codes(ch.iop)
    ch.iop.refresh_from_db()
    with pytest.raises(ValidationError) as refused, translation.override("nb"):
        services.iop_publish(actor=teacher, iop=ch.iop, version=ch.iop.version)
    assert "Ingen læringsmål ennå i: Matematikk, Norsk." in refused.value.messages
    for goal in ch.iop.goals.all():
        goal.text = "Eleven leser en tekst på 100 ord."
        goal.save()
    assert "iop_subject_without_goals" not in codes(ch.iop)


def test_a_social_goal_does_not_count_for_a_subject(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76),), goals=0)
    assert ch.iop is not None
    add_goals(ch.iop, None, 1)
    assert "iop_subject_without_goals" in codes(ch.iop)


def _form(iop: Iop, **changes: Any) -> dict[str, Any]:
    return {
        "version": iop.version,
        "period_start": iop.period_start,
        "period_end": iop.period_end,
        **{name: getattr(iop, name) for name in Iop.TEXT_FIELDS},
        **changes,
    }


def test_the_new_texts_save_themselves_and_reach_the_guardians_when_published(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76),), iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    iop, section = ch.iop, ch.sections[0]
    teacher = world.client("teacher")
    page = teacher.get(reverse("iop:iop_detail", args=[iop.pk])).content.decode()
    for name in (*TEXTS, "hours_teacher", "hours_special_needs_teacher", "hours_assistant"):
        assert f'name="{name}"' in page or f'name="{section.pk}-{name}"' in page, name
    saved = teacher.post(reverse("iop:iop_update", args=[iop.pk]), _form(iop, **TEXTS), HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "Lagret" in saved.content.decode()
    section_data = {
        f"{section.pk}-version": section.version,
        f"{section.pk}-hours": 76,
        f"{section.pk}-hours_teacher": 19,
        f"{section.pk}-hours_special_needs_teacher": 38,
        f"{section.pk}-hours_assistant": 19,
        f"{section.pk}-content": section.content,
    }
    saved = teacher.post(reverse("iop:section_update", args=[section.pk]), section_data, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "Lagret" in saved.content.decode()
    iop.refresh_from_db()
    assert {name: getattr(iop, name) for name in TEXTS} == TEXTS
    section.refresh_from_db()
    assert (section.hours_teacher, section.hours_special_needs_teacher, section.hours_assistant) == (19, 38, 19)

    services.iop_publish(actor=world.user("teacher"), iop=iop, version=iop.version)
    snapshot = iop.versions.get().snapshot
    assert {name: snapshot[name] for name in TEXTS} == TEXTS
    assert snapshot["sections"][0]["hours_special_needs_teacher"] == 38
    # a later change is not read by the guardians until it is published
    iop.refresh_from_db()
    services.iop_update(actor=world.user("teacher"), iop=iop, version=iop.version, data={"aids": "Nettbrett."})
    guardian = world.client("guardian_a").get(reverse("iop:iop_detail", args=[iop.pk])).content.decode()
    for text in TEXTS.values():
        assert text in guardian
    assert "Nettbrett." not in guardian
    assert "lærer 19, spesialpedagog 38, assistent 19" in guardian


def test_a_version_published_before_the_new_fields_compares_equal_to_the_same_plan(world: World) -> None:
    from iop import history, published

    ch = chain(world.pupil_a)
    assert ch.iop is not None
    for name in IOP_CONTENT:  # a plan of that time, which the new fields found empty
        setattr(ch.iop, name, "")
    live = published.iop_snapshot(ch.iop, ch.sections, [])
    old = {key: value for key, value in live.items() if key not in TEXTS}
    old["sections"] = [{k: v for k, v in s.items() if k not in IopSubject.STAFF_HOURS_FIELDS} for s in live["sections"]]
    assert history.snapshot_lines(old) == history.snapshot_lines(live)


def test_a_split_that_leaves_hours_unassigned_is_flagged_without_blocking(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76),), iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    split(ch.sections[0], 10, 20, None)
    flags = [f for f in checks.iop_flags(fresh_iop(ch.iop)) if f.code == "iop_staff_hours_differ"]
    assert len(flags) == 1 and not flags[0].blocks_publishing
    with translation.override("nb"):
        assert "blir til sammen 30 per år, planen gir 76" in str(checks.iop_flags(fresh_iop(ch.iop))[0].message)


def test_assistant_hours_where_the_decision_names_a_special_needs_teacher_are_flagged(world: World) -> None:
    ch = chain(world.pupil_a, subjects=(("Matematikk", 76),), iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    line = ch.vedtak.subjects.get()
    line.staff_competence = "special_needs_teacher"
    line.save()
    split(ch.sections[0], None, 76, None)
    assert "iop_assistant_against_vedtak" not in codes(ch.iop)
    split(ch.sections[0], None, 46, 30)
    flags = [f for f in checks.iop_flags(fresh_iop(ch.iop)) if f.code == "iop_assistant_against_vedtak"]
    assert len(flags) == 1 and not flags[0].blocks_publishing
    with translation.override("nb"):
        message = str(flags[0].message)
    assert "30 timer med assistent" in message and "spesialpedagog" in message


def test_a_plan_without_aids_or_evaluation_is_flagged_and_publishing_asks_about_it(world: World) -> None:
    """The publishing checklist names what the plan does not record yet (as
    the supervision's checklist does), without stopping the publishing."""
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    Iop.objects.filter(pk=ch.iop.pk).update(aids="", evaluation=" ")
    [flag] = [f for f in checks.iop_flags(fresh_iop(ch.iop)) if f.code == "iop_content_missing"]
    assert flag.advisory and not flag.blocks_publishing
    with translation.override("nb"):
        assert checks.missing_content(fresh_iop(ch.iop)) == [
            "hjelpemidler og læremidler",
            "når og hvordan planen evalueres",
        ]
    teacher = world.client("teacher")
    page = teacher.post(reverse("iop:iop_publish", args=[ch.iop.pk]), {"seen": "1"}).content.decode()
    assert "Du kan gå videre, men se på dette først:" in page
    assert "Planen mangler ennå: hjelpemidler og læremidler, når og hvordan planen evalueres." in page
    assert "Ja, publiser" in page  # a warning, not a stop
    Iop.objects.filter(pk=ch.iop.pk).update(**IOP_CONTENT)
    page = teacher.post(reverse("iop:iop_publish", args=[ch.iop.pk]), {"seen": "1"}).content.decode()
    assert "se på dette først" not in page and "Ja, publiser" in page
