from __future__ import annotations

import subprocess
from pathlib import Path

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
