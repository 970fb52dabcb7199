"""The law as an inspector checks it, through the real pages in Chromium, as
the real personas: consent to the sakkyndig vurdering → PPT's assessment with
hours and the pupil's view → consent to the decision → a draft enkeltvedtak
with its reasons → forhåndsvarsel, the decision refused before the deadline
until the guardian has answered (staff record the comment) → the decision,
its notification date and letter (appeal information), read by the guardian
→ an appeal in the register → the IOP with who took part, strengths, aids,
evaluation, the pupil's view and hours by staff, refused while a subject has
no goal → the årsrapport sent to the guardians and the school owner.
Then a refusal, and a pupil with decisions: archived, never deleted.
Dates are counted from today, so the test passes on any day.
axe-core checks the new pages."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from iop.models import AdvanceNotice, AdvanceNoticeComment, Appeal, CaseConsent, Enkeltvedtak, Iop, IopSubject
from iop.models import SakkyndigVurderingSubject as SvSubject
from iop.reports.models import Report
from students.models import Pupil
from tests.conftest import World
from tests.e2e.conftest import assert_accessible, follow, login
from tests.iop.factories import VurderingFactory, chain, consent
from tests.reports.conftest import pdf_text

DAY = datetime.timedelta(days=1)


def as_user(page: Any, live_server: Any, email: str) -> None:
    page.context.clear_cookies()
    login(page, live_server.url, email)


def shown(day: datetime.date) -> str:
    """DAY as the pages and letters show it in bokmål ("j. F Y")."""
    with translation.override("nb"):
        return formats.date_format(day, "j. F Y")


def save(page: Any, then: str, name: str = "Lagre") -> None:
    """Press the NAME button and wait for the message THEN of the next page."""
    page.get_by_role("button", name=name, exact=True).click()
    page.get_by_text(then).first.wait_for()


@pytest.fixture
def personas(browser: Any, live_server: Any) -> Iterator[Callable[[str], Any]]:
    """A page per persona, logged in once through the login form and kept (a browser context each)."""
    contexts: list[Any] = []
    pages: dict[str, Any] = {}

    def page_of(persona: str) -> Any:
        if persona not in pages:
            context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900}, bypass_csp=True)
            context.set_default_timeout(10_000)
            contexts.append(context)
            pages[persona] = context.new_page()
            login(pages[persona], live_server.url, f"{persona}@test.example")
        return pages[persona]

    yield page_of
    for context in contexts:
        context.close()


def from_job_page(page: Any, link: Any) -> Path:
    """Click LINK to a document made on a worker: its page says when the file
    is ready (it asks again by itself until then), and the file is
    downloaded from there; then back to the page the link was on. A busy
    machine may take long to make a large file: up to a minute."""
    link.click(timeout=60_000)
    page.locator("#pdf-job").get_by_role("link", name=re.compile(r"^Last ned")).wait_for(timeout=60_000)
    with page.expect_download() as started:
        page.locator("#pdf-job").get_by_role("link", name=re.compile(r"^Last ned")).click()
    path = Path(started.value.path())
    page.go_back()
    return path


def download(page: Any, link: Any) -> bytes:
    pdf = from_job_page(page, link).read_bytes()
    assert pdf.startswith(b"%PDF")
    return pdf


def record_consent(page: Any, w: World, kind: str, day: datetime.date) -> None:
    """On the consent page: the guardian's consent to KIND, given on DAY on a signed form."""
    page.get_by_label("Samtykke til").select_option(label=kind)
    page.get_by_label("Gitt av").select_option(label="En foresatt, på vegne av eleven")
    page.get_by_label("Foresatt", exact=True).select_option(value=str(w.user("guardian_a").pk))  # type: ignore[union-attr]
    page.get_by_label("Navn på den som samtykker").fill("Aud Foresatt")
    page.get_by_label("Dato for samtykket").fill(day.isoformat())
    page.get_by_label("Hvordan", exact=True).select_option(label="Signert skjema")
    save(page, "Samtykket er registrert.")


