"""A PDF too large for the web is made on a real Celery worker and fetched
by the person who asked for it; its copy is deleted after a day."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from iop.models import AccessLogEntry
from iop.reports import documents, services
from iop.reports.models import PdfJob
from tests.celery_harness import CeleryHarness, task_events
from tests.conftest import World

from .factories import make_iop
from .test_celery_worker import SCHOOL_DAY, clock, worker  # noqa: F401 (fixtures)


@pytest.fixture
def idle_worker(
    clock: time_machine.Coordinates,  # noqa: F811
    tmp_path: Path,
    media_root: Path,
    settings: Any,
) -> Iterator[CeleryHarness]:
    """A harness whose queue takes this test's tasks; the test starts the worker when it wants it."""
    with CeleryHarness("tests.reports.worker_settings", tmp_path, env={"MEDIA_ROOT": str(media_root)}) as harness:
        settings.REPORTS_TASK_QUEUE = harness.queue
        with harness.publishing():
            yield harness


def test_a_draft_report_is_made_once_on_a_worker_however_often_it_is_asked_for(
    transactional_world: World, idle_worker: CeleryHarness
) -> None:
    """Clicking "PDF" three times while the draft is made starts one job and
    one rendering; the page polls (htmx) until the file is ready, then
    offers it; fetching it is the read the access log records."""
    w = transactional_world
    iop = make_iop(w.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Norsk", 76),))
    draft = services.report_create(actor=w.user("teacher"), iop=iop)
    teacher = w.client("teacher")
    url = reverse("reports:report_pdf", args=[draft.pk])
    answers = [teacher.get(url) for _ in range(3)]
    assert {a.status_code for a in answers} == {302} and len({a.url for a in answers}) == 1
    job = PdfJob.objects.get()
    assert job.document == "report" and job.status == PdfJob.Status.PENDING
    polling = teacher.get(answers[0].url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in polling and "<html" not in polling and "lages i bakgrunnen" in polling

    process = idle_worker.start_worker()
    idle_worker.drain()
    received, succeeded = task_events(idle_worker.log(process), "reports.make_pdf")
    assert len(received) == 1 and [result for _id, result in succeeded] == ["'done'"], idle_worker.log(process)[-3000:]
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE and PdfJob.objects.count() == 1
    assert not AccessLogEntry.objects.filter(purpose=AccessLogEntry.Purpose.PDF).exists(), "rendering is no read"

    status = teacher.get(answers[0].url, headers={"HX-Request": "true"}).content.decode()
    file_url = reverse("reports:pdf_job_file", args=[job.pk])
    assert "hx-trigger" not in status and file_url in status and "PDF-en er klar" in status
    # The heading above the status changes with it (swapped out of band): no "Filen lages" beside a ready file.
    assert 'id="pdf-job-heading" hx-swap-oob="true">Filen er klar:' in status
    page = teacher.get(answers[0].url).content.decode()
    assert "Filen lages" not in page and "Filen er klar: " in page
    response = teacher.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AccessLogEntry.objects.get(purpose=AccessLogEntry.Purpose.PDF)
    assert (entry.user, entry.kind, entry.object_id) == (w.user("teacher"), AccessLogEntry.Kind.REPORT, draft.pk)


def test_a_failed_job_says_so_in_words(world: World) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Norsk", 76),))
    job = PdfJob.objects.create(
        document="iop", object_id=str(iop.pk), pupil=iop.pupil, requested_by=world.user("teacher")
    )
    PdfJob.objects.filter(pk=job.pk).update(
        status=PdfJob.Status.FAILED, error="Uventet feil (MemoryError).", finished_at=timezone.now()
    )
    page = world.client("teacher").get(reverse("reports:pdf_job", args=[job.pk])).content.decode()
    assert "Filen kunne ikke lages. Uventet feil (MemoryError)." in page and "Be om filen på nytt" in page
    assert "hx-trigger" not in page and "http-equiv" not in page
    assert "Filen lages" not in page and "Filen kunne ikke lages: " in page


def test_a_large_pdf_is_made_on_a_worker_and_fetched_by_its_asker(
    transactional_world: World,
    worker: CeleryHarness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = transactional_world
    w.pupil_a.last_name = "Ødegård"
    w.pupil_a.save()
    iop = make_iop(w.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Norsk", 76),))
    monkeypatch.setattr(documents, "PDF_WEB_MAX_CHARS", 1000)  # this small plan counts as large
    teacher = w.client("teacher")
    job_url = teacher.get(reverse("reports:iop_pdf", args=[iop.pk])).url
    worker.drain()
    job = PdfJob.objects.get()
    assert job.status == PdfJob.Status.DONE, (job.error, worker.log(worker.workers[0])[-3000:])
    assert not AccessLogEntry.objects.filter(purpose=AccessLogEntry.Purpose.PDF).exists(), "rendering is no read"

    page = teacher.get(job_url).content.decode()
    file_url = reverse("reports:pdf_job_file", args=[job.pk])
    assert "PDF-en er klar" in page and file_url in page and "http-equiv" not in page
    response = teacher.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert re.search(r"filename\*=utf-8''iop-%C3%B8deg%C3%A5rd-", response["Content-Disposition"])
    entry = AccessLogEntry.objects.get(purpose=AccessLogEntry.Purpose.PDF)
    assert (entry.user, entry.pupil_id, entry.kind) == (w.user("teacher"), w.pupil_a.pk, AccessLogEntry.Kind.IOP)
    for other in ("coordinator", "guardian_a"):
        assert w.client(other).get(file_url).status_code == 404, other


def test_a_made_pdf_is_deleted_a_day_after_it_was_asked_for(world: World, media_root) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Norsk", 76),))
    with time_machine.travel(SCHOOL_DAY, tick=False):
        job = PdfJob.objects.create(
            document="iop", object_id=str(iop.pk), pupil=iop.pupil, requested_by=world.user("teacher")
        )
        services.pdf_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PdfJob.Status.DONE and job.pdf
    stored = media_root / job.pdf.name
    assert stored.exists()
    assert services.pdf_jobs_prune(now=SCHOOL_DAY + datetime.timedelta(hours=23)) == 0
    assert services.pdf_jobs_prune(now=SCHOOL_DAY + datetime.timedelta(hours=25)) == 1
    assert not stored.exists() and not PdfJob.objects.exists()


def test_a_job_fails_with_a_reason_when_the_asker_lost_access(world: World) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Norsk", 76),))
    job = PdfJob.objects.create(
        document="iop", object_id=str(iop.pk), pupil=iop.pupil, requested_by=world.user("teacher")
    )
    world.user("teacher").memberships.update(active=False)
    services.pdf_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == PdfJob.Status.FAILED and "tilgang" in job.error
