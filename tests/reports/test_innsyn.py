"""The pupil's whole file for innsyn (PDF and JSON) and the archive export
(ZIP of PDF/A documents with metadata.json): the content of every app is in
it, in Norwegian words, the export is logged, the pages run a fixed number of
queries, and those who do not manage the pupil's school are refused."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst

from followup.models import Concern, Consent
from iop import services as iop_services
from iop.models import AccessLogEntry, Appeal, CaseConsent, Enkeltvedtak, Iop, SakkyndigVurdering
from iop.reports import innsyn, services
from iop.reports.models import PdfJob, Report
from students import services as student_services
from students.models import StaffMembership
from students.pupil_file import SCHEMA
from tests import factories as f
from tests.conftest import World
from tests.followup.fixtures import records
from tests.iop.factories import add_goals, consent
from tests.queries import assert_same_queries, page_queries
from tests.worker_files import fetched_from_worker

from .conftest import pdf_info, pdf_text
from .factories import make_iop

SV_TEXT = "Eleven trenger lesetrening i liten gruppe"
IOP_TEXT = "Norsk: lese ti sider om dagen"
CONCERN_TEXT = "Mye fravær"
APPEAL_TEXT = "Foresatte mener timetallet er for lavt"
REPORT_TEXT = "Eleven leser nå flytende korte tekster"


def _file(w: World) -> None:
    """Pupil A's case from every app: a concern and a referral with consent
    (followup), an SV, a made vedtak with a consent and an appeal, a published
    IOP with goals and logs (iop), and a read in the access log."""
    records(w)
    iop = make_iop(w.pupil_a, goals_per_subject=1, logs_per_goal=2, subjects=(("Norsk", 76),), goal_text=IOP_TEXT)
    SakkyndigVurdering.objects.filter(pk=iop.vedtak.vurdering_id).update(realistic_goals=SV_TEXT)
    consent(w.pupil_a, CaseConsent.Kind.VEDTAK)
    iop_services.iop_publish(actor=w.user("coordinator"), iop=iop, version=iop.version)  # kept as version 1
    Appeal.objects.create(vedtak=iop.vedtak, received_on=iop.vedtak.valid_from, summary=APPEAL_TEXT)
    w.client("teacher").get(reverse("pupil_detail", args=[w.pupil_a.pk]))  # one read in the access log


def _nb(text: object) -> str:
    with translation.override("nb"):
        return str(text)


def test_it_makes_the_whole_file_as_pdf_with_every_app_and_logs_it(world: World, tmp_path: Path) -> None:
    w = world
    _file(w)
    response, content = fetched_from_worker(
        w.client("coordinator"), reverse("reports:pupil_file_pdf", args=[w.pupil_a.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(content, tmp_path)
    for wanted in (CONCERN_TEXT, SV_TEXT, IOP_TEXT, APPEAL_TEXT, "Aud Foresatt"):
        assert wanted in text, wanted
    # Norwegian words, not codes: verbose names and choice labels.
    for label in (Consent.Method.SIGNED.label, Enkeltvedtak._meta.get_field("valid_from").verbose_name):
        assert capfirst(_nb(label)) in text, _nb(label)
    assert "Elevens hele mappe" in text and "Tilgangslogg" in text and "Sakkyndige vurderinger" in text
    entry = AccessLogEntry.objects.get(kind=AccessLogEntry.Kind.FILE)
    assert (entry.user, entry.pupil_id, entry.purpose) == (w.user("coordinator"), w.pupil_a.pk, "pdf")


def test_it_makes_the_whole_file_as_json_of_a_stable_shape(world: World) -> None:
    w = world
    _file(w)
    response, content = fetched_from_worker(
        w.client("coordinator"), reverse("reports:pupil_file_json", args=[w.pupil_a.pk])
    )
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"] and ".json" in response["Content-Disposition"]
    data = json.loads(content)
    assert data["schema"] == SCHEMA and data["pupil"]["id"] == str(w.pupil_a.pk)
    parts = {p["key"]: p for p in data["parts"]}
    for key in ("followup.concern", "followup.referral_consent", "iop.vurdering", "iop.vedtak", "iop.iop"):
        assert parts[key]["count"] >= 1, key
    for key in ("iop.goal_log", "iop.appeal", "iop.case_consent", "iop.vedtak_history", "iop.access_log"):
        assert parts[key]["records"], key
    concern = parts["followup.concern"]["records"][0]
    assert concern["model"] == "followup.concern"
    fields = {f["name"]: f for f in concern["fields"]}
    assert fields["description"]["value"] == CONCERN_TEXT
    assert fields["description"]["label"] == capfirst(_nb(Concern._meta.get_field("description").verbose_name))
    sv = {f["name"]: f for f in parts["iop.vurdering"]["records"][0]["fields"]}
    assert sv["realistic_goals"]["value"] == SV_TEXT
    assert sv["status"] == {
        **sv["status"],
        "value": "completed",
        "text": _nb(SakkyndigVurdering.Status.COMPLETED.label),
    }
    consent_fields = {f["name"]: f for f in parts["followup.referral_consent"]["records"][0]["fields"]}
    assert consent_fields["method"]["text"] == _nb(Consent.Method.SIGNED.label)
    assert any(r["title"] == IOP_TEXT for r in parts["iop.goal"]["records"])
    # The access log in the file names the teacher's read of the pupil page.
    read = parts["iop.access_log"]["records"][0]
    read_fields = {f["name"]: f for f in read["fields"]}
    assert read_fields["kind"]["value"] == "pupil"
    assert read_fields["role"]["text"] == _nb(StaffMembership.Role.KONTAKTLAERER.label), "the role in words"
    assert read_fields["user"]["text"] == w.user("teacher").full_name
    entry = AccessLogEntry.objects.get(kind=AccessLogEntry.Kind.FILE)
    assert (entry.user, entry.purpose) == (w.user("coordinator"), AccessLogEntry.Purpose.JSON)


@pytest.mark.parametrize("name", ["reports:pupil_file_pdf", "reports:pupil_file_json", "reports:pupil_archive_zip"])
def test_those_who_do_not_manage_the_school_are_refused(world: World, name: str) -> None:
    w = world
    _file(w)
    url = reverse(name, args=[w.pupil_a.pk])
    for persona, status in (("teacher", 403), ("ppt", 403), ("guardian_a", 403), ("guardian_b", 404)):
        assert w.client(persona).get(url).status_code == status, persona
    assert w.client("coordinator_other").get(url).status_code == 404
    assert not AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.FILE).exists()


def test_asking_for_the_json_file_runs_a_fixed_number_of_queries(world: World) -> None:
    """The request starts the worker's job (a second ask while it is made goes to the same job)."""
    w = world
    _file(w)
    client = w.client("coordinator")
    url = reverse("reports:pupil_file_json", args=[w.pupil_a.pk])
    small = page_queries(client, url, status=302, warm=True)
    assert PdfJob.objects.filter(document="innsyn_json").count() == 1
    iop = Iop.objects.get(pupil=w.pupil_a)
    add_goals(iop, iop.sections.first(), 4, logs_per_goal=3)
    consent(w.pupil_a, CaseConsent.Kind.SV)
    for n in range(4):
        Concern.objects.create(
            pupil=w.pupil_a, filed_by=w.user("teacher"), description=f"Bekymring {n}", high_absence=True
        )
    for _ in range(3):
        w.client("teacher").get(reverse("pupil_detail", args=[w.pupil_a.pk]))
    large = page_queries(client, url, status=302)
    assert_same_queries(small, large)
    assert len(large) <= 20


