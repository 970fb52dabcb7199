"""Competence aims attached to a goal with the picker are printed in the IOP
PDF, in the årsrapport (page and PDF) and in what guardians read, with the
curriculum's attribution; the free-text aim still prints where one was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.urls import reverse

from iop import services as iop_services
from iop.models import Goal, Iop
from iop.reports import services
from iop.reports.models import Report
from tests.conftest import World
from tests.iop.factories import aim
from tests.queries import assert_same_queries, page_queries

from .conftest import pdf_text
from .factories import make_iop

ATTRIBUTION = "Inneholder data under NLOD"


def _with_aims(iop: Iop) -> None:
    first = aim("KM9001", "telle til hundre og skrive tallene")
    second = aim("KM9002", "lese korte tekster med flyt")
    for goal in Goal.objects.filter(iop=iop):
        goal.competence_aims.add(first, second)


def test_the_iop_pdf_prints_the_attached_aims(
    world: World, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Matematikk", 57),))
    _with_aims(iop)
    # Guardians read the published version: publish it with the aims attached.
    with django_capture_on_commit_callbacks(execute=True):
        iop_services.iop_publish(actor=world.user("teacher"), iop=iop, version=iop.version)
    assert iop.versions.get().snapshot["sections"][0]["goals"][0]["aims"]
    for persona in ("teacher", "guardian_a"):
        response = world.client(persona).get(reverse("reports:iop_pdf", args=[iop.pk]))
        assert response.status_code == 200, persona
        text = pdf_text(response.content, tmp_path)
        assert "KM9001 telle til hundre og skrive tallene" in text, (persona, text)
        assert "KM9002 lese korte tekster med flyt" in text and "(Matematikk)" in text
        # One heading per goal: the attached aims, then the free-text aim of the goal under them.
        assert text.count("Kompetansemål:") == 1, text
        assert text.index("KM9002 lese korte tekster") < text.index("KM1234"), text
        assert ATTRIBUTION in text


def test_the_aarsrapport_prints_the_attached_aims(world: World, tmp_path: Path) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=2, subjects=(("Matematikk", 57),))
    _with_aims(iop)
    teacher = world.user("teacher")
    report = services.report_create(actor=teacher, iop=iop)
    assert report.kind == Report.Kind.AARSRAPPORT
    page = world.client("teacher").get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "telle til hundre og skrive tallene" in page and 'data-aim="KM9002"' in page and ATTRIBUTION in page

    report = services.report_update(actor=teacher, report=report, version=report.version, data={"summary": "Bra år."})
    report = services.report_finalise(actor=teacher, report=report, version=report.version)
    text = pdf_text(Path(report.pdf.path).read_bytes(), tmp_path)
    assert "KM9001 telle til hundre og skrive tallene" in text and "KM9002 lese korte tekster med flyt" in text
    assert ATTRIBUTION in text


def test_the_report_page_with_aims_runs_a_fixed_number_of_queries(world: World) -> None:
    client = world.client("teacher")
    measured = []
    for goals in (1, 5):
        Report.objects.all().delete()
        Iop.objects.all().delete()
        iop = make_iop(world.pupil_a, goals_per_subject=goals, logs_per_goal=1)
        _with_aims(iop)
        report = services.report_create(actor=world.user("teacher"), iop=iop)
        measured.append(page_queries(client, reverse("reports:report_detail", args=[report.pk]), warm=True))
    assert_same_queries(measured[0], measured[1])


def test_a_typed_aim_prefix_is_left_out_of_the_report_and_the_pdfs(world: World, tmp_path: Path) -> None:
    """A free-text aim typed as "KM: …" prints without the "KM:": the page
    and the PDF put their own "Kompetansemål" heading in front, as the plan page does."""
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1, subjects=(("Matematikk", 57),))
    Goal.objects.filter(iop=iop).update(competence_aim="KM: utforske og beskrive tallmønster")
    teacher = world.user("teacher")
    client = world.client("teacher")
    iop_pdf = pdf_text(client.get(reverse("reports:iop_pdf", args=[iop.pk])).content, tmp_path)
    report = services.report_create(actor=teacher, iop=iop)
    page = client.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    report = services.report_update(actor=teacher, report=report, version=report.version, data={"summary": "Bra år."})
    report = services.report_finalise(actor=teacher, report=report, version=report.version)
    report_pdf = pdf_text(Path(report.pdf.path).read_bytes(), tmp_path)
    for where, text in (("IOP PDF", iop_pdf), ("report page", page), ("report PDF", report_pdf)):
        assert "utforske og beskrive tallmønster" in text, where
        assert "KM: utforske" not in text, where
