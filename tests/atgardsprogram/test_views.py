"""The pages of the Swedish support chain with Swedish personas: rektor,
coordinator, mentor, subject teacher, another school's rektor, the guardian
and another pupil's guardian. Norwegian pupils answer 404."""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from iop.atgardsprogram import services
from iop.atgardsprogram.models import Atgardsprogram, ExtraAnpassning
from iop.models import AccessLogEntry
from tests import factories as f
from tests.atgardsprogram.factories import Sweden, anpassning, decided, draft, refusal, sweden, utredning
from tests.iop.test_concurrency import posted
from tests.reports.conftest import pdf_info, pdf_text
from tests.worker_files import fetched_from_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def s() -> Sweden:
    return sweden()


def status(s: Sweden, persona: str, url: str, data: dict | None = None) -> int:
    client = s.client(persona)
    return (client.post(url, data) if data is not None else client.get(url)).status_code


def test_the_support_page_by_persona(s: Sweden) -> None:
    anpassning(s)
    url = reverse("atgardsprogram:support", args=[s.pupil.pk])
    expected = {
        "rektor": 200,
        "koordinator": 200,
        "mentor": 200,
        "faglarare": 200,
        "other_rektor": 404,
        "guardian": 200,
        "other_guardian": 404,
    }
    assert {p: status(s, p, url) for p in expected} == expected
    staff = s.client("mentor").get(url).content.decode()
    assert "Uppgifterna delas upp i kortare delar." in staff and "Dokumentera en extra anpassning" in staff
    guardian = s.client("guardian").get(url).content.decode()
    assert "Uppgifterna delas upp" not in guardian and "fråga skolan" in guardian