def test_the_pupil_page_and_the_innsyn_page_offer_the_exports_to_the_coordinator_only(world: World) -> None:
    w = world
    pdf_url = reverse("reports:pupil_file_pdf", args=[w.pupil_a.pk])
    for page in ("pupil_detail", "iop:access_log"):
        assert pdf_url in w.client("coordinator").get(reverse(page, args=[w.pupil_a.pk])).content.decode(), page
    assert pdf_url not in w.client("teacher").get(reverse("pupil_detail", args=[w.pupil_a.pk])).content.decode()
    assert pdf_url not in w.client("guardian_a").get(reverse("iop:access_log", args=[w.pupil_a.pk])).content.decode()


def test_the_file_is_always_made_on_a_worker(world: World, tmp_path: Path) -> None:
    w = world
    _file(w)
    response = w.client("coordinator").get(reverse("reports:pupil_file_pdf", args=[w.pupil_a.pk]))
    job = PdfJob.objects.get(document="innsyn")
    assert response.status_code == 302 and response.url == reverse("reports:pdf_job", args=[job.pk])
    done = services.pdf_job_run(job_id=job.pk)
    assert done is not None and done.status == PdfJob.Status.DONE, done and done.error
    with done.pdf.open("rb") as handle:
        assert IOP_TEXT in pdf_text(handle.read(), tmp_path)
    assert not AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.FILE).exists(), "rendering is no read"


def _archive(w: World) -> tuple[zipfile.ZipFile, dict]:
    url = reverse("reports:pupil_archive_zip", args=[w.pupil_a.pk])
    response, content = fetched_from_worker(w.client("coordinator"), url)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    return archive, json.loads(archive.read("metadata.json"))