@pytest.mark.django_db(transaction=True)
def test_a_case_from_consent_to_the_annual_report_sent(
    live_server: Any, transactional_world: World, personas: Callable[[str], Any], settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    w = transactional_world
    today = timezone.localdate()
    pupil_url = f"{live_server.url}/elever/{w.pupil_a.pk}/"

    # 1. The coordinator records the guardian's consent to the assessment: who, when, how.
    page = personas("coordinator")
    page.goto(pupil_url)
    page.locator(".iop-plans").get_by_role("link", name="Samtykke", exact=True).click()
    record_consent(page, w, "den sakkyndige vurderingen", today - 7 * DAY)
    row = page.locator("[data-consents] tbody tr").first.inner_text()
    assert "Aud Foresatt" in row and shown(today - 7 * DAY) in row and "Signert skjema" in row
    assert_accessible(page)

    # 2. PPT writes the assessment with hours per subject and the pupil's view, and completes it.
    page = personas("ppt")
    page.goto(pupil_url)
    page.get_by_role("link", name="Skriv sakkyndig vurdering").click()
    page.get_by_label("Elevens utbytte av den ordinære opplæringen").fill("Noe utbytte i praktiske fag.")
    page.get_by_label("Hvorfor eleven ikke har eller ikke kan få tilfredsstillende utbytte").fill("Trenger konkreter.")
    page.get_by_label("Realistiske opplæringsmål").fill("Regne i tallområdet 0–100 og lese korte tekster.")
    page.get_by_label("Tiltak som kan gi tilfredsstillende utbytte").fill("Liten gruppe tre timer i uka.")
    page.get_by_label("Elevens egen mening og hvordan den er vektlagt").fill("Anna vil helst lære i liten gruppe.")
    for n, (subject, hours) in enumerate((("Matematikk", "76"), ("Norsk", "38"))):
        page.locator(f'[name="fag-{n}-subject"]').fill(subject)
        page.locator(f'[name="fag-{n}-hours"]').fill(hours)
    save(page, "Den sakkyndige vurderingen er lagret som utkast.")
    page.get_by_role("button", name="Ferdigstill vurderingen").click()
    page.get_by_role("button", name="Ja, ferdigstill vurderingen").click()
    page.get_by_text("Den sakkyndige vurderingen er ferdigstilt").wait_for()

    # 3. Consent to the decision, then the coordinator drafts it with its reasons.
    page = personas("coordinator")
    page.goto(pupil_url)
    page.locator(".iop-plans").get_by_role("link", name="Samtykke", exact=True).click()
    record_consent(page, w, "individuelt tilrettelagt opplæring (vedtaket)", today - 2 * DAY)
    page.goto(pupil_url)
    follow(page, page.get_by_role("link", name="Fatt vedtak ut fra denne vurderingen"))
    assert "§ 11-6" in page.get_by_label("Rettslig grunnlag").input_value()  # the act's section, pre-filled
    page.get_by_label("De faktiske forholdene vedtaket bygger på").fill("Anna regner i tallområdet 0–20.")
    page.get_by_label("Hovedhensyn").fill("Liten gruppe gir ro og tid; det er til elevens beste.")
    page.get_by_label("Elevens egen mening og hvordan den er vektlagt").fill("Anna ønsker liten gruppe; lagt vekt på.")
    for n in range(2):  # what the assessment leaves open, the decision states
        page.locator(f'[name="fag-{n}-organisation"]').select_option("small_group")
        page.locator(f'[name="fag-{n}-staff_competence"]').select_option("special_needs_teacher")
    save(page, "Vedtaket er lagret som utkast.", "Lagre utkast")
    vedtak = Enkeltvedtak.objects.get(pupil=w.pupil_a)
    assert not vedtak.is_made and vedtak.subjects.count() == 2

    # 4. Forhåndsvarsel: the draft goes to the parties with a deadline for comments.
    deadline = today + 14 * DAY
    follow(page, page.get_by_role("link", name="Send forhåndsvarsel"))
    page.get_by_label("Frist for merknader").fill(deadline.isoformat())
    page.get_by_label("Melding til partene").fill("Her er utkastet til vedtak og den sakkyndige vurderingen.")
    assert_accessible(page)
    save(page, "Forhåndsvarselet er sendt.", name="Send forhåndsvarsel")
    assert shown(deadline) in page.locator("[data-advance-notice]").inner_text()

    # 5. Making it before the deadline, with no answer from the guardian, is
    # refused and says why: the confirmation has no "yes" while it waits.
    page.get_by_role("button", name="Fatt vedtaket").click()
    page.get_by_text("Dette kan ikke gjøres ennå:").wait_for()
    assert page.get_by_role("button", name="Ja, fatt vedtaket").count() == 0
    refusal = page.get_by_text(re.compile("Partene kan uttale seg om utkastet til og med")).inner_text()
    assert "Ikke svart ennå: Aud Foresatt." in refusal
    vedtak.refresh_from_db()
    assert not vedtak.is_made

    # 6. The guardian reads the draft and the deadline, and can write nothing.
    notice = AdvanceNotice.objects.get(vedtak=vedtak)
    page = personas("guardian_a")
    page.goto(f"{live_server.url}/vedtak/{vedtak.pk}/")
    assert shown(deadline) in page.locator("[data-advance-notice]").inner_text()
    assert "Anna regner i tallområdet 0–20." in page.inner_text("main")
    assert not page.locator("main form").count()
    assert not page.get_by_role("link", name="Registrer en merknad").count()
    response = page.goto(f"{live_server.url}/forhandsvarsel/{notice.pk}/merknad/")
    assert response is not None and response.status == 403  # may read the case, never write in it

    # 7. Staff record the guardian's comment; then the decision can be made before the deadline.
    page = personas("coordinator")
    page.goto(f"{live_server.url}/vedtak/{vedtak.pk}/")
    follow(page, page.get_by_role("link", name="Registrer en merknad"))
    page.get_by_label("Fra", exact=True).select_option(label="En foresatt")
    page.get_by_label("Foresatt", exact=True).select_option(value=str(w.user("guardian_a").pk))  # type: ignore[union-attr]
    page.get_by_label("Navn", exact=True).fill("Aud Foresatt")
    page.get_by_label("Mottatt").fill(today.isoformat())
    page.get_by_label("Merknad", exact=True).fill("Vi er enige i utkastet.")
    assert_accessible(page)
    save(page, "Merknaden er registrert.")
    assert "Vi er enige i utkastet." in page.locator("[data-notice]").inner_text()
    page.get_by_role("button", name="Fatt vedtaket").click()
    page.get_by_role("button", name="Ja, fatt vedtaket").click()
    page.get_by_text("Vedtaket er fattet. Elevens IOP kan nå skrives.").wait_for()

    # 8. The notification date gives the three-week appeal deadline; the letter holds it all.
    page.get_by_label("Partene ble underrettet").fill(today.isoformat())
    page.get_by_role("button", name="Registrer datoen for underretning").click()
    page.get_by_text("Datoen for underretning er registrert.").wait_for()
    assert page.get_by_role("button", name="Rett datoen for underretning").count() == 1  # recorded: now corrected
    appeal_deadline = today + 21 * DAY
    assert page.locator("[data-appeal-deadline]").inner_text() == shown(appeal_deadline)
    assert_accessible(page)
    letter = pdf_text(download(page, page.get_by_role("link", name="Vedtaksbrev (PDF)")), tmp_path, "vedtak.pdf")
    for part in (
        "Opplæringslova § 11-6",
        "Anna regner i tallområdet 0–20.",
        "Liten gruppe gir ro og tid; det er til elevens beste.",
        "Anna ønsker liten gruppe; lagt vekt på.",
        "innen tre uker",
        "Statsforvalteren",
        shown(appeal_deadline),
        "Matematikk",
    ):
        assert part in letter, part

    # 9. The guardian finds the decision and its letter.
    page = personas("guardian_a")
    page.goto(pupil_url)
    follow(page, page.locator(".iop-plans").get_by_role("link", name=re.compile("^Enkeltvedtak")))
    assert "Liten gruppe gir ro og tid" in page.inner_text("main")
    assert page.locator("[data-appeal-deadline]").inner_text() == shown(appeal_deadline)
    guardian_letter = pdf_text(download(page, page.get_by_role("link", name="Vedtaksbrev (PDF)")), tmp_path)
    assert "Statsforvalteren" in guardian_letter and "Anna regner i tallområdet 0–20." in guardian_letter

    # 10. An appeal comes in: registered, and shown on the pupil's page.
    page = personas("coordinator")
    page.goto(f"{live_server.url}/vedtak/{vedtak.pk}/")
    follow(page, page.get_by_role("link", name="Registrer en klage"))
    page.get_by_label("Mottatt").fill(today.isoformat())
    page.get_by_label("Klager").fill("Aud Foresatt")
    page.get_by_label("Hva klagen går ut på").fill("Ønsker flere timer i norsk.")
    assert_accessible(page)
    save(page, "Klagen er registrert.")
    page.goto(pupil_url)
    register = page.locator(".iop-plans [data-appeals]").inner_text()
    assert "Aud Foresatt" in register and "Åpen" in register and shown(today) in register
    assert_accessible(page)
    assert Appeal.objects.filter(vedtak=vedtak, appellant="Aud Foresatt").count() == 1

    # 11. The kontaktlærer makes the IOP with the new fields; a subject without a goal stops publishing.
    page = personas("teacher")
    page.goto(pupil_url)
    page.locator(".iop-plans").get_by_role("link", name=re.compile("^Enkeltvedtak")).click()
    page.get_by_role("button", name="Opprett IOP").click()
    page.get_by_text("IOP-en er opprettet").wait_for()
    about = page.locator("#iop-form-wrapper")
    about.get_by_label("Hvem som deltok i arbeidet med planen").fill("Anna, mor, kontaktlærer og PPT.")
    about.get_by_label("Elevens sterke sider og interesser").fill("Glad i fotball og tegning.")
    about.get_by_label("Hjelpemidler og læremidler").fill("Konkreter, tallinje og lydbøker.")
    about.get_by_label("Når og hvordan planen evalueres").fill("Hver sjette uke med Anna og mor.")
    about.get_by_label("Elevens egen mening og hvordan den er vektlagt").fill("Anna vil ha korte økter.")
    about.get_by_role("button", name="Lagre", exact=True).click()
    about.get_by_role("status").get_by_text("Lagret").wait_for()
    maths = page.locator("section.iop-section", has=page.get_by_role("heading", name="Matematikk", exact=True))
    maths.get_by_label("Timer med lærer").fill("38")
    maths.get_by_label("Timer med spesialpedagog").fill("30")
    maths.get_by_label("Timer med assistent").fill("8")
    maths.get_by_role("button", name="Lagre Matematikk").click()
    maths.get_by_role("status").get_by_text("Lagret").first.wait_for()
    add_goal(page, "Matematikk", "Anna legger sammen tall opp til 100 med tallinje.")
    assert_accessible(page)  # edit mode with the new fields
    page.reload()
    follow(page, page.get_by_role("button", name="Publiser til foresatte"))
    expect(page.get_by_text("Ingen læringsmål ennå i: Norsk.")).to_be_visible()
    assert not page.get_by_role("button", name="Ja, publiser").count()
    follow(page, page.get_by_role("link", name="Tilbake til dokumentet"))
    add_goal(page, "Norsk", "Anna leser en tekst på 100 ord med høyst tre feil.")
    page.reload()
    page.get_by_role("button", name="Publiser til foresatte").click()
    page.get_by_role("button", name="Ja, publiser").click()
    page.get_by_text("IOP-en er publisert").wait_for()
    iop = Iop.objects.get(pupil=w.pupil_a)
    assert iop.status == Iop.Status.PUBLISHED
    assert (iop.participants, iop.strengths, iop.aids, iop.evaluation, iop.pupil_view) == (
        "Anna, mor, kontaktlærer og PPT.",
        "Glad i fotball og tegning.",
        "Konkreter, tallinje og lydbøker.",
        "Hver sjette uke med Anna og mor.",
        "Anna vil ha korte økter.",
    )
    section = IopSubject.objects.get(iop=iop, subject="Matematikk")
    assert (section.hours_teacher, section.hours_special_needs_teacher, section.hours_assistant) == (38, 30, 8)

    # 12. The årsrapport: written, finalised, and recorded as sent to both recipients with dates.
    page.goto(pupil_url)
    follow(page, page.get_by_role("button", name=re.compile("^Lag utkast: Årsrapport")))
    page.get_by_label("Oppsummering").fill("Anna regner nå med tall til 50 og leser korte tekster selv.")
    page.get_by_role("button", name="Ferdigstill rapporten").click()
    page.get_by_role("button", name="Ja, ferdigstill rapporten").click()
    page.get_by_text("Rapporten er ferdigstilt").wait_for()
    for recipient in ("Eleven og foresatte", "Skoleeier"):
        page.get_by_label("Sendt til", exact=True).select_option(label=recipient)
        page.get_by_label("Dato sendt").fill(today.isoformat())
        page.get_by_role("button", name="Registrer som sendt").click()
        page.get_by_text(f"Registrert: sendt til {recipient.lower()}").wait_for()
    facts = page.locator("dl.facts").inner_text()
    assert f"Sendt til eleven og foresatte\n{shown(today)}" in facts
    assert f"Sendt til skoleeier (Testkommune)\n{shown(today)}" in facts
    assert_accessible(page)
    report = Report.objects.get(iop=iop)
    assert report.sent_to_guardians_on == today and report.sent_to_school_owner_on == today

    assert CaseConsent.objects.filter(pupil=w.pupil_a).count() == 2
    assert AdvanceNoticeComment.objects.get(notice=notice).guardian == w.user("guardian_a")


def add_goal(page: Any, subject: str, text: str) -> None:
    page.get_by_role("button", name=f"Legg til mål i {subject}").click()
    section = page.locator("section.iop-section", has=page.get_by_role("heading", name=subject, exact=True))
    goal = section.locator("li.iop-goal").last
    goal.get_by_label("Læringsmål", exact=True).wait_for()
    goal.get_by_label("Læringsmål", exact=True).fill(text)
    goal.locator("form[data-draft]").evaluate("form => form.requestSubmit()")  # autosave, sent now
    goal.get_by_role("status").get_by_text("Lagret").wait_for()


@pytest.mark.django_db(transaction=True)
def test_a_refusal_is_made_with_reasons_and_its_letter_says_so(
    live_server: Any, transactional_world: World, page: Any, tmp_path: Path
) -> None:
    w = transactional_world
    sv = VurderingFactory(pupil=w.pupil_b)  # completed, with the guardians' consent
    SvSubject.objects.create(vurdering=sv, subject="Norsk", hours=38)
    consent(w.pupil_b, CaseConsent.Kind.VEDTAK)
    as_user(page, live_server, "coordinator@test.example")
    page.goto(f"{live_server.url}/elever/{w.pupil_b.pk}/")
    page.get_by_role("link", name="Fatt vedtak ut fra denne vurderingen").click()
    page.get_by_label("Utfall").select_option(label="Avslag: ikke individuelt tilrettelagt opplæring")
    page.locator('[name="fag-0-DELETE"]').check()  # a refusal names no subjects
    page.get_by_label("De faktiske forholdene vedtaket bygger på").fill("Bjørn leser på alderstrinnet.")
    page.get_by_label("Hovedhensyn").fill("Tilpasset opplæring i klassen er nok.")
    page.get_by_label("Elevens egen mening og hvordan den er vektlagt").fill("Bjørn vil være i klassen.")
    page.get_by_label("Begrunnelse for avvik fra den sakkyndige vurderingen").fill(
        "Nyere kartlegging viser godt utbytte av den ordinære opplæringen."
    )
    save(page, "Vedtaket er lagret som utkast.", "Lagre utkast")
    page.get_by_role("button", name="Fatt vedtaket").click()
    page.get_by_role("button", name="Ja, fatt vedtaket").click()
    page.get_by_text("Vedtaket er fattet. Det er et avslag, så det skrives ingen IOP ut fra det.").wait_for()
    assert "Avslag: ikke individuelt tilrettelagt opplæring" in page.locator("dl.facts").inner_text()
    assert not page.get_by_role("button", name="Opprett IOP").count()
    assert_accessible(page)
    vedtak = Enkeltvedtak.objects.get(pupil=w.pupil_b)
    assert vedtak.is_made and vedtak.is_refusal and not vedtak.subjects.exists()
    letter = pdf_text(download(page, page.get_by_role("link", name="Vedtaksbrev (PDF)")), tmp_path)
    for part in (
        "Bjørn Berg får ikke individuelt tilrettelagt opplæring",
        "Bjørn leser på alderstrinnet.",
        "Tilpasset opplæring i klassen er nok.",
        "Bjørn vil være i klassen.",
        "Nyere kartlegging viser godt utbytte",
        "innen tre uker",
        "Statsforvalteren",
    ):
        assert part in letter, part
    assert "Timer per skoleår" not in letter


@pytest.mark.django_db(transaction=True)
def test_a_pupil_with_decisions_is_archived_not_deleted(
    live_server: Any, transactional_world: World, page: Any, tmp_path: Path
) -> None:
    w = transactional_world
    made = chain(w.pupil_a)
    as_user(page, live_server, "operator@test.example")
    page.goto(f"{live_server.url}/admin/students/pupil/{w.pupil_a.pk}/change/")
    page.locator("a.deletelink").click()
    page.wait_for_url("**/delete/")
    content = page.locator("#content").inner_text()
    assert "slettes ikke" in content and "Arkiver eleven i stedet" in content, content
    assert "beskyttede" in content and str(made.vedtak) in content, content
    assert not page.locator("input[type=submit]").count()  # no "yes, I'm sure"
    assert Pupil.objects.filter(pk=w.pupil_a.pk).exists()

    as_user(page, live_server, "coordinator@test.example")
    page.goto(f"{live_server.url}/elever/{w.pupil_a.pk}/")
    follow(page, page.get_by_role("button", name="Arkiver eleven (har sluttet)"))
    assert "forsvinner fra listene" in page.locator("main").inner_text()  # asked first
    assert_accessible(page)
    follow(page, page.get_by_role("button", name="Ja, arkiver eleven"))
    page.get_by_text("Eleven er arkivert").wait_for()
    assert "Arkivert" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".iop-plans").get_by_role("link", name=re.compile("^Enkeltvedtak")).count()  # still readable
    assert_accessible(page)
    pupil = Pupil.objects.get(pk=w.pupil_a.pk)
    assert pupil.archived_at is not None
    assert Enkeltvedtak.objects.filter(pupil=pupil).count() == 1 and Iop.objects.filter(pupil=pupil).count() == 1

    # The archive export opens: every document as PDF/A, listed with its checksum.
    with zipfile.ZipFile(
        from_job_page(page, page.get_by_role("link", name="Last ned arkiveksporten (ZIP)"))
    ) as archive:
        metadata = json.loads(archive.read("metadata.json"))
        assert metadata["pupil"]["id"] == str(pupil.pk), metadata["pupil"]
        assert any(f["document_type"] == "vedtak" for f in metadata["files"]), metadata["files"]
        for entry in metadata["files"]:
            data = archive.read(entry["name"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
            pdf = tmp_path / "document.pdf"
            pdf.write_bytes(data)
            xmp = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
            assert "pdfaid:part" in xmp, entry["name"]
