"""A PDF too large for the web is made on a real Celery worker and fetched
by the person who asked for it; its copy is deleted after a day."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from iop.models import AccessLogEntry
from iop.reports import documents, services
from iop.reports.models import PdfJob
from tests.celery_harness import CeleryHarness
from tests.conftest import World

from .factories import make_iop
from .test_celery_worker import SCHOOL_DAY, clock, worker  # noqa: F401 (fixtures)


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
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
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