def test_the_mentor_documents_and_follows_up_through_the_forms(s: Sweden) -> None:
    client = s.client("mentor")
    today = timezone.localdate()
    response = client.post(
        reverse("atgardsprogram:anpassning_create", args=[s.pupil.pk]),
        {
            "subject": "Svenska",
            "description": "Inläst läromedel.",
            "responsible": "Maja Mentor",
            "start_date": today.isoformat(),
            "follow_up_on": (today + datetime.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    a = ExtraAnpassning.objects.get(subject="Svenska")
    response = client.post(
        reverse("atgardsprogram:anpassning_follow_up", args=[a.pk]),
        {"date": today.isoformat(), "effect": "Räcker inte.", "outcome": "not_enough", "next_follow_up": ""},
    )
    assert response.status_code == 200  # the next date is asked for
    response = client.post(
        reverse("atgardsprogram:anpassning_follow_up", args=[a.pk]),
        {
            "date": today.isoformat(),
            "effect": "Räcker inte.",
            "outcome": "not_enough",
            "next_follow_up": (today + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert response["Location"] == reverse("atgardsprogram:utredning_create", args=[s.pupil.pk])
    assert a.uppfoljningar.get().outcome == "not_enough"
    assert status(s, "faglarare", reverse("atgardsprogram:anpassning_create", args=[s.pupil.pk])) == 403
    assert status(s, "guardian", reverse("atgardsprogram:anpassning", args=[a.pk])) == 404


def test_only_the_rektor_decides_through_the_page(s: Sweden) -> None:
    p = draft(s)
    url = reverse("atgardsprogram:programme_decide", args=[p.pk])
    data = {"decided_on": timezone.localdate().isoformat()}
    assert status(s, "mentor", url, data) == 403
    assert status(s, "koordinator", url, data) == 403
    assert status(s, "other_rektor", url, data) == 404
    assert status(s, "guardian", url, data) == 404  # read-only users write nothing (a record's address: 404)
    assert Atgardsprogram.objects.get(pk=p.pk).is_draft
    assert status(s, "rektor", url, data) == 302
    assert Atgardsprogram.objects.get(pk=p.pk).status == Atgardsprogram.Status.DECIDED


def test_the_guardian_reads_decided_decisions_only_and_the_read_is_logged(s: Sweden) -> None:
    drafted = draft(s)
    programme = decided(s)
    no = refusal(s)
    client = s.client("guardian")
    assert client.get(reverse("atgardsprogram:programme", args=[drafted.pk])).status_code == 404
    page = client.get(reverse("atgardsprogram:programme", args=[programme.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Speciallärare 30 minuter" in text and "Skolväsendets överklagandenämnd" in text
    assert "<form" not in text.split("<main", 1)[-1]
    assert client.get(reverse("atgardsprogram:programme", args=[no.pk])).status_code == 200
    assert s.client("other_guardian").get(reverse("atgardsprogram:programme", args=[programme.pk])).status_code == 404
    entry = AccessLogEntry.objects.filter(pupil=s.pupil, object_id=programme.pk).get()
    assert entry.user == s.guardian and entry.role == AccessLogEntry.GUARDIAN
    assert entry.kind == AccessLogEntry.Kind.ATGARDSPROGRAM
    # The guardian sees the read on "Vem har läst planerna".
    log = client.get(reverse("iop:access_log", args=[s.pupil.pk])).content.decode()
    assert "Beslut om åtgärdsprogram" in log
    # The utredning and its elevhälsan texts are the school's working file.
    u = programme.utredning
    assert client.get(reverse("atgardsprogram:utredning", args=[u.pk])).status_code == 404


def test_the_staff_read_of_a_decision_is_logged_and_the_guardian_sees_who(s: Sweden) -> None:
    programme = decided(s)
    assert s.client("mentor").get(reverse("atgardsprogram:programme", args=[programme.pk])).status_code == 200
    log = s.client("guardian").get(reverse("iop:access_log", args=[s.pupil.pk])).content.decode()
    assert "Maja Mentor" in log and "Beslut om åtgärdsprogram" in log


def test_the_pdf_of_a_decided_programme(s: Sweden) -> None:
    programme = decided(s)
    response = s.client("guardian").get(reverse("atgardsprogram:programme_pdf", args=[programme.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # The log says what was done, not the link's words.
    log = s.client("guardian").get(reverse("iop:access_log", args=[s.pupil.pk])).content.decode()
    assert "<td>Nedladdat som PDF</td>" in log and "Ladda ner som PDF" not in log
    assert response.content.startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(purpose=AccessLogEntry.Purpose.PDF, object_id=programme.pk).exists()


def test_the_decision_letter_goes_to_the_guardians_and_is_signed_by_the_rektor(s: Sweden, tmp_path: Path) -> None:
    programme = decided(s)
    content = s.client("guardian").get(reverse("atgardsprogram:programme_pdf", args=[programme.pk])).content
    words = pdf_text(content, tmp_path)
    to = words.split("Till:", 1)[1].split("Beslut", 1)[0]
    assert s.users["guardian"].full_name in to, to
    signature = words.split("Med vänliga hälsningar", 1)[1]
    assert programme.decided_by.full_name in signature and "rektor" in signature
    assert "godkänt elektroniskt" in signature


def test_the_evaluation_change_leads_to_the_new_draft(s: Sweden) -> None:
    programme = decided(s)
    response = s.client("mentor").post(
        reverse("atgardsprogram:programme_evaluate", args=[programme.pk]),
        {"date": timezone.localdate().isoformat(), "text": "Behöver mer tid.", "outcome": "change"},
    )
    new = Atgardsprogram.objects.get(previous=programme)
    assert response.status_code == 302 and response["Location"] == reverse(
        "atgardsprogram:programme_edit", args=[new.pk]
    )


def test_only_the_rektor_is_offered_to_end_the_programme(s: Sweden) -> None:
    """Ending a support programme is the rektor's decision (3 kap. 9 §): the
    mentor's evaluation form does not offer it and says who does; a posted
    "end" is refused and changes nothing."""
    programme = decided(s)
    url = reverse("atgardsprogram:programme_evaluate", args=[programme.pk])
    mentor = s.client("mentor").get(url).content.decode()
    assert 'value="end"' not in mentor and "Bara rektorn avslutar ett åtgärdsprogram." in mentor
    assert 'value="end"' in s.client("rektor").get(url).content.decode()
    data = {"date": timezone.localdate().isoformat(), "text": "Klart.", "outcome": "end"}
    refused = s.client("mentor").post(url, data)
    assert refused.status_code == 200
    programme.refresh_from_db()
    assert programme.status == Atgardsprogram.Status.DECIDED
    assert s.client("rektor").post(url, data).status_code == 302
    programme.refresh_from_db()
    assert programme.status == Atgardsprogram.Status.ENDED


def test_the_pupil_page_shows_the_swedish_chain_to_swedish_pupils_only(s: Sweden) -> None:
    utredning(s)
    page = s.client("mentor").get(reverse("pupil_detail", args=[s.pupil.pk])).content.decode()
    assert "sv-support" in page
    guardian = s.client("guardian").get(reverse("pupil_detail", args=[s.pupil.pk])).content.decode()
    assert "sv-support" in guardian
    norwegian = f.pupil_in(f.GroupFactory())
    coordinator = f.UserFactory()
    f.member(coordinator, norwegian.school, "koordinator")
    client = s.client("mentor")
    client.force_login(coordinator)
    assert "sv-support" not in client.get(reverse("pupil_detail", args=[norwegian.pk])).content.decode()
    assert client.get(reverse("atgardsprogram:support", args=[norwegian.pk])).status_code == 404


def test_elevhalsans_texts_are_for_those_who_write_the_plans(s: Sweden) -> None:
    u = utredning(s, needs=None)
    u.medicinsk = "Diagnos enligt läkarintyg."
    u.save()
    url = reverse("atgardsprogram:utredning", args=[u.pk])
    assert "Diagnos enligt läkarintyg." in s.client("mentor").get(url).content.decode()
    subject_teacher = s.client("faglarare").get(url)
    assert subject_teacher.status_code == 200 and "Diagnos enligt" not in subject_teacher.content.decode()
    assert s.client("faglarare").post(url, {"reason": "x"}).status_code == 403


def test_the_whole_file_holds_the_chain(s: Sweden) -> None:
    from students.pupil_file import pupil_file

    programme = decided(s)
    parts = {p.key: p for p in pupil_file(s.pupil)}
    assert len(parts["atgardsprogram.beslut"].records) == 1
    assert len(parts["atgardsprogram.atgard"].records) == 1
    assert len(parts["atgardsprogram.anpassning"].records) == 1
    assert programme.utredning_id


def test_the_rektor_records_the_notification_and_keeps_the_appeal_register(s: Sweden) -> None:
    programme = decided(s)
    today = timezone.localdate().isoformat()
    rektor = s.client("rektor")
    notified = reverse("atgardsprogram:programme_notified", args=[programme.pk])
    assert s.client("mentor").post(notified, {"notified_on": today}).status_code == 403
    assert rektor.post(notified, {"notified_on": today}).status_code == 302
    page = rektor.get(reverse("atgardsprogram:programme", args=[programme.pk])).content.decode()
    assert "Sista dag för överklagande" in page
    create = reverse("atgardsprogram:overklagande_create", args=[programme.pk])
    assert s.client("mentor").get(create).status_code == 403
    data = {"received_on": today, "received_from": "Vera Vårdnadshavare", "outcome": "pending"}
    assert rektor.post(create, data).status_code == 302
    appeal = programme.overklaganden.get()
    edit = reverse("atgardsprogram:overklagande", args=[appeal.pk])
    assert s.client("guardian").get(edit).status_code == 404  # the register is the school's
    refused = rektor.post(edit, data | {"outcome": "rejected"})
    assert refused.status_code == 200 and "Ange datum för avgörandet." in refused.content.decode()
    assert (
        rektor.post(edit, data | {"forwarded_on": today, "outcome": "rejected", "decided_on": today}).status_code == 302
    )
    appeal.refresh_from_db()
    assert appeal.outcome == "rejected" and str(appeal.forwarded_on) == today


def test_the_pdf_of_a_decision_not_to_draw_up(s: Sweden) -> None:
    no = refusal(s)
    response = s.client("rektor").get(reverse("atgardsprogram:programme_pdf", args=[no.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        "beslut-att-inte-uppr%C3%A4tta-ett-%C3%A5tg%C3%A4rdsprogram-andersson-alva" in response["Content-Disposition"]
    )
    drafted = draft(s)
    assert s.client("rektor").get(reverse("atgardsprogram:programme_pdf", args=[drafted.pk])).status_code == 302


def test_editing_a_draft_keeps_whether_the_pupil_and_guardians_took_part(s: Sweden) -> None:
    p = draft(s, guardians_took_part=False)
    url = reverse("atgardsprogram:programme_edit", args=[p.pk])
    client = s.client("mentor")
    page = client.get(url).content.decode()
    # The recorded answers are shown chosen, so saving the draft keeps them.
    assert re.search(r'name="pupil_took_part".*?<option value="true" selected>', page, re.S)
    assert re.search(r'name="guardians_took_part".*?<option value="false" selected>', page, re.S)
    data = {
        "needs": p.needs,
        "subjects": p.subjects,
        "follow_up_on": p.follow_up_on.isoformat(),
        "evaluate_on": p.evaluate_on.isoformat(),
        "pupil_took_part": "true",
        "guardians_took_part": "false",
        "atgard-TOTAL_FORMS": "1",
        "atgard-INITIAL_FORMS": "0",
        "atgard-0-what": "Speciallärare 30 minuter tre gånger i veckan.",
        "atgard-0-responsible": "Speciallärare",
    }
    assert client.post(url, data).status_code == 302
    p.refresh_from_db()
    assert (p.pupil_took_part, p.guardians_took_part) == (True, False)
    # An answer that is none of the choices is refused, not saved as "not recorded".
    refused = client.post(url, data | {"pupil_took_part": "kanske"})
    assert refused.status_code == 200 and "Välj ett giltigt alternativ" in refused.content.decode()
    p.refresh_from_db()
    assert p.pupil_took_part is True
    assert client.post(url, data | {"pupil_took_part": ""}).status_code == 302
    p.refresh_from_db()
    assert p.pupil_took_part is None  # a draft may leave it open; the decision asks for it


def test_the_archive_export_holds_the_decided_programme_under_swedish_names(s: Sweden, tmp_path: Path) -> None:
    programme = decided(s)
    draft_only = draft(s)  # a draft is no decision: not archived
    url = reverse("reports:pupil_archive_zip", args=[s.pupil.pk])
    response, content = fetched_from_worker(s.client("rektor"), url)
    assert response["Content-Type"] == "application/zip"
    assert "arkiv-andersson-alva-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(content))
    metadata = json.loads(archive.read("metadata.json"))
    programmes = [f for f in metadata["files"] if f["document_type"] == "atgardsprogram"]
    assert [f["record_id"] for f in programmes] == [str(programme.pk)], "the decided one, not the draft"
    assert str(draft_only.pk) not in json.dumps(metadata)
    entry = programmes[0]
    assert "-åtgärdsprogram-andersson-alva-" in entry["name"]  # last name first, as every other file
    assert entry["dates"]["decided_on"] == programme.decided_on.isoformat()
    pdf = archive.read(entry["name"])
    assert "pdfaid:part" in pdf_info(pdf, tmp_path, "-meta")
    assert "Speciallärare 30 minuter tre gånger i veckan." in pdf_text(pdf, tmp_path)
    assert "hela-akten.pdf" in archive.namelist() and "hele-mappen.pdf" not in archive.namelist()
    assert AccessLogEntry.objects.filter(
        purpose=AccessLogEntry.Purpose.ZIP, kind=AccessLogEntry.Kind.ATGARDSPROGRAM, object_id=programme.pk
    ).exists()


def test_two_people_editing_a_draft_keep_each_others_words(s: Sweden) -> None:
    """The mentor and the rektor open the same draft. Each saves a different
    field: both are kept (nothing undone by a form loaded before). Where the
    rektor then saves a field the mentor changed meanwhile, nothing is
    written: the message quotes the text stored, the rektor's text stays in
    the form, and saving again stores it knowingly."""
    p = draft(s)
    url = reverse("atgardsprogram:programme_edit", args=[p.pk])
    mentor, rektor = s.client("mentor"), s.client("rektor")
    mentors_tab = posted(mentor.get(url).content.decode())
    rektors_tab = posted(rektor.get(url).content.decode())
    assert mentors_tab["loaded"] and mentors_tab["needs"] == p.needs

    assert mentor.post(url, mentors_tab | {"needs": "Alva behöver stöd i läsning."}).status_code == 302
    comment = {"guardians_comment": "Vårdnadshavarna vill ha veckobrev."}
    assert rektor.post(url, rektors_tab | comment).status_code == 302
    p.refresh_from_db()
    assert (p.needs, p.guardians_comment) == ("Alva behöver stöd i läsning.", "Vårdnadshavarna vill ha veckobrev.")

    answer = rektor.post(url, rektors_tab | {"needs": "Alva behöver stöd i skrivning."})
    page = answer.content.decode()
    assert answer.status_code == 200 and "Någon har sparat detta sedan du öppnade formuläret" in page
    assert "”Alva behöver stöd i läsning.”" in page  # the stored text, quoted
    again = posted(page)
    assert again["needs"] == "Alva behöver stöd i skrivning."  # the rektor's text kept in the form
    p.refresh_from_db()
    assert p.needs == "Alva behöver stöd i läsning."  # nothing written
    assert rektor.post(url, again).status_code == 302
    p.refresh_from_db()
    assert (p.needs, p.guardians_comment) == ("Alva behöver stöd i skrivning.", "Vårdnadshavarna vill ha veckobrev.")


def test_a_colleagues_save_of_the_investigation_is_not_undone(s: Sweden) -> None:
    u = utredning(s, needs=None)
    url = reverse("atgardsprogram:utredning", args=[u.pk])
    mentor, koordinator = s.client("mentor"), s.client("koordinator")
    mentors_tab = posted(mentor.get(url).content.decode())
    koordinators_tab = posted(koordinator.get(url).content.decode())
    assert mentor.post(url, mentors_tab | {"pedagogisk_bedomning": "Ny bedömning."}).status_code == 302
    assert koordinator.post(url, koordinators_tab | {"reason": "Ny anledning."}).status_code == 302
    u.refresh_from_db()
    assert (u.pedagogisk_bedomning, u.reason) == ("Ny bedömning.", "Ny anledning.")


def test_the_follow_up_and_evaluation_forms_offer_only_real_outcomes(s: Sweden) -> None:
    """No "---------" radio button chosen beforehand; labels begin with a capital."""
    a = anpassning(s)
    page = s.client("mentor").get(reverse("atgardsprogram:anpassning_follow_up", args=[a.pk])).content.decode()
    assert "---------" not in page and "Nästa uppföljning" in page
    programme = decided(s)
    page = s.client("mentor").get(reverse("atgardsprogram:programme_evaluate", args=[programme.pk])).content.decode()
    assert "---------" not in page and 'name="outcome"' in page
    assert 'name="outcome" value="" checked' not in page
    u = utredning(s, needs=None)
    assert ">Avslutad<" in s.client("mentor").get(reverse("atgardsprogram:utredning", args=[u.pk])).content.decode()


def test_a_swedish_schools_iup_form_offers_the_year_levels_of_grundskola(s: Sweden) -> None:
    page = s.client("rektor").get(reverse("iop:iup_settings_edit", args=[s.school.pk])).content.decode()
    levels = re.findall(r'name="written_year_levels" value="(\d+)"', page)
    assert levels == [str(n) for n in range(1, 10)], levels


def test_a_long_adaptation_is_named_cut_at_a_word_and_marked(s: Sweden) -> None:
    a = anpassning(
        s,
        description="Eleven får texter uppdelade i kortare avsnitt och stöd med ordförklaringar "
        "före varje lektion i alla ämnen.",
    )
    assert str(a).startswith("Matematik: Eleven får texter uppdelade") and str(a).endswith(" …")
    assert str(a)[:-2].split()[-1] in a.description.split()  # a whole word before the mark


def test_a_measure_row_without_the_measure_is_refused_and_kept(s: Sweden) -> None:
    u = utredning(s)
    url = reverse("atgardsprogram:programme_create", args=[u.pk])
    client = s.client("mentor")
    data = {
        "needs": "Alva behöver stöd i taluppfattning.",
        "atgard-TOTAL_FORMS": "2",
        "atgard-INITIAL_FORMS": "0",
        "atgard-0-what": "Speciallärare tre gånger i veckan.",
        "atgard-0-responsible": "Speciallärare",
        "atgard-1-what": " ",
        "atgard-1-responsible": "Sam Specialpedagog",
    }
    only_subject = {"atgard-1-responsible": "", "atgard-1-subject": "Svenska"}
    for row, typed in (({}, "Sam Specialpedagog"), (only_subject, 'value="Svenska"')):
        refused = client.post(url, data | row)
        page = refused.content.decode()
        assert refused.status_code == 200 and "Beskriv åtgärden, eller töm raden." in page
        assert typed in page
        assert "Speciallärare tre gånger i veckan." in page
    assert not Atgardsprogram.objects.filter(pupil=s.pupil).exists()
    # An empty row is no measure: it is left out.
    assert client.post(url, data | {"atgard-1-responsible": ""}).status_code == 302
    assert [m.what for m in Atgardsprogram.objects.get(pupil=s.pupil).atgarder.all()] == [
        "Speciallärare tre gånger i veckan."
    ]
    # Editing the draft: the same.
    p = Atgardsprogram.objects.get(pupil=s.pupil)
    edit = reverse("atgardsprogram:programme_edit", args=[p.pk])
    refused = client.post(edit, data | {"atgard-1-subject": "Svenska"})
    assert refused.status_code == 200 and "Beskriv åtgärden, eller töm raden." in refused.content.decode()
    assert p.atgarder.count() == 1


def test_the_decision_letter_is_dated_and_says_notified_only_once_it_is(s: Sweden, tmp_path: Path) -> None:
    with time_machine.travel(datetime.datetime(2027, 1, 11, 10, tzinfo=datetime.UTC), tick=False):
        programme = decided(s)
    url = reverse("atgardsprogram:programme_pdf", args=[programme.pk])
    with time_machine.travel(datetime.datetime(2027, 1, 14, 10, tzinfo=datetime.UTC), tick=False):
        words = " ".join(pdf_text(s.client("guardian").get(url).content, tmp_path).split())
        assert "Datum: 11 januari 2027" in words  # the day of the decision, not of the download
        assert "Delgivet" not in words
        services.atgardsprogram_notified(actor=s.rektor, programme=programme, notified_on=datetime.date(2027, 1, 13))
        words = " ".join(pdf_text(s.client("guardian").get(url).content, tmp_path).split())
        assert "Delgivet 13 januari 2027" in words
    # The page shows the day of notification.
    page = s.client("rektor").get(reverse("atgardsprogram:programme", args=[programme.pk])).content.decode()
    assert "Delgivet" in page


def test_an_adaptation_that_starts_later_is_planned_not_tried(s: Sweden) -> None:
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, tzinfo=datetime.UTC), tick=False):
        started = anpassning(s)
        planned = anpassning(
            s,
            subject="Svenska",
            start_date=datetime.date(2027, 1, 11),
            follow_up_on=datetime.date(2027, 2, 1),
        )
        mentor = s.client("mentor")
        page = mentor.get(reverse("atgardsprogram:support", args=[s.pupil.pk])).content.decode()
        assert "Planerad från 11 januari 2027" in page
        assert reverse("atgardsprogram:anpassning_follow_up", args=[planned.pk]) not in page
        assert reverse("atgardsprogram:anpassning_follow_up", args=[started.pk]) in page
        edit = mentor.get(reverse("atgardsprogram:anpassning", args=[planned.pk])).content.decode()
        assert reverse("atgardsprogram:anpassning_follow_up", args=[planned.pk]) not in edit
        form = mentor.get(reverse("atgardsprogram:utredning_create", args=[s.pupil.pk])).content.decode()
        checked = set(re.findall(r'<input type="checkbox" name="anpassningar" value="([^"]+)"[^>]*checked', form))
        assert checked == {str(started.pk)}
        assert f'value="{planned.pk}"' in form  # it may still be chosen
    with time_machine.travel(datetime.datetime(2027, 1, 11, 10, tzinfo=datetime.UTC), tick=False):
        page = s.client("mentor").get(reverse("atgardsprogram:support", args=[s.pupil.pk])).content.decode()
        assert "Planerad från" not in page
        assert reverse("atgardsprogram:anpassning_follow_up", args=[planned.pk]) in page


def test_a_new_draft_starts_from_the_programme_in_force(s: Sweden) -> None:
    with time_machine.travel(datetime.datetime(2027, 1, 11, 10, tzinfo=datetime.UTC), tick=False):
        in_force = decided(s, needs="Alva behöver stöd i läsförståelse.", annan_elevgrupp=True)
    with time_machine.travel(datetime.datetime(2027, 3, 1, 10, tzinfo=datetime.UTC), tick=False):
        u = utredning(s)
        url = reverse("atgardsprogram:programme_create", args=[u.pk])
        page = s.client("mentor").get(url).content.decode()
        assert "Utkastet utgår från åtgärdsprogrammet som gäller, beslutat 11 januari 2027." in page
        assert "Alva behöver stöd i läsförståelse." in page
        assert re.search(r'name="subjects"[^>]*value="Matematik"|value="Matematik"[^>]*name="subjects"', page)
        assert re.search(r'name="annan_elevgrupp"[^>]*checked', page)
        measure = in_force.atgarder.get()
        assert re.search(r'name="atgard-0-what"[^>]*>\s*' + re.escape(measure.what), page)
        assert re.search(r'name="atgard-0-responsible"[^>]*value="Speciallärare"', page)
        # The new decision's own dates and the pupil's and guardians' part are not carried over.
        assert not re.search(r'name="follow_up_on"[^>]*value="\d', page)
        assert not re.search(r'name="pupil_took_part".*?<option value="true" selected>', page, re.S)
        # Without a programme in force, the form starts empty.
        in_force.status = Atgardsprogram.Status.ENDED
        in_force.save(update_fields=["status"])
        page = s.client("mentor").get(url).content.decode()
        assert "Utkastet utgår från" not in page and "Alva behöver stöd i läsförståelse." not in page


def test_the_rektor_is_warned_when_the_pupil_or_guardians_did_not_take_part(s: Sweden) -> None:
    rektor = s.client("rektor")
    p = draft(s, guardians_took_part=False)
    page = rektor.get(reverse("atgardsprogram:programme", args=[p.pk])).content.decode()
    assert 'id="participation"' in page and "skollagen 3 kap. 9 §" in page
    assert "Enligt utkastet har vårdnadshavarna inte getts möjlighet att delta." in page
    assert "Enligt utkastet har eleven inte" not in page
    assert 'id="missing"' not in page  # a warning, not a bar: the rektor may decide
    decide = reverse("atgardsprogram:programme_decide", args=[p.pk])
    assert rektor.post(decide, {"decided_on": timezone.localdate().isoformat()}).status_code == 302
    assert Atgardsprogram.objects.get(pk=p.pk).is_decided
    unanswered = draft(s, pupil_took_part=None)
    page = rektor.get(reverse("atgardsprogram:programme", args=[unanswered.pk])).content.decode()
    assert "Utkastet anger inte om eleven har getts möjlighet att delta." in page
    both = draft(s)
    assert 'id="participation"' not in rektor.get(reverse("atgardsprogram:programme", args=[both.pk])).content.decode()


def test_the_pupil_page_of_a_swedish_school_does_not_count_follow_up_insatser_as_the_programmes_atgarder() -> None:
    """The follow-up section counts followup's tiltak ("insatser" in Swedish), not the åtgärder of a decided
    åtgärdsprogram: "Aktiva åtgärder: 0" beside a programme with åtgärder misled the reader."""
    s = sweden()
    programme = decided(s)
    assert programme.atgarder.exists()
    page = s.client("rektor").get(reverse("pupil_detail", args=[s.pupil.pk])).content.decode()
    assert "Aktiva insatser: 0" in page
    assert "Aktiva åtgärder" not in page
