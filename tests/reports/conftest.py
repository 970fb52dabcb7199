from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    """Stored PDFs and ZIP files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "out.pdf") -> str:
    """Text of a PDF (poppler's pdftotext), whitespace collapsed."""
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)  # noqa: S603, S607
    return " ".join(out.stdout.split())


def pdf_info(pdf: bytes, tmp_path: Path, *extra: str) -> str:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", *extra, str(path)], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607


def pages(pdf: bytes, tmp_path: Path) -> int:
    for line in pdf_info(pdf, tmp_path).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo printed no page count")


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
    return fetched, b"".join(fetched.streaming_content)
