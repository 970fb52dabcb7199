"""Fetching a document that is made on a worker, in a test without a worker."""

from __future__ import annotations

from typing import Any


def fetched_from_worker(client: Any, url: str) -> tuple[Any, bytes]:
    """GET URL of a document made on a worker: it answers with a redirect to
    its job's page; the job is run here (tests/reports/test_pdf_jobs.py runs
    it on a real worker), the page then offers the file, which is fetched.
    Returns the file's response and its bytes."""
    from django.urls import resolve, reverse

    from iop.reports import services
    from iop.reports.models import PdfJob

    response = client.get(url)
    assert response.status_code == 302, (url, response.status_code)
    match = resolve(response.url)
    assert match.url_name == "pdf_job", response.url
    job = services.pdf_job_run(job_id=match.kwargs["pk"])
    assert job is not None and job.status == PdfJob.Status.DONE, job and job.error
    file_url = reverse("reports:pdf_job_file", args=[job.pk])
    assert file_url in client.get(response.url).content.decode()
    fetched = client.get(file_url)
    assert fetched.status_code == 200
    content = b"".join(fetched.streaming_content)
    job.pdf.delete(save=False)  # the stored copy, wherever the test's media root is
    return fetched, content
