"""The decision as the law has it (forvaltningsloven §§ 24–29, opplæringslova
chapter 11): reasons, deviations from the expert assessment, the pupil's
view, refusals, the decision letter and appeals. Each rule fires and stays quiet."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from iop import checks, published, selectors, services
from iop.models import (
    AccessLogEntry,
    AdvanceNotice,
    AdvanceNoticeComment,
    Appeal,
    Enkeltvedtak,
    EnkeltvedtakSubject,
    Iop,
    Organisation,
    SakkyndigVurdering,
    SakkyndigVurderingSubject,
    StaffCompetence,
)
from students import access
from students.models import Pupil, School, StaffMembership
from tests.conftest import World
from tests.iop.factories import VEDTAK_REASONS, VedtakFactory, VurderingFactory, chain
from tests.reports.conftest import pdf_text
from tests.worker_files import fetched_from_worker


def codes(flags: list[checks.Flag]) -> set[str]:
    return {f.code for f in flags}


def fresh(vedtak: Enkeltvedtak) -> Enkeltvedtak:
    return Enkeltvedtak.objects.prefetch_related("subjects", "vurdering__subjects").get(pk=vedtak.pk)


def draft(world: World) -> Enkeltvedtak:
    ch = chain(world.pupil_a, vedtak_status=Enkeltvedtak.Status.DRAFT, iop_status=None)
    return fresh(ch.vedtak)


def make(world: World, vedtak: Enkeltvedtak) -> Enkeltvedtak:
    vedtak.pupil = access.get_pupil(world.user("coordinator"), vedtak.pupil_id)
    return services.vedtak_make(actor=world.user("coordinator"), vedtak=vedtak, version=vedtak.version)


# --- reasons (fvl §§ 24–25) ---------------------------------------------------------------


def test_making_a_vedtak_without_reasons_is_refused_with_what_is_missing(world: World) -> None:
    vedtak = draft(world)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(legal_basis="", facts=" ", main_considerations="")
    with pytest.raises(ValidationError) as refused:
        make(world, fresh(vedtak))
    [message] = [m for m in refused.value.messages if "begrunnelse" in m]
    assert "rettslig grunnlag" in message and "faktiske forholdene" in message and "hovedhensyn" in message
    assert Enkeltvedtak.objects.get(pk=vedtak.pk).status == Enkeltvedtak.Status.DRAFT


def test_a_draft_may_lack_reasons_and_a_vedtak_with_them_is_made(world: World) -> None:
    vedtak = draft(world)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(facts="")
    assert "vedtak_missing_reasons" in codes(checks.vedtak_flags(fresh(vedtak)))
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(facts="Eleven har lite utbytte.")
    assert "vedtak_missing_reasons" not in codes(checks.vedtak_flags(fresh(vedtak)))
    assert make(world, fresh(vedtak)).is_made


def test_a_new_vedtak_names_its_legal_basis_by_default(world: World) -> None:
    assert "§ 11-6" in Enkeltvedtak().legal_basis


@pytest.mark.parametrize(
    ("recommended", "decided", "word"),
    [
        ({"organisation": Organisation.SMALL_GROUP}, {"organisation": Organisation.CLASS}, "organisering"),
        (
            {"staff_competence": StaffCompetence.SPECIAL_NEEDS_TEACHER},
            {"staff_competence": StaffCompetence.ASSISTANT},
            "kompetanse",
        ),
    ],
)
def test_a_deviation_in_organisation_or_competence_needs_a_reason(
    world: World, recommended: dict[str, str], decided: dict[str, str], word: str
) -> None:
    vedtak = draft(world)
    SakkyndigVurderingSubject.objects.filter(vurdering=vedtak.vurdering).update(**recommended)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(**decided)
    [flag] = [f for f in checks.vedtak_flags(fresh(vedtak)) if f.code == "vedtak_deviation_without_reason"]
    assert word in flag.message and "Matematikk" in flag.message
    with pytest.raises(ValidationError):
        make(world, fresh(vedtak))
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(deviation_reason="Skolen har ingen spesialpedagog ledig.")
    assert "vedtak_deviation_without_reason" not in codes(checks.vedtak_flags(fresh(vedtak)))


def test_following_the_assessment_or_where_it_recommends_nothing_needs_no_reason(world: World) -> None:
    vedtak = draft(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(
        organisation=Organisation.ONE_TO_ONE, staff_competence=StaffCompetence.SPECIAL_NEEDS_TEACHER
    )
    assert checks.deviations(fresh(vedtak)) == []  # the assessment recommends no organisation or staff
    SakkyndigVurderingSubject.objects.filter(vurdering=vedtak.vurdering).update(
        organisation=Organisation.ONE_TO_ONE, staff_competence=StaffCompetence.SPECIAL_NEEDS_TEACHER
    )
    assert checks.deviations(fresh(vedtak)) == []


def test_subjects_added_or_left_out_are_deviations(world: World) -> None:
    vedtak = draft(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(subject="Norsk")
    found = checks.deviations(fresh(vedtak))
    assert any("Norsk" in d for d in found) and any("Matematikk" in d for d in found)


# --- the pupil's view -----------------------------------------------------------------------


def test_what_the_assessment_leaves_open_the_decision_form_leaves_unchosen(world: World) -> None:
    """Organisation and staff competence come from PPT's recommendation; where it has none, the
    form shows "— velg —" and asks for a choice, so no default becomes the decision unnoticed."""
    sv = VurderingFactory(pupil=world.pupil_a, author=world.user("ppt"))
    SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Norsk", hours=38, organisation="small_group")
    url = reverse("iop:vedtak_create", args=[sv.pk])
    client = world.client("coordinator")
    page = client.get(url).content.decode()
    organisation = re.search(r'<select name="fag-0-organisation".*?</select>', page, re.S)
    staff = re.search(r'<select name="fag-0-staff_competence".*?</select>', page, re.S)
    assert organisation and staff and 'name="fag-INITIAL_FORMS" value="1"' in page
    assert re.search(r'<option value="small_group"[^>]*selected', organisation[0])  # as PPT recommended
    assert re.search(r'<option value=""[^>]*selected[^>]*>— velg —', staff[0]), staff[0]  # PPT said nothing
    data = {
        "valid_from": sv.valid_from,
        "valid_to": sv.valid_to,
        "legal_basis": "Opplæringslova § 11-6.",
        **VEDTAK_REASONS,
        "fag-TOTAL_FORMS": "2",
        "fag-INITIAL_FORMS": "1",  # as the page gives it: one row from the assessment
        "fag-0-subject": "Norsk",
        "fag-0-hours": "38",
        "fag-0-organisation": "small_group",
        "fag-0-staff_competence": "",
        "fag-1-subject": "",
        "fag-1-organisation": "",
        "fag-1-staff_competence": "",
    }
    refused = client.post(url, data)
    assert refused.status_code in (200, 400) and "Velg hva vedtaket sier her." in refused.content.decode()
    top = refused.content.decode().split('id="subject-rows"', 1)[0]  # said above the form, not only in the row
    assert "Ikke lagret: en fagrad lenger ned må rettes." in top and 'href="#subject-rows"' in top
    assert not Enkeltvedtak.objects.filter(vurdering=sv).exists()
    assert client.post(url, {**data, "fag-0-staff_competence": "teacher"}).status_code == 302  # the empty row is left
    assert Enkeltvedtak.objects.get(vurdering=sv).subjects.get().staff_competence == "teacher"


def test_a_vedtak_without_the_pupils_view_is_not_made(world: World) -> None:
    vedtak = draft(world)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(pupil_view=" ", pupil_not_heard_reason="")
    assert "vedtak_missing_pupil_view" in codes(checks.vedtak_flags(fresh(vedtak)))
    with pytest.raises(ValidationError, match="hva eleven mener"):
        make(world, fresh(vedtak))


def test_why_the_pupil_could_not_be_heard_stands_in_for_the_view(world: World) -> None:
    vedtak = draft(world)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(
        pupil_view="", pupil_not_heard_reason="Eleven er fire år og uten talespråk."
    )
    assert "vedtak_missing_pupil_view" not in codes(checks.vedtak_flags(fresh(vedtak)))
    assert make(world, fresh(vedtak)).is_made


def test_the_pupils_view_is_kept_on_the_assessment_and_the_plan(world: World) -> None:
    ch = chain(world.pupil_a, iop_status=Iop.Status.DRAFT)
    assert ch.iop is not None
    teacher = world.user("teacher")
    ch.iop.pupil = access.get_pupil(teacher, world.pupil_a.pk)
    saved = services.iop_update(
        actor=teacher, iop=ch.iop, version=ch.iop.version, data={"pupil_view": "Vil lese om dyr."}
    )
    assert saved.pupil_view == "Vil lese om dyr."
    assert published.iop_snapshot(saved, [], [])["pupil_view"] == "Vil lese om dyr."
    page = world.client("coordinator").get(reverse("iop:vurdering_detail", args=[ch.sv.pk]))
    assert "Elevens egen mening og hvordan den er vektlagt" in page.content.decode()


# --- refusals -------------------------------------------------------------------------------


def refusal(world: World) -> Enkeltvedtak:
    vedtak = draft(world)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(
        outcome=Enkeltvedtak.Outcome.REFUSED, deviation_reason="Eleven har godt utbytte med tilpasning i klassen."
    )
    return fresh(vedtak)


def test_a_refusal_is_made_without_subjects_and_refused_with_them(world: World) -> None:
    vedtak = refusal(world)
    with pytest.raises(ValidationError, match="Et avslag nevner ingen fag"):
        make(world, vedtak)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    made = make(world, fresh(vedtak))
    assert made.is_made and made.is_refusal


def test_a_refusal_still_needs_reasons_the_pupils_view_and_appeal_information(world: World) -> None:
    vedtak = refusal(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(main_considerations="", pupil_view="", appeal_info="")
    found = codes(checks.vedtak_flags(fresh(vedtak)))
    assert {"vedtak_missing_reasons", "vedtak_missing_pupil_view", "vedtak_missing_appeal"} <= found
    with pytest.raises(ValidationError):
        make(world, fresh(vedtak))


def test_a_decision_granting_teaching_still_needs_subjects(world: World) -> None:
    vedtak = draft(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(deviation_reason="Ingen fag.")
    with pytest.raises(ValidationError, match="ingen fag"):
        make(world, fresh(vedtak))


def test_no_iop_is_made_on_a_refusal(world: World) -> None:
    vedtak = refusal(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    made = make(world, fresh(vedtak))
    teacher = world.user("teacher")
    made.pupil = access.get_pupil(teacher, world.pupil_a.pk)
    with pytest.raises(ValidationError, match="avslag"):
        services.iop_create(actor=teacher, vedtak=made)
    page = world.client("teacher").get(reverse("iop:vedtak_detail", args=[made.pk])).content.decode()
    assert "Avslag: ikke individuelt tilrettelagt opplæring" in page and "Opprett IOP" not in page


def test_making_a_refusal_says_that_no_iop_follows(world: World) -> None:
    vedtak = refusal(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    url = reverse("iop:vedtak_make", args=[vedtak.pk])
    response = world.client("coordinator").post(url, {"confirm": "1", "version": vedtak.version}, follow=True)
    page = response.content.decode()
    assert "Det er et avslag, så det skrives ingen IOP ut fra det." in page
    assert "Elevens IOP kan nå skrives" not in page


def test_a_refusal_asks_followup_for_no_iop(world: World) -> None:
    from followup import sources

    vedtak = refusal(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    make(world, fresh(vedtak))
    year = world.group_a.school_year
    assert world.pupil_a.pk not in sources.vedtak_made_on(year, None)
    Enkeltvedtak.objects.filter(pk=vedtak.pk).update(outcome=Enkeltvedtak.Outcome.GRANTED)
    assert world.pupil_a.pk in sources.vedtak_made_on(year, None)


# --- notification, letter, appeals ----------------------------------------------------------------

D = datetime.date.fromisoformat


def made(world: World, **changes: Any) -> Enkeltvedtak:
    ch = chain(world.pupil_a, iop_status=None)
    Enkeltvedtak.objects.filter(pk=ch.vedtak.pk).update(made_on=D("2026-11-02"), **changes)
    return fresh(ch.vedtak)


@time_machine.travel("2026-11-20 10:00 +0100", tick=False)
def test_recording_the_notification_date_gives_the_appeal_deadline_three_weeks_later(world: World) -> None:
    vedtak = made(world)
    assert vedtak.appeal_deadline is None
    coordinator = world.client("coordinator")
    url = reverse("iop:vedtak_notified", args=[vedtak.pk])
    response = coordinator.post(url, {"version": vedtak.version, "notified_on": "2026-11-04"}, follow=True)
    assert Enkeltvedtak.objects.get(pk=vedtak.pk).appeal_deadline == D("2026-11-25")
    assert "25. november 2026" in response.content.decode()
    page = coordinator.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Klagefrist 25. november 2026" in page


@time_machine.travel("2026-11-20 10:00 +0100", tick=False)
@pytest.mark.parametrize(("day", "message"), [("2026-11-21", "fram i tid"), ("2026-11-01", "før vedtaket ble fattet")])
def test_a_notification_date_in_the_future_or_before_the_decision_is_refused(
    world: World, day: str, message: str
) -> None:
    vedtak = made(world)
    url = reverse("iop:vedtak_notified", args=[vedtak.pk])
    response = world.client("coordinator").post(url, {"version": vedtak.version, "notified_on": day}, follow=True)
    page = response.content.decode()
    assert message in page
    assert Enkeltvedtak.objects.get(pk=vedtak.pk).notified_on is None
    # What was typed stays in the field, and the reason stands beside it.
    (field,) = re.findall(r'<input[^>]*id="id_notified_on"[^>]*>', page)
    assert f'value="{day}"' in field and 'aria-invalid="true"' in field, field
    assert message in page.split('id="id_notified_on_error"', 1)[1].split("</div>", 1)[0]


@time_machine.travel("2026-11-20 10:00 +0100", tick=False)
def test_an_empty_notification_date_is_refused_beside_its_field(world: World) -> None:
    vedtak = made(world)
    url = reverse("iop:vedtak_notified", args=[vedtak.pk])
    page = world.client("coordinator").post(url, {"version": vedtak.version, "notified_on": ""}).content.decode()
    assert "Feltet er påkrevet" in page.split('id="id_notified_on_error"', 1)[1].split("</div>", 1)[0]
    (field,) = re.findall(r'<input[^>]*id="id_notified_on"[^>]*>', page)
    assert 'aria-invalid="true"' in field, field


def test_a_draft_has_no_notification_date(world: World) -> None:
    vedtak = draft(world)
    vedtak.pupil = access.get_pupil(world.user("coordinator"), world.pupil_a.pk)
    with pytest.raises(ValidationError):
        services.vedtak_record_notified(
            actor=world.user("coordinator"), vedtak=vedtak, version=vedtak.version, notified_on=timezone.localdate()
        )


@time_machine.travel("2026-11-20 10:00 +0100", tick=False)
def test_the_guardian_gets_the_decision_letter_with_letterhead_reasons_and_appeal_deadline(
    world: World, tmp_path: Path
) -> None:
    School.objects.filter(pk=world.pupil_a.school_id).update(address="Skolevegen 1, 1234 Bygda")
    vedtak = made(world, notified_on=D("2026-11-04"), made_by=world.user("coordinator"))
    notice = AdvanceNotice.objects.create(vedtak=vedtak, sent_on=D("2026-10-19"), comment_deadline=D("2026-10-30"))
    AdvanceNoticeComment.objects.create(
        notice=notice, name="Aud Foresatt", received_on=D("2026-10-27"), text="PRIVATE-COMMENT-TEXT"
    )
    response, content = fetched_from_worker(world.client("guardian_a"), reverse("iop:vedtak_pdf", args=[vedtak.pk]))
    assert response["Content-Type"] == "application/pdf"
    words = pdf_text(content, tmp_path)
    # Addressed to the parties (fvl § 27) and signed by the one who made it.
    to = words.split("Til ", 1)[1].split("Elev", 1)[0]
    assert world.user("guardian_a").full_name in to and world.pupil_a.full_name not in to, to
    signature = words.split("Med vennlig hilsen", 1)[1]
    assert world.user("coordinator").full_name in signature and "Spesialpedagogisk koordinator" in signature
    assert "godkjent elektronisk" in signature
    # The advance notice and who commented (fvl §§ 16–17); the comment's words stay in the case file.
    assert "sendt til partene for uttalelse 19. oktober 2026, med frist for merknader 30. oktober 2026" in words
    assert "Merknad fra Aud Foresatt, mottatt 27. oktober 2026" in words and "PRIVATE-COMMENT-TEXT" not in words
    assert "Klagen sendes til: Skole 1, Skolevegen 1, 1234 Bygda" in words
    for expected in (
        world.pupil_a.school.name,
        "Skolevegen 1, 1234 Bygda",
        "Enkeltvedtak om individuelt tilrettelagt opplæring",
        "Matematikk",
        VEDTAK_REASONS["facts"],
        VEDTAK_REASONS["main_considerations"],
        VEDTAK_REASONS["pupil_view"],
        "Klagefristen er 25. november 2026.",
    ):
        assert expected in words, expected
    assert "INTERNAL-VEDTAK-NOTE" not in words and "UTKAST" not in words
    assert AccessLogEntry.objects.filter(object_id=vedtak.pk, purpose=AccessLogEntry.Purpose.PDF).exists()


@time_machine.travel("2026-11-20 10:00 +0100", tick=False)
def test_a_letter_goes_to_a_pupil_of_15_too_and_a_draft_is_signed_by_nobody(world: World) -> None:
    vedtak = made(world, made_by=world.user("coordinator"))
    Pupil.objects.filter(pk=world.pupil_a.pk).update(birth_date=D("2011-11-02"))  # 15 on the day it was made
    vedtak.pupil = Pupil.objects.get(pk=world.pupil_a.pk)
    StaffMembership.objects.create(user=world.user("coordinator"), school=vedtak.pupil.school, role="rektor")
    letter = selectors.vedtak_letter(vedtak, vedtak.made_on)
    assert letter.to == [vedtak.pupil.full_name, world.user("guardian_a").full_name]
    assert (letter.signer, letter.signer_title) == (world.user("coordinator").full_name, "Rektor / avdelingsleder")
    assert selectors.vedtak_letter(vedtak, D("2026-11-01")).to == [world.user("guardian_a").full_name]  # 14 then
    letter = selectors.vedtak_letter(draft(world), D("2026-11-20"))
    assert letter.signer == "" and letter.signer_title == ""


@time_machine.travel("2026-11-20 10:00 +0100", tick=False)
def test_a_new_decision_says_which_decision_it_replaces_on_its_page_and_in_its_letter(
    world: World, tmp_path: Path
) -> None:
    old = made(world, valid_from=D("2026-08-15"), valid_to=D("2027-06-20"))
    other_pupil = VedtakFactory(vurdering=VurderingFactory(pupil=world.pupil_b), made_on=D("2026-11-01"))
    new = VedtakFactory(
        vurdering=old.vurdering,
        status=Enkeltvedtak.Status.DRAFT,
        valid_from=D("2027-01-01"),
        valid_to=D("2027-06-20"),
    )
    for line in old.subjects.all():  # the same subjects, from the new year
        line.pk, line.vedtak = None, new
        line.save()
    assert selectors.replaced_vedtak(new) == [old]  # not another pupil's, nor itself
    assert selectors.replaced_vedtak(other_pupil) == []
    coordinator = world.client("coordinator")
    page = coordinator.get(reverse("iop:vedtak_detail", args=[new.pk])).content.decode()
    assert "Vedtaket fattet 2. november 2026</a> gjelder i den samme perioden" in page
    assert "erstatter det det eldre fra og med 1. januar 2027" in page
    assert reverse("iop:vedtak_detail", args=[old.pk]) in page

    make(world, fresh(new))
    assert selectors.replaced_vedtak(fresh(old)) == []  # the older one replaces nothing
    page = world.client("guardian_a").get(reverse("iop:vedtak_detail", args=[new.pk])).content.decode()
    assert (
        "Dette vedtaket erstatter" in page and "vedtaket fattet 2. november 2026</a> fra og med 1. januar 2027" in page
    )
    _response, content = fetched_from_worker(world.client("guardian_a"), reverse("iop:vedtak_pdf", args=[new.pk]))
    words = " ".join(pdf_text(content, tmp_path).split())
    assert (
        "Dette vedtaket erstatter vedtaket fattet 2. november 2026 (gyldig 15. august 2026 – 20. juni 2027) "
        "fra og med 1. januar 2027." in words
    )
    # A decision for a later period replaces nothing.
    later = VedtakFactory(vurdering=old.vurdering, valid_from=D("2027-08-15"), valid_to=D("2028-06-20"))
    assert selectors.replaced_vedtak(later) == []


def test_a_guardian_gets_no_letter_of_a_draft_and_a_refusal_letter_names_no_subjects(
    world: World, tmp_path: Path
) -> None:
    vedtak = refusal(world)
    assert world.client("guardian_a").get(reverse("iop:vedtak_pdf", args=[vedtak.pk])).status_code == 404
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    make(world, fresh(vedtak))
    _response, content = fetched_from_worker(world.client("guardian_a"), reverse("iop:vedtak_pdf", args=[vedtak.pk]))
    words = pdf_text(content, tmp_path)
    assert "får ikke individuelt tilrettelagt opplæring" in words and "Timer per skoleår" not in words


@time_machine.travel("2026-11-30 10:00 +0100", tick=False)
def test_the_appeal_register_follows_an_appeal_to_its_outcome(world: World) -> None:
    vedtak = made(world, notified_on=D("2026-11-04"))
    coordinator = world.client("coordinator")
    response = coordinator.post(
        reverse("iop:appeal_create", args=[vedtak.pk]),
        {"received_on": "2026-11-27", "appellant": "Foreldrene", "summary": "Ønsker mer tid i liten gruppe."},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(vedtak=vedtak)
    assert appeal.is_open and appeal.is_late  # the deadline was 25 November
    page = coordinator.get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Klageregister" in page and "etter fristen" in page and "Venter på skoleeiers behandling" in page
    guardian_page = world.client("guardian_a").get(reverse("pupil_detail", args=[world.pupil_a.pk])).content.decode()
    assert "Klageregister" not in guardian_page
    edit = reverse("iop:appeal_edit", args=[appeal.pk])
    data = {"received_on": "2026-11-27", "appellant": "Foreldrene", "version": appeal.version}
    refused = coordinator.post(edit, {**data, "sent_on": "2026-11-26"})
    assert refused.status_code == 200 and "samme dag som eller etter" in refused.content.decode()
    steps = {"owner_reviewed_on": "2026-11-28", "owner_outcome": "upheld", "sent_on": "2026-11-29"}
    assert coordinator.post(edit, {**data, **steps}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.is_open and "Statsforvalteren" in appeal.waits_for()
    final = {**data, **steps, "version": appeal.version, "final_outcome": "upheld", "final_outcome_on": "2026-11-30"}
    assert coordinator.post(edit, final).status_code == 302
    appeal.refresh_from_db()
    assert not appeal.is_open


def test_an_outcome_without_its_date_is_refused_with_a_message(world: World) -> None:
    vedtak = made(world)
    appeal = Appeal.objects.create(vedtak=vedtak, received_on=D("2026-11-03"), appellant="Foreldrene")
    data = {
        "received_on": "2026-11-03",
        "appellant": "Foreldrene",
        "version": appeal.version,
        "final_outcome": "upheld",
    }
    response = world.client("coordinator").post(reverse("iop:appeal_edit", args=[appeal.pk]), data)
    assert response.status_code == 200 and "Skriv datoen for det endelige utfallet" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).final_outcome == ""


# --- the expert assessment ---------------------------------------------------------------


def test_an_assessment_is_completed_only_with_hours_in_every_subject(world: World) -> None:
    ppt = world.user("ppt")
    sv = VurderingFactory(pupil=world.pupil_a, author=ppt, status=SakkyndigVurdering.Status.DRAFT)
    SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Matematikk", hours=76)
    SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Norsk", hours=None)
    sv.pupil = access.get_pupil(ppt, world.pupil_a.pk)
    with pytest.raises(ValidationError, match=r"Tilrå timer per skoleår i hvert fag.*Norsk"):
        services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version)
    SakkyndigVurderingSubject.objects.filter(vurdering=sv, subject="Norsk").update(hours=38)
    assert not services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version).is_draft


def test_an_assessment_is_completed_only_with_the_pupils_own_view(world: World) -> None:
    """The pupil has the right to be heard (Grunnloven § 104): a completed
    assessment that does not give the pupil's view can no longer be put
    right, so completing it is refused and the message says what to write."""
    ppt = world.user("ppt")
    sv = VurderingFactory(pupil=world.pupil_a, author=ppt, status=SakkyndigVurdering.Status.DRAFT, pupil_view=" ")
    SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Matematikk", hours=76)
    sv.pupil = access.get_pupil(ppt, world.pupil_a.pk)
    with pytest.raises(ValidationError, match="Skriv elevens egen mening og hvordan den er vektlagt"):
        services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version)
    assert SakkyndigVurdering.objects.get(pk=sv.pk).is_draft
    SakkyndigVurdering.objects.filter(pk=sv.pk).update(pupil_view="Eleven kunne ikke gi sitt syn på grunn av sykdom.")
    assert not services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version).is_draft


def test_the_completion_page_lists_what_is_missing_before_the_yes(world: World) -> None:
    """The confirmation lists every reason the assessment can not be
    completed yet, with no "yes" button; a "yes" posted anyway is refused
    with the same messages and leaves the assessment a draft."""
    ppt = world.user("ppt")
    sv = VurderingFactory(
        pupil=world.pupil_a, author=ppt, status=SakkyndigVurdering.Status.DRAFT, pupil_view="", realistic_goals=""
    )
    SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Matematikk", hours=76)
    client, url = world.client("ppt"), reverse("iop:vurdering_complete", args=[sv.pk])
    page = client.post(url, {"version": sv.version}).content.decode()
    assert "Dette kan ikke gjøres ennå:" in page
    assert "Skriv elevens egen mening og hvordan den er vektlagt før ferdigstilling" in page
    assert "Fyll ut de lovpålagte punktene før ferdigstilling: realistiske opplæringsmål." in page
    assert 'name="confirm"' not in page and "Ja, ferdigstill" not in page
    response = client.post(url, {"version": sv.version, "confirm": "1"}, follow=True)
    text = response.content.decode()
    assert "Den sakkyndige vurderingen kan ikke ferdigstilles ennå:" in text
    assert "Skriv elevens egen mening og hvordan den er vektlagt før ferdigstilling" in text
    assert SakkyndigVurdering.objects.get(pk=sv.pk).is_draft
    SakkyndigVurdering.objects.filter(pk=sv.pk).update(
        pupil_view="Eleven vil helst være i klassen; PPT har lagt vekt på det.", realistic_goals="Lese enkle tekster."
    )
    page = client.post(url, {"version": sv.version}).content.decode()
    assert "Dette kan ikke gjøres ennå:" not in page and 'name="confirm"' in page
    assert client.post(url, {"version": sv.version, "confirm": "1"}).status_code == 302
    assert not SakkyndigVurdering.objects.get(pk=sv.pk).is_draft


def test_an_assistant_without_the_assessments_competence_element_is_flagged_but_may_be_decided(
    world: World,
) -> None:
    vedtak = draft(world)
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(staff_competence=StaffCompetence.ASSISTANT)
    [flag] = [f for f in checks.vedtak_flags(fresh(vedtak)) if f.code == "vedtak_assistant_without_competence"]
    assert flag.advisory and "Matematikk" in flag.message
    page = world.client("coordinator").get(reverse("iop:vedtak_detail", args=[vedtak.pk])).content.decode()
    assert "lar en assistent undervise" in page
    assert make(world, fresh(vedtak)).is_made  # a warning, not a bar


def test_no_assistant_flag_with_the_competence_element_or_without_an_assistant(world: World) -> None:
    vedtak = draft(world)
    assert "vedtak_assistant_without_competence" not in codes(checks.vedtak_flags(vedtak))
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).update(staff_competence=StaffCompetence.ASSISTANT)
    SakkyndigVurdering.objects.filter(pk=vedtak.vurdering_id).update(
        staff_competence="Assistent med fagbrev i barne- og ungdomsarbeid, veiledet av spesialpedagog."
    )
    assert "vedtak_assistant_without_competence" not in codes(checks.vedtak_flags(fresh(vedtak)))


# --- an assessment that finds no need ------------------------------------------------------


def no_need_sv(world: World, *, subjects: bool = False) -> SakkyndigVurdering:
    sv = VurderingFactory(
        pupil=world.pupil_a,
        author=world.user("ppt"),
        status=SakkyndigVurdering.Status.DRAFT,
        conclusion=SakkyndigVurdering.Conclusion.NO_NEED,
        why_insufficient="",
        realistic_goals="",
        recommended_measures="Tilpasset opplæring i klassen med lydbøker.",
        pupil_view="Eleven vil helst være i klassen.",
    )
    if subjects:
        SakkyndigVurderingSubject.objects.create(vurdering=sv, subject="Matematikk", hours=38)
    return sv


def complete(world: World, sv: SakkyndigVurdering) -> SakkyndigVurdering:
    sv.refresh_from_db()
    return services.vurdering_complete(actor=world.user("ppt"), vurdering=sv, version=sv.version)


def test_an_assessment_that_finds_no_need_is_completed_without_hours(world: World) -> None:
    """PPT may conclude that adapted ordinary teaching is enough
    (opplæringslova § 11-8): no subjects, no hours, fewer elements."""
    sv = complete(world, no_need_sv(world))
    assert not sv.is_draft and not sv.finds_need


def test_an_assessment_that_finds_no_need_recommends_no_hours(world: World) -> None:
    sv = no_need_sv(world, subjects=True)
    with pytest.raises(ValidationError, match="tilrår ingen timer"):
        complete(world, sv)
    assert SakkyndigVurdering.objects.get(pk=sv.pk).is_draft


def test_an_assessment_that_finds_a_need_still_needs_its_four_elements_and_hours(world: World) -> None:
    sv = no_need_sv(world)
    SakkyndigVurdering.objects.filter(pk=sv.pk).update(conclusion=SakkyndigVurdering.Conclusion.NEED)
    with pytest.raises(ValidationError, match=r"lovpålagte|Elevens|timer"):
        complete(world, sv)


def test_the_decision_on_an_assessment_that_finds_no_need_starts_as_a_refusal_without_deviation(
    world: World, client: Any
) -> None:
    sv = complete(world, no_need_sv(world))
    client.force_login(world.user("coordinator"))
    page = client.get(reverse("iop:vedtak_create", args=[sv.pk]))
    assert page.context["form"]["outcome"].value() == Enkeltvedtak.Outcome.REFUSED
    assert (
        "Eleven har ikke behov for individuelt tilrettelagt opplæring"
        in client.get(reverse("iop:vurdering_detail", args=[sv.pk])).content.decode()
    )
    vedtak = Enkeltvedtak.objects.create(
        pupil=world.pupil_a,
        vurdering=sv,
        outcome=Enkeltvedtak.Outcome.REFUSED,
        valid_from=sv.valid_from,
        valid_to=sv.valid_to,
        **VEDTAK_REASONS,
    )
    assert checks.deviations(fresh(vedtak)) == []


def test_a_refusal_draft_with_subjects_shows_them_with_what_to_do(world: World) -> None:
    """Subjects left on a refusal stop it from being made; the draft shows them, and why."""
    vedtak = refusal(world)
    assert vedtak.subjects.exists()
    page = world.client("coordinator").get(reverse("iop:vedtak_detail", args=[vedtak.pk])).content.decode()
    assert "data-refusal-subjects" in page and "Et avslag nevner ingen fag" in page
    EnkeltvedtakSubject.objects.filter(vedtak=vedtak).delete()
    page = world.client("coordinator").get(reverse("iop:vedtak_detail", args=[vedtak.pk])).content.decode()
    assert "data-refusal-subjects" not in page
