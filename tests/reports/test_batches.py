"""School batches: one task per pupil (Celery eager here), failures listed
with their reasons while the others complete, progress to 100 %."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from iop.models import AccessLogEntry, Goal
from iop.reports import selectors, services
from iop.reports.models import Report, ReportBatch, ReportBatchItem
from tests import factories as f
from tests.conftest import World
from tests.queries import assert_same_queries, page_queries

from .factories import make_iop

Item = ReportBatchItem.Status


def school_of_pupils(world: World, n: int) -> list[Any]:
    pupils = [world.pupil_a, world.pupil_b]
    pupils += [f.pupil_in(world.group_b, first_name=f"Elev{i}", last_name=f"Etternavn{i}") for i in range(n - 2)]
    for pupil in pupils:
        make_iop(pupil, goals_per_subject=1, logs_per_goal=2, subjects=(("Norsk", 76),))
    return pupils


def start(world: World, capture: Callable[..., Any], job: str = ReportBatch.Job.DRAFTS) -> ReportBatch:
    with capture(execute=True):
        batch = services.batch_start(
            actor=world.user("coordinator"),
            school=world.school1,
            school_year=world.group_a.school_year,
            job=job,
        )
    batch.refresh_from_db()
    return batch


def test_a_broken_pupil_fails_alone_and_the_batch_completes(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    pupils = school_of_pupils(world, 4)
    broken = pupils[2]
    Goal.objects.filter(iop__pupil=broken).delete()  # an IOP without goals: nothing to report on
    batch = start(world, django_capture_on_commit_callbacks)
    progress = selectors.batch_progress(batch)
    assert batch.is_done and batch.finished_at
    assert progress.total == 4 and progress.percent == 100
    assert progress.done == 3
    assert [i.pupil for i in progress.failed] == [broken]
    assert "ingen læringsmål" in progress.failed[0].message
    assert Report.objects.filter(pupil__in=pupils, status=Report.Status.DRAFT).count() == 3
    assert not Report.objects.filter(pupil=broken).exists()
    page = world.client("coordinator").get(reverse("reports:batch_detail", args=[batch.pk])).content.decode()
    assert "100 %" in page and "Disse elevene feilet" in page and broken.full_name in page
    assert "hx-trigger" not in page  # finished: the page stops polling


def test_an_unexpected_error_is_reported_and_the_others_go_on(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    school_of_pupils(world, 3)
    real = services.render_report

    def explode(report: Report, **kwargs: Any) -> Any:
        if report.pupil_id == world.pupil_b.pk:
            raise RuntimeError("font cache is gone")
        return real(report, **kwargs)

    monkeypatch.setattr(services, "render_report", explode)
    batch = start(world, django_capture_on_commit_callbacks)
    progress = selectors.batch_progress(batch)
    assert progress.percent == 100 and progress.done == 2
    assert [i.pupil for i in progress.failed] == [world.pupil_b]
    assert "Uventet feil (RuntimeError)" in progress.failed[0].message
    assert not Report.objects.filter(pupil=world.pupil_b).exists()  # the failed draft was rolled back


def test_running_again_skips_what_exists_and_items_are_idempotent(
    world: World, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    school_of_pupils(world, 2)
    first = start(world, django_capture_on_commit_callbacks)
    second = start(world, django_capture_on_commit_callbacks)
    assert selectors.batch_progress(first).done == 2
    progress = selectors.batch_progress(second)
    assert progress.skipped == 2 and progress.percent == 100
    item = first.items.first()
    assert item is not None
    assert services.batch_item_run(item_id=item.pk).status == Item.DONE  # type: ignore[union-attr]
    assert Report.objects.count() == 2


def test_the_progress_survives_a_reload_while_running(world: World) -> None:
    """Without running the tasks: the page polls, and shows 0 of N."""
    school_of_pupils(world, 3)
    batch = services.batch_start(
        actor=world.user("coordinator"),
        school=world.school1,
        school_year=world.group_a.school_year,
        job=ReportBatch.Job.DRAFTS,
    )
    client = world.client("coordinator")
    for url in (reverse("reports:batch_detail", args=[batch.pk]), reverse("reports:batch_progress", args=[batch.pk])):
        body = client.get(url).content.decode()
        assert "0 av 3 elever behandlet (0 %)" in body and 'hx-trigger="every 2s"' in body
    item = batch.items.first()
    assert item is not None
    services.batch_item_run(item_id=item.pk)
    assert (
        "1 av 3 elever behandlet (33 %)"
        in client.get(reverse("reports:batch_progress", args=[batch.pk])).content.decode()
    )
    listing = client.get(reverse("reports:batch_list")).content.decode()
    assert "1 / 3" in listing


def test_the_year_as_one_zip(world: World, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    school_of_pupils(world, 3)
    drafts = start(world, django_capture_on_commit_callbacks)
    finalised = []
    for item in drafts.items.select_related("report__pupil__school", "report__iop__school_year"):
        report = item.report
        assert report is not None
        if item.pupil_id == world.pupil_b.pk:
            continue  # B's report stays a draft
        Report.objects.filter(pk=report.pk).update(summary="Et godt år.")
        report.refresh_from_db()
        report.pupil = item.pupil
        finalised.append(
            services.report_finalise(actor=world.user("coordinator"), report=report, version=report.version)
        )
    batch = start(world, django_capture_on_commit_callbacks, job=ReportBatch.Job.ZIP)
    progress = selectors.batch_progress(batch)
    assert progress.percent == 100 and progress.done == 2 and progress.skipped == 1
    assert batch.archive and hashlib.sha256(batch.archive.read()).hexdigest() == batch.archive_sha256
    response = world.client("coordinator").get(reverse("reports:batch_zip", args=[batch.pk]))
    assert response.status_code == 200
    assert "rapporter-aarsrapport-" in response["Content-Disposition"]  # not the halvårsrapporter's name
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    names = archive.namelist()
    assert len(names) == 3 and "SHA256SUMS.txt" in names
    # One access-log entry for each pupil whose report is inside, naming the coordinator.
    coordinator = world.user("coordinator")
    assert coordinator is not None
    logged = AccessLogEntry.objects.filter(purpose=AccessLogEntry.Purpose.ZIP)
    assert sorted((e.object_id, e.user_id) for e in logged) == sorted((r.pk, coordinator.pk) for r in finalised)
    sums = archive.read("SHA256SUMS.txt").decode()
    for report in finalised:
        assert report.pdf_sha256 in sums
    for name in names:
        if name.endswith(".pdf"):
            assert hashlib.sha256(archive.read(name)).hexdigest() in sums
    assert world.client("coordinator_other").get(reverse("reports:batch_zip", args=[batch.pk])).status_code == 404
    assert world.client("teacher").get(reverse("reports:batch_zip", args=[batch.pk])).status_code == 404


def test_a_batch_form_with_bad_input_explains_and_starts_nothing(world: World) -> None:
    client = world.client("coordinator")
    other_year = world.group_c.school_year  # another school's year
    response = client.post(
        reverse("reports:batch_list"), {"school_year": other_year.pk, "job": "drafts", "report_kind": "aarsrapport"}
    )
    assert response.status_code == 200 and ReportBatch.objects.count() == 0
    assert "ds-validation-message" in response.content.decode()


def test_the_progress_page_runs_a_fixed_number_of_queries(world: World) -> None:
    """The same number of queries for 2 and for 6 pupils (the base layout's own queries included)."""
    client = world.client("coordinator")
    measured = []
    for pupils in (2, 6):
        ReportBatch.objects.all().delete()
        Report.objects.all().delete()
        if pupils == 2:
            school_of_pupils(world, 2)
        else:
            for _n in range(4):
                make_iop(f.pupil_in(world.group_b), goals_per_subject=1, logs_per_goal=1, subjects=(("Norsk", 76),))
        batch = services.batch_start(
            actor=world.user("coordinator"),
            school=world.school1,
            school_year=world.group_a.school_year,
            job=ReportBatch.Job.DRAFTS,
        )
        assert batch.items.count() == pupils
        url = reverse("reports:batch_progress", args=[batch.pk])
        measured.append([page_queries(client, url, warm=True), page_queries(client, reverse("reports:batch_list"))])
    assert_same_queries(measured[0], measured[1], at_most=12)
