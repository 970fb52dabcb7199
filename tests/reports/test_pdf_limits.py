"""A PDF made while a person waits has a size cap: a larger document is made on a worker, not in the web."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from iop.limits import PDF_WEB_MAX_CHARS, TEXT_MAX_LENGTH, TooLargeToRender
from iop.models import Goal, Iop, IopSubject
from iop.reports import services
from iop.reports.models import PdfJob, Report, ReportGoal, ReportSubject
from tests.conftest import World

from .factories import make_iop

SENTENCE = "Eleven leser korte tekster høyt. "
FULL = (SENTENCE * (TEXT_MAX_LENGTH // len(SENTENCE) + 1))[:TEXT_MAX_LENGTH]


def fill_to_the_limit(iop: Iop) -> int:
    """Every text of the plan at the field limit until the plan holds more than the web cap; returns the characters."""
    text = FULL
    fields = ["text", *Goal.CRITERIA_FIELDS]
    Goal.objects.filter(iop=iop).update(**dict.fromkeys(fields, text))
    IopSubject.objects.filter(iop=iop).update(content=text, working_methods=text, organisation=text)
    Iop.objects.filter(pk=iop.pk).update(ordinary_teaching=text, class_plan_coordination=text)
    goals, sections = Goal.objects.filter(iop=iop).count(), IopSubject.objects.filter(iop=iop).count()
    total = TEXT_MAX_LENGTH * (goals * len(fields) + sections * 3 + 2)
    assert total > PDF_WEB_MAX_CHARS, "the plan must be larger than the cap for this test"
    return total


@pytest.fixture
def big_iop(world: World) -> Iop:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1)
    fill_to_the_limit(iop)
    return Iop.objects.get(pk=iop.pk)


def test_the_iop_pdf_of_a_plan_above_the_cap_goes_to_a_worker(world: World, big_iop: Iop) -> None:
    url = reverse("reports:iop_pdf", args=[big_iop.pk])
    for persona in ("teacher", "guardian_a"):
        client = world.client(persona)
        response = client.get(url)
        job = PdfJob.objects.get(requested_by=world.user(persona))
        assert response.status_code == 302 and response.url == reverse("reports:pdf_job", args=[job.pk]), persona
        assert (job.document, job.object_id, job.pupil, job.status) == (
            "iop",
            str(big_iop.pk),
            world.pupil_a,
            "pending",
        )
        page = client.get(response.url).content.decode()
        assert "lages i bakgrunnen" in page and '<meta http-equiv="refresh" content="3">' in page
        assert client.get(url).url == response.url, "a second click follows the same job"
    assert PdfJob.objects.count() == 2
    # The job is its asker's: nobody else (not even the coordinator) follows it.
    assert world.client("coordinator").get(reverse("reports:pdf_job", args=[job.pk])).status_code == 404


def test_a_draft_report_above_the_cap_goes_to_a_worker_and_cannot_be_finalised_here(world: World, big_iop: Iop) -> None:
    draft = services.report_create(actor=world.user("teacher"), iop=big_iop)
    ReportGoal.objects.filter(report=draft).update(masters=FULL)
    ReportSubject.objects.filter(report=draft).update(organisation_used=FULL)
    Report.objects.filter(pk=draft.pk).update(organisation=FULL)
    response = world.client("teacher").get(reverse("reports:report_pdf", args=[draft.pk]))
    assert response.status_code == 302 and PdfJob.objects.get().document == "report"
    draft = services.report_update(
        actor=world.user("teacher"), report=draft, version=draft.version, data={"summary": "Leser selv."}
    )
    draft.pupil = world.pupil_a
    with pytest.raises(ValidationError) as caught:
        services.report_finalise(actor=world.user("teacher"), report=draft, version=draft.version)
    assert isinstance(caught.value, TooLargeToRender) and caught.value.size > PDF_WEB_MAX_CHARS
    assert Report.objects.get(pk=draft.pk).status == Report.Status.DRAFT


def test_a_plan_within_the_cap_still_renders(world: World) -> None:
    iop = make_iop(world.pupil_a, goals_per_subject=1, logs_per_goal=1)
    response = world.client("teacher").get(reverse("reports:iop_pdf", args=[iop.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with pytest.raises(TooLargeToRender):  # the same plan under a smaller cap
        services.render_iop(iop, iop.pupil, max_chars=1000)
