"""Report records on the shared world (cached in ``world.extra``)."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.utils import timezone

from iop.models import Iop
from iop.reports.models import Report, ReportBatch, ReportGoal
from students.models import Pupil
from tests.conftest import World

from .factories import make_iop

# A tiny stand-in PDF for rows that only test access to a stored file.
FAKE_PDF = b"%PDF-1.7\n% test\n%%EOF\n"
FAKE_NAME = "reports/test-matrix-fake.pdf"


def iop_of(world: World, pupil: Pupil, key: str = "") -> Iop:
    key = f"reports_iop_{pupil.pk}{key}"
    if key not in world.extra:
        world.extra[key] = make_iop(pupil, goals_per_subject=1, logs_per_goal=2, subjects=(("Norsk", 76),))
    return world.extra[key]


def draft_report(world: World, pupil: Pupil | None = None) -> Report:
    pupil = pupil or world.pupil_a
    key = f"reports_draft_{pupil.pk}"
    if key not in world.extra:
        iop = iop_of(world, pupil)
        report = Report.objects.create(
            pupil=pupil, iop=iop, period_start=iop.period_start, period_end=iop.period_end, language="nb"
        )
        for n, goal in enumerate(iop.goals.all()):
            ReportGoal.objects.create(report=report, goal=goal, masters="Eleven kan lese korte tekster.", order=n)
        world.extra[key] = report
    return world.extra[key]


def published_report(world: World, pupil: Pupil | None = None) -> Report:
    """A published report whose stored file is a tiny stand-in (no rendering)."""
    pupil = pupil or world.pupil_a
    key = f"reports_published_{pupil.pk}"
    if key not in world.extra:
        iop = iop_of(world, pupil)
        if not default_storage.exists(FAKE_NAME):
            from django.core.files.base import ContentFile

            default_storage.save(FAKE_NAME, ContentFile(FAKE_PDF))
        now = timezone.now()
        report = Report.objects.create(
            pupil=pupil,
            iop=iop,
            kind=Report.Kind.HALVAARSRAPPORT,
            period_start=iop.period_start,
            period_end=iop.period_end,
            status=Report.Status.PUBLISHED,
            summary="Godt halvår.",
            finalised_at=now,
            published_at=now,
            pdf=FAKE_NAME,
            pdf_sha256=hashlib.sha256(FAKE_PDF).hexdigest(),
            language="nb",
        )
        world.extra[key] = report
    return world.extra[key]


def batch(world: World, *, school_2: bool = False) -> ReportBatch:
    key = f"reports_batch_{school_2}"
    if key not in world.extra:
        school = world.school2 if school_2 else world.school1
        year = (world.group_c if school_2 else world.group_a).school_year
        now = timezone.now()
        world.extra[key] = ReportBatch.objects.create(
            job=ReportBatch.Job.DRAFTS, school=school, school_year=year, status=ReportBatch.Status.DONE, finished_at=now
        )
    return world.extra[key]