def test_the_archive_export_holds_every_document_as_pdf_a_with_checksums(
    world: World, tmp_path: Path, settings
) -> None:
    w = world
    settings.RETENTION_PUPIL_RECORDS_YEARS = 25
    settings.RETENTION_ACCESS_LOG_YEARS = 5
    _file(w)
    coordinator = w.user("coordinator")
    report = services.report_create(actor=coordinator, iop=Iop.objects.get(pupil=w.pupil_a))
    Report.objects.filter(pk=report.pk).update(summary=REPORT_TEXT)
    report.refresh_from_db()
    services.report_finalise(actor=coordinator, report=report, version=report.version)  # kept as PDF/A
    Appeal.objects.filter(vedtak__pupil=w.pupil_a).update(  # an open appeal stops the archiving
        final_outcome=Appeal.Outcome.UPHELD, final_outcome_on=timezone.localdate()
    )
    student_services.pupil_archive(actor=w.user("coordinator"), pupil=w.pupil_a)
    page = w.client("coordinator").get(reverse("pupil_detail", args=[w.pupil_a.pk])).content.decode()
    zip_url = reverse("reports:pupil_archive_zip", args=[w.pupil_a.pk])
    assert zip_url in page and "Last ned arkiveksporten (ZIP)" in page, "offered for an archived pupil"
    assert page.index(zip_url) < page.index('id="plans-heading"'), "offered before the plans"
    archive, metadata = _archive(w)
    assert metadata["schema"] == innsyn.ARCHIVE_SCHEMA and metadata["pupil"]["archived_at"]
    names = sorted(archive.namelist())
    assert names == sorted([*(f["name"] for f in metadata["files"]), "metadata.json"])
    types = {f["document_type"] for f in metadata["files"]}
    assert {"vurdering", "vedtak", "iop", "iop_version", "report", "referral", "innsyn"} <= types, types
    sv = next(f for f in metadata["files"] if f["document_type"] == "vurdering")
    assert SV_TEXT in pdf_text(archive.read(sv["name"]), tmp_path)
    for entry in metadata["files"]:
        pdf = archive.read(entry["name"])
        assert hashlib.sha256(pdf).hexdigest() == entry["sha256"], entry["name"]
        meta = pdf_info(pdf, tmp_path, "-meta")
        assert "pdfaid:part" in meta and "pdfaid:conformance" in meta, entry["name"]
        assert entry["retention"] == {"setting": "RETENTION_PUPIL_RECORDS_YEARS", "years": 25}
        assert entry["title"] and entry["status"] is not None and entry["dates"]
    assert metadata["retention"]["RETENTION_ACCESS_LOG_YEARS"] == 5
    vedtak = next(f for f in metadata["files"] if f["document_type"] == "vedtak")
    assert vedtak["status"] and vedtak["dates"]["valid_from"]
    kept = next(f for f in metadata["files"] if f["document_type"] == "report")
    assert REPORT_TEXT in pdf_text(archive.read(kept["name"]), tmp_path) and kept["dates"]["finalised_at"]
    version = next(f for f in metadata["files"] if f["document_type"] == "iop_version")
    assert IOP_TEXT in pdf_text(archive.read(version["name"]), tmp_path)
    assert "v1" in version["name"] and version["dates"]["published_at"]
    whole = pdf_text(archive.read("hele-mappen.pdf"), tmp_path)
    assert CONCERN_TEXT in whole and SV_TEXT in whole
    logged = AccessLogEntry.objects.filter(purpose=AccessLogEntry.Purpose.ZIP, user=w.user("coordinator"))
    assert {e.kind for e in logged} >= {"vurdering", "vedtak", "iop", "referral", "file"}


def test_a_swedish_pupils_file_cites_swedish_law_and_lists_no_empty_norwegian_parts(
    world: World, tmp_path: Path
) -> None:
    w = world
    f.make_swedish(w.school1)
    Concern.objects.create(pupil=w.pupil_a, filed_by=w.user("teacher"), description=CONCERN_TEXT, high_absence=True)
    response, content = fetched_from_worker(
        w.client("coordinator"), reverse("reports:pupil_file_pdf", args=[w.pupil_a.pk])
    )
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(content, tmp_path)
    assert CONCERN_TEXT in text and "Anmälningar om stödbehov" in text
    assert "offentlighets- och sekretesslagen" in text and "förvaltningslagen 10 §" in text
    assert "Extra anpassningar" in text  # the Swedish chain's part
    assert "Skapad" in text and "Fattat" not in text
    for word in ("forvaltningsloven", "opplæringslova", "PPT", "Sakkunniga", "enkeltvedtak", "IOP"):
        assert word not in text, word
    keys = {
        part["key"] for part in json.loads(innsyn.render_json(w.user("coordinator"), str(w.pupil_a.pk)).pdf)["parts"]
    }
    assert "followup.concern" in keys and "atgardsprogram.anpassning" in keys
    assert not keys & {"iop.vedtak", "iop.iop", "followup.referral", "reports.report"}


def test_a_norwegian_pupils_file_lists_no_empty_swedish_parts(world: World) -> None:
    _file(world)
    data = json.loads(innsyn.render_json(world.user("coordinator"), str(world.pupil_a.pk)).pdf)
    keys = {part["key"] for part in data["parts"]}
    assert "iop.vedtak" in keys and "followup.referral" in keys
    assert not any(key.startswith("atgardsprogram.") for key in keys)
