"""Concern → kartlegging → tiltak → evaluation → referral with consent, through
the real pages in Chromium; the pedagogisk rapport holds what was documented.
axe-core checks every page on the way."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from followup.models import Referral
from students.models import PptGrant, StaffMembership
from tests import factories as f
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login
from tests.iop.factories import VEDTAK_REASONS, consent


def save(page: Any, name: str = "Lagre") -> None:
    """Send the form with the NAME button; the page it answers with has loaded."""
    follow(page, page.get_by_role("button", name=name, exact=True))


def log_out(page: Any) -> None:
    """Log out and wait for the login page, so the next login is not cut short."""
    follow(page, page.get_by_role("button", name="Logg ut"))


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_concern_to_referral_with_consent(live_server: Any, transactional_world: World, page: Any) -> None:
    w = transactional_world
    today = timezone.localdate()
    rektor = f.UserFactory(email="rektor@test.example", full_name="Rita Rektor")
    f.member(rektor, w.school1, StaffMembership.Role.REKTOR)
    login(page, live_server.url, "teacher@test.example")
    page.goto(f"{live_server.url}/elever/{w.pupil_a.pk}/")
    follow(page, page.get_by_role("link", name="Bekymringsmeldinger, kartlegging, tiltak, samtaler og henvisninger"))
    assert page.get_by_role("heading", level=1).inner_text() == "Oppfølging: Anna Aasen"
    assert_accessible(page)

    # 1. The concern; a missing category keeps the text and says what is wrong.
    page.get_by_role("link", name="Meld bekymring").click()
    page.get_by_label("Hva som ble observert").fill("Anna leser saktere enn før og gir opp skriveoppgaver.")
    save(page)
    expect(page.get_by_text("Velg minst én ting du observerte.")).to_be_visible()
    assert "gir opp skriveoppgaver" in page.get_by_label("Hva som ble observert").input_value()
    assert_accessible(page)
    page.get_by_label("Utilstrekkelig utbytte av opplæringen").check()
    save(page)
    expect(page.get_by_text("Bekymringsmeldingen er registrert.")).to_be_visible()

    # 2. Kartlegging after the concern.
    page.get_by_role("link", name="Registrer kartlegging").first.click()
    page.get_by_label("Type", exact=True).select_option(label="Faglig")
    page.get_by_label("Etter bekymringsmeldingen").select_option(index=1)
    page.get_by_label("Gjennomført av").fill("Frode Faglærer (matematikk)")
    page.get_by_label("Metode eller verktøy").fill("Kartleggeren lesetest")
    page.get_by_label("Resultat", exact=True).fill("Leser 38 ord i minuttet, god forståelse ved høytlesing.")
    assert_accessible(page)
    save(page)
    expect(page.get_by_text("Kartleggingen er lagret.")).to_be_visible()

    # 3. A tiltak in the follow-up plan.
    page.get_by_role("link", name="Nytt tiltak").click()
    page.get_by_label("Utfordringen tiltaket gjelder").fill("Leseflyt")
    page.get_by_label("Tiltaket", exact=True).fill("Lesekurs i liten gruppe tre ganger i uka")
    page.get_by_label("Individuelt eller gruppebasert").select_option(label="Gruppebasert")
    page.get_by_label("Løses av").select_option(label="Skolen i samarbeid med andre")
    page.get_by_label("Samarbeidspartnere").fill("PPT veileder lærerne")
    page.get_by_label("Til", exact=True).fill((today + datetime.timedelta(days=90)).isoformat())
    page.get_by_label("Hvem som har ansvar for hva").fill("Kontaktlærer holder kurset")
    page.get_by_label("Evalueringsdato").fill((today + datetime.timedelta(days=30)).isoformat())
    assert_accessible(page)
    save(page)
    expect(page.get_by_text("Tiltaket er lagret.")).to_be_visible()
    assert_accessible(page)

    # 4. Evaluation: adjusted, with a new evaluation date.
    page.get_by_role("link", name="Evaluer tiltaket").click()
    page.get_by_role("radio", name="Justeres").check()
    page.get_by_label("Effekt og merknad").fill("Noe bedre flyt, men fortsatt for lite utbytte.")
    page.get_by_label("Hva som justeres").fill("Lydbøker i alle fag")
    page.get_by_label("Neste evaluering").fill((today + datetime.timedelta(days=60)).isoformat())
    assert_accessible(page)
    save(page)
    expect(page.get_by_text("Evalueringen er lagret.")).to_be_visible()

    # 5. The referral: the pedagogisk rapport is pre-filled from all of the above.
    follow(page, page.get_by_role("link", name="Oppfølging: Anna Aasen"))
    follow(page, page.get_by_role("link", name="Henvis til PPT"))
    page.get_by_label("Hva ber skolen PPT om å vurdere?").fill("Har Anna behov for individuelt tilrettelagt opplæring?")
    save(page)
    report = page.get_by_test_id("pedagogisk-rapport").inner_text()
    for documented in (
        "gir opp skriveoppgaver",
        "Kartleggeren lesetest",
        "Leser 38 ord i minuttet",
        "Lesekurs i liten gruppe tre ganger i uka",
        "PPT veileder lærerne",
        "Justeres: Noe bedre flyt, men fortsatt for lite utbytte.",
        "Lydbøker i alle fag",
    ):
        assert documented in report, documented
    expect(page.get_by_text("Ingen samtykke er registrert.")).to_be_visible()
    assert_accessible(page)

    # 6. The guardian's consent (who, when, how).
    # A guardian is chosen among the pupil's guardians with parental responsibility, not typed.
    assert page.get_by_label("Navn på den som samtykker").count() == 0
    page.get_by_label("Foresatt", exact=True).select_option(label="Aud Foresatt")
    page.get_by_label("Hvordan").select_option(label="Signert skjema")
    save(page, "Registrer samtykke")
    expect(page.get_by_text("Samtykket er registrert.")).to_be_visible()
    assert page.get_by_role("button", name="Send henvisningen til PPT").count() == 0  # leadership sends

    # 7. The coordinator sends it; PPT serving the school gets access.
    log_out(page)
    login(page, live_server.url, "coordinator@test.example")
    referral = Referral.objects.get()
    PptGrant.objects.filter(pupil=w.pupil_a).delete()  # the world had referred pupil A before
    page.goto(f"{live_server.url}/oppfolging/henvisning/{referral.pk}/")
    follow(page, page.get_by_role("button", name="Send henvisningen til PPT"))
    # What the pupil masters is the teacher's to write: not sent before it is.
    expect(
        page.get_by_text("Den pedagogiske rapporten er ikke ferdig: skriv delen «Hva eleven mestrer»")
    ).to_be_visible()
    follow(page, page.get_by_role("link", name="Endre spørsmålet og rapporten"))
    field = page.get_by_label("Hva eleven mestrer")  # one field per section, labelled by its title
    assert "Beskriv elevens sterke sider" not in field.input_value()  # the hint is a placeholder, not the text
    assert "Beskriv elevens sterke sider" in (field.get_attribute("placeholder") or "")
    assert_accessible(page)
    field.fill("Anna forteller gjerne og hjelper andre i gruppearbeid.")
    save(page)
    follow(page, page.get_by_role("button", name="Send henvisningen til PPT"))
    expect(page.get_by_text("Henvisningen er sendt. PPT har nå tilgang til eleven.")).to_be_visible()
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert PptGrant.objects.filter(pupil=w.pupil_a, revoked_at__isnull=True).exists()

    # The coordinator's other pages: deadlines, a new meeting, the årshjul.
    for path in ("/oppfolging/?status=open", "/oppfolging/moter/nytt/", "/oppfolging/arshjul/"):
        page.goto(live_server.url + path)
        assert page.get_by_role("heading", level=1).count() == 1, path
        assert_accessible(page)
    page.goto(f"{live_server.url}/oppfolging/varsler/")
    expect(page.get_by_text("Anna Aasen").first).to_be_visible()  # the concern reached the coordinator in-app

    # 8. PPT finds the referral waiting on the home page and the way on to the assessment.
    log_out(page)
    login(page, live_server.url, "ppt@test.example")
    waiting = page.get_by_test_id("referrals-waiting")
    assert "Anna Aasen" in waiting.inner_text() and "venter 0 dager" in waiting.inner_text()
    assert_accessible(page)
    follow(page, waiting.get_by_role("link", name="Anna Aasen"))
    page.get_by_role("link", name="Skriv sakkyndig vurdering").click()
    page.wait_for_url("**/sakkyndig-vurdering/ny/")
    assert page.get_by_role("heading", level=1).count() == 1
    sv = _complete_assessment(w, referral)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ASSESSED

    # 9. The rektor, who makes the decision, finds it among their next tasks;
    #    the coordinator is told too.
    log_out(page)
    login(page, live_server.url, "rektor@test.example")
    tasks = page.get_by_test_id("my-tasks")
    assert "Enkeltvedtak etter sakkyndig vurdering – Anna Aasen" in tasks.inner_text()
    assert_accessible(page)
    log_out(page)
    login(page, live_server.url, "coordinator@test.example")
    assert page.get_by_role("link", name=re.compile(r"\d+ (nytt varsel|nye varsler)")).is_visible()
    log_out(page)
    login(page, live_server.url, "rektor@test.example")
    follow(page, page.get_by_test_id("my-tasks").get_by_role("link", name="Enkeltvedtak etter sakkyndig vurdering"))
    assert f"/sakkyndig-vurdering/{sv.pk}/" in page.url
    vedtak = _make_vedtak(w, sv, rektor)

    # 10. The kontaktlærer finds the IOP due after the vedtak among their next tasks.
    log_out(page)
    login(page, live_server.url, "teacher@test.example")
    tasks = page.get_by_test_id("my-tasks")
    assert "IOP utarbeidet etter enkeltvedtak – Anna Aasen" in tasks.inner_text()
    assert_accessible(page)
    follow(page, tasks.get_by_role("link", name="IOP utarbeidet etter enkeltvedtak"))
    assert "/vedtak/" in page.url

    # 11. The IOP is written and published; the guardian finds it from their own home page.
    iop = _publish_iop(w, vedtak)
    log_out(page)
    login(page, live_server.url, "guardian_a@test.example")
    follow(page, page.get_by_role("link", name=re.compile(r"\d+ (nytt varsel|nye varsler)")))
    page.locator("main").get_by_role("link", name="IOP").first.click()
    page.wait_for_url(f"**/iop/{iop.pk}/")
    assert "Lese 60 ord i minuttet" in page.inner_text("main")
    assert_accessible(page)


def _complete_assessment(w: World, referral: Referral) -> Any:
    from iop import services as iop_services

    ppt, today = w.user("ppt"), timezone.localdate()
    sv = iop_services.vurdering_create(
        actor=ppt,
        pupil=referral.pupil,
        data={
            "assessed_on": today,
            "valid_from": today,
            "valid_to": today + datetime.timedelta(days=200),
            "benefit_from_ordinary": "Noe",
            "why_insufficient": "Leser for sakte til å følge klassen",
            "realistic_goals": "Lese 60 ord i minuttet",
            "recommended_measures": "Lesekurs i liten gruppe",
            "pupil_view": "Eleven vil helst være i klassen; det er lagt vekt på.",
        },
        subjects=[{"subject": "Norsk", "hours": 38}],
    )
    consent(referral.pupil, "sv")
    return iop_services.vurdering_complete(actor=ppt, vurdering=sv, version=sv.version)


def _make_vedtak(w: World, sv: Any, rektor: Any) -> Any:
    from iop import services as iop_services

    today = timezone.localdate()
    vedtak = iop_services.vedtak_create(
        actor=rektor,
        pupil=sv.pupil,
        vurdering=sv,
        data={"valid_from": today, "valid_to": today + datetime.timedelta(days=200), **VEDTAK_REASONS},
        subjects=[{"subject": "Norsk", "hours": 38}],
    )
    consent(sv.pupil, "vedtak")
    return iop_services.vedtak_make(actor=rektor, vedtak=vedtak, version=vedtak.version)


def _publish_iop(w: World, vedtak: Any) -> Any:
    from iop import services as iop_services

    teacher = w.user("teacher")
    iop = iop_services.iop_create(actor=teacher, vedtak=vedtak)
    for section in iop.sections.all():
        iop_services.goal_create(actor=teacher, iop=iop, section=section, text="Lese 60 ord i minuttet")
    iop.refresh_from_db()
    return iop_services.iop_publish(actor=teacher, iop=iop, version=iop.version)
