"""Real PDFs: content, page count, PNG conversion, and the URL fetcher that
fetches nothing but our own static files."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from iop.reports import rendering, services
from iop.reports.models import Report
from tests import factories as f
from tests.conftest import World

from .conftest import pages, pdf_text
from .factories import add_goal, make_iop

MALICIOUS = (
    '<img src="file:///etc/passwd"> <img src="http://127.0.0.1:9/x.png"> '
    '<link rel="stylesheet" href="https://evil.example/x.css"> <script>alert(1)</script>'
)


def table_rows(pdf: bytes, tmp_path: Path, heading: str, next_heading: str) -> dict[str, list[str]]:
    """The rows of the table under HEADING, as laid out on the page (poppler's
    ``pdftotext -layout``): first cell -> the other cells of that line, for the
    lines whose second cell is a number."""
    path = tmp_path / "table.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert text.count(heading) == 1, heading
    section = text.split(heading)[1].split(next_heading)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) > 1 and re.fullmatch(r"\d+(,\d+)?", cells[1]):
            assert cells[0] not in rows, line
            rows[cells[0]] = cells[1:]
    return rows


@pytest.fixture
def report(world: World) -> Report:
    iop = make_iop(world.pupil_a, goals_per_subject=2, logs_per_goal=3, general_goals=1)
    report = services.report_create(actor=world.user("teacher"), iop=iop)
    report.summary = "Anna har hatt et år med stor framgang i lesing."
    report.save()
    return report


def test_it_renders_pupil_goals_levels_and_hours(world: World, report: Report, tmp_path: Path) -> None:
    rendered = services.render_report(report)
    text = pdf_text(rendered.pdf, tmp_path)
    assert "Anna Aasen" in text and "Skole 1" in text
    assert "Norsk: mål 1" in text and "Matematikk: mål 2" in text and "Sosialt mål 1" in text
    assert "Årsrapport" in text
    # levels, start and latest, on both axes, and the positive "masters" text
    assert "Begynnernivå" in text and "Kompetent" in text and "Under utvikling" in text
    assert "Eleven mestrer kvalitet nivå 3" in text
    # hours per subject: in the vedtak, in the IOP, given (4 weeks × 2,5 = 10), then how it was organised
    hours = table_rows(rendered.pdf, tmp_path, "Opplæringen eleven har fått", "Elevens utvikling")
    assert {subject: cells[:3] for subject, cells in hours.items() if subject != "Sum"} == {
        "Norsk": ["76", "76", "10"],
        "Matematikk": ["57", "57", "10"],
        "Engelsk": ["38", "38", "10"],
    }
    assert hours["Norsk"][3] == "Liten gruppe i norsk, 2 timer i uka"
    assert hours["Sum"] == ["171", "171", "30"]  # in the decision, in the IOP, given
    # the legend ties the criteria levels to the words of the guardians' pages
    assert "kompetent (mestrer)" in " ".join(text.split())
    assert "Anna har hatt et år med stor framgang i lesing." in text
    assert "UTKAST – ikke ferdigstilt. Denne versjonen er ikke det endelige dokumentet." in " ".join(text.split())
    assert "HEMMELIG" not in text  # internal notes never reach a report
    assert 1 <= pages(rendered.pdf, tmp_path) <= 12
    assert rendered.fetcher.refused == []
    assert any(url.endswith("/static/reports/print.css") for url in rendered.fetcher.served)


def test_it_converts_a_page_to_png(report: Report, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(services.render_report(report).pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)  # noqa: S603, S607
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_it_shows_hostile_text_literally_and_fetches_nothing(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=0, subjects=(("Norsk", 76),))
    add_goal(iop, iop.sections.get(), MALICIOUS, competence_aim='<link rel="stylesheet" href="file:///etc/passwd">')
    report = services.report_create(actor=world.user("teacher"), iop=iop)
    report.summary = '<img src="https://evil.example/pixel.png">Oppsummering'
    report.save()
    asked: list[str] = []
    real_fetch = rendering.StaticOnlyFetcher.fetch

    def spy(self: rendering.StaticOnlyFetcher, url: str, headers: object = None) -> object:
        asked.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(rendering.StaticOnlyFetcher, "fetch", spy)
    rendered = services.render_report(report)
    text = pdf_text(rendered.pdf, tmp_path)
    assert '<img src="file:///etc/passwd">' in text
    assert '<link rel="stylesheet" href="https://evil.example/x.css">' in text
    assert "<script>alert(1)</script>" in text
    assert '<img src="https://evil.example/pixel.png">Oppsummering' in text
    assert asked, "the stylesheet is fetched through our fetcher"
    assert all(url.startswith(rendering.PDF_BASE_URL + "static/") for url in asked), asked
    assert rendered.fetcher.refused == []
    assert "&lt;" in rendered.html and '<img src="file' not in rendered.html


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://evil.example/static/reports/print.css",
        "https://pdf.invalid/static/../../../etc/passwd",
        "https://pdf.invalid/static/reports/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "https://pdf.invalid/static//etc/passwd",
        "https://pdf.invalid/etc/passwd",
        "https://pdf.invalid/static/reports/does-not-exist.css",
        "ftp://pdf.invalid/static/reports/print.css",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url: str) -> None:
    fetcher = rendering.StaticOnlyFetcher()
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_the_fetcher_serves_static_files_and_data_uris() -> None:
    fetcher = rendering.StaticOnlyFetcher()
    css = fetcher.fetch(rendering.PDF_BASE_URL + "static/reports/print.css")
    assert b"@page" in css.read()
    data = fetcher.fetch("data:text/plain;base64,aGVpc2Fu")
    assert data.read() == b"heisan"
    assert fetcher.refused == []


def test_an_html_document_cannot_reach_out(tmp_path: Path) -> None:
    """Even raw HTML with hostile references renders without fetching them."""
    html = (
        '<html><head><link rel="stylesheet" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="https://evil.example/a.css"></head>'
        '<body><p>Hei</p><img src="file:///etc/passwd"><img src="http://169.254.169.254/latest">'
        '<iframe src="file:///etc/shadow"></iframe><object data="file:///etc/hosts"></object></body></html>'
    )
    pdf, fetcher = rendering.html_to_pdf(html)
    assert "Hei" in pdf_text(pdf, tmp_path)
    assert fetcher.served == []
    assert set(fetcher.refused) >= {"file:///etc/passwd", "https://evil.example/a.css", "http://169.254.169.254/latest"}


def test_the_iop_itself_renders_with_criteria(world: World, tmp_path: Path) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=2)
    rendered = services.render_iop(iop, world.pupil_a)
    text = pdf_text(rendered.pdf, tmp_path)
    assert "Individuell opplæringsplan" in text and "Anna Aasen" in text
    assert "Eleven mestrer sikkert kvalitet nivå 4" in text and "Eleven viser selvstendighet nivå 1" in text
    hours = table_rows(rendered.pdf, tmp_path, "Fag og timer", "Innhold")
    assert hours == {
        "Norsk": ["76", "76", "Liten gruppe i norsk, 2 timer i uka"],
        "Matematikk": ["57", "57", "Liten gruppe i matematikk, 2 timer i uka"],
        "Engelsk": ["38", "38", "Liten gruppe i engelsk, 2 timer i uka"],
    }
    assert rendered.fetcher.refused == []


def test_it_speaks_the_language_of_the_school(world: World, tmp_path: Path) -> None:
    f.make_swedish(world.school2)
    iop = make_iop(world.pupil_c, goals_per_subject=1, logs_per_goal=2, subjects=(("Svenska", 80),))
    report = services.report_create(actor=world.user("coordinator_other"), iop=iop)
    report.summary = "Cecilie läser nu korta texter."
    report.save()
    text = pdf_text(services.render_report(report).pdf, tmp_path)
    assert "Sammanfattning" in text and "Oppsummering" not in text
    assert "Cecilie Carlsen" in text and "Cecilie läser nu korta texter." in text
    assert report.language == "sv"
